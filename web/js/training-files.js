// The training panel's files: a .txt file to train on, a snapshot saved as a model file, and a
// model file opened as "your" model.
'use strict';
(function trainingFilesModule(Spotlight) {
  const { $ } = Spotlight;
  const MAX_OWN_TEXT = 2000000;  // characters of own text (a .txt file of about 2 MB)
  const MAX_FILE_BYTES = 64 * 1024 * 1024;

  Object.assign(Spotlight.TrainingPanel.prototype, {
    async openTextFile(file) {
      if (!file) return;
      if (file.size > MAX_FILE_BYTES) {
        this.say(`The file "${file.name}" has ${file.size.toLocaleString('en')} bytes; the page takes text files up to ${MAX_FILE_BYTES.toLocaleString('en')}.`);
        return;
      }
      try {
        const text = await file.text();
        $('train-own-text').value = text.slice(0, MAX_OWN_TEXT);
        this.ownText = $('train-own-text').value;
        this.say(`Opened "${file.name}": ${text.length.toLocaleString('en')} characters${text.length > MAX_OWN_TEXT ? `, of which the first ${MAX_OWN_TEXT.toLocaleString('en')} are used` : ''}.`, 'info');
      } catch (error) {
        this.say(`Could not read "${file.name}": ${error.message}`);
      }
    },

    save() {
      const snapshot = this.shownSnapshot();
      if (!snapshot) return;
      const name = `spotlight-${this.run.task}-step-${snapshot.step}.spotlight`;
      Spotlight.exports.download(name, new Blob([snapshot.bytes], { type: 'application/octet-stream' }));
      this.say(`Saved "${name}" (${snapshot.bytes.length.toLocaleString('en')} bytes). Open it back with "Open a model file".`, 'info');
    },

    // A model file (a checkpoint with its vocabulary) becomes "your" model; a wrong or damaged
    // one gets a message, and the page keeps what it had.
    async openModelFile(file) {
      if (!file) return;
      $('model-open').value = '';
      if (file.size > MAX_FILE_BYTES) {
        this.say(`"${file.name}" has ${file.size.toLocaleString('en')} bytes; a model file here is at most ${MAX_FILE_BYTES.toLocaleString('en')}.`);
        return;
      }
      let model = null;
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        model = this.module.TinyTransformer.load(bytes);
        let metadata = {};
        try { metadata = JSON.parse(model.metadata || '{}'); } catch (error) { metadata = {}; }
        const view = new Spotlight.ModelView(this.module, model, metadata && typeof metadata === 'object' ? metadata : {});
        this.app.setYourModel(view, { show: true, owned: true });
        const c = model.config;
        this.say(`Opened "${file.name}": ${c.numLayers} layers of ${c.numHeads} heads, d_model ${c.embedDim}, ` +
          `${model.vocabulary.length} tokens. The views above show it.`, 'info');
      } catch (error) {
        if (model && !model.isDeleted()) model.delete();
        this.say(`Could not open "${file.name}" as a model: ${error.message}. The page goes on with what it had.`);
      }
    },

    // A snapshot's checkpoint (a copy), for tests and for saving.
    snapshotBytes(index) {
      const snapshot = this.snapshots[index];
      return snapshot ? snapshot.bytes.slice() : null;
    },
  });
}(window.Spotlight));
