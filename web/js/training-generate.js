// The training panel's generation: the snapshot shown continues a prompt, and each generated word
// shows where its heads looked.
'use strict';
(function trainingGenerateModule(Spotlight) {
  const { $ } = Spotlight;

  Object.assign(Spotlight.TrainingPanel.prototype, {
    generate() {
      const index = this.shownIndex();
      if (index < 0) return;
      const view = this.viewOf(index);
      const count = Number($('gen-count').value);
      const temperature = Number($('gen-temperature').value);
      if (!Number.isInteger(count) || count < 1 || count > 50) {
        this.say(`The number of words must be a whole number from 1 to 50; got "${$('gen-count').value}".`);
        return;
      }
      if (!Number.isFinite(temperature) || temperature < 0 || temperature > 5) {
        this.say(`The temperature must be from 0 (always the likeliest word) to 5; got "${$('gen-temperature').value}".`);
        return;
      }
      const read = view.read($('gen-prompt').value);
      try {
        const ids = view.model.generate(read.ids, count, { temperature, topK: 0, seed: this.app.state.trainSeed });
        const all = Array.from(read.ids).concat(Array.from(ids));
        const tokens = all.map((id) => view.vocabulary[id]);
        const context = view.config.contextLength;
        const window = all.slice(Math.max(0, all.length - context));
        const shownTokens = tokens.slice(Math.max(0, all.length - context));
        const result = view.compute(Int32Array.from(window), view.config.numLayers - 1, { trace: false });
        this.generated = { prompt: read.tokens, words: Array.from(ids, (id) => view.vocabulary[id]), tokens: shownTokens, result,
          first: shownTokens.length - ids.length, step: this.snapshots[index].step };
        this.renderGenerated(this.generated.first);
        this.say(read.unknown.length ? `Read as <unk>: ${read.unknown.slice(0, 8).map((w) => `"${w}"`).join(', ')}.` : '', 'info');
      } catch (error) {
        this.say(`Could not generate: ${error.message}`);
      }
    },

    renderGenerated(selected) {
      const g = this.generated;
      const box = $('gen-output');
      box.textContent = '';
      const line = document.createElement('p');
      line.className = 'gen-line';
      g.tokens.forEach((token, i) => {
        const item = document.createElement(i >= g.first ? 'button' : 'span');
        item.textContent = token;
        item.className = i >= g.first ? `gen-word${i === selected ? ' selected' : ''}` : 'gen-prompt';
        if (i >= g.first) {
          item.type = 'button';
          item.addEventListener('click', () => this.renderGenerated(i));
        }
        line.append(item, document.createTextNode(' '));
      });
      box.appendChild(line);
      const { result } = g;
      const layer = result.layers - 1;
      const n = result.n;
      const caption = document.createElement('p');
      caption.className = 'help';
      caption.textContent = `Where "${g.tokens[selected]}" looked when it was chosen (the row of the word before it would be the ` +
        `prediction's; shown: its own row), layer ${layer}, every head, at step ${g.step}:`;
      box.appendChild(caption);
      const list = document.createElement('div');
      list.className = 'gen-heads';
      result.weights.forEach((weights, h) => {
        const row = weights.subarray(selected * n, (selected + 1) * n);
        let best = 0;
        for (let j = 1; j < n; j += 1) if (row[j] > row[best]) best = j;
        const p = document.createElement('p');
        p.textContent = `head ${layer}.${h}: most on "${g.tokens[best]}" (${row[best].toFixed(2)})`;
        list.appendChild(p);
      });
      box.appendChild(list);
    },
  });
}(window.Spotlight));
