// The training panel's charts and snapshots: the loss and each head's score over the steps, the
// slider back through the snapshots, and the heads of the probe sequence at the snapshot shown.
'use strict';
(function trainingSnapshotsModule(Spotlight) {
  const { $ } = Spotlight;
  const DETECTORS = Spotlight.TRAINING_DETECTORS;
  const DRAW_INTERVAL_MS = 250;  // charts are redrawn at most 4 times a second
  const LAYER_DASHES = ['', '6 3', '2 2', '8 2 2 2'];

  Object.assign(Spotlight.TrainingPanel.prototype, {
    // ---- drawing -------------------------------------------------------------------------------

    scheduleDraw(now) {
      const wait = now ? 0 : Math.max(0, DRAW_INTERVAL_MS - (performance.now() - this.lastDraw));
      if (this.drawTimer) return;
      this.drawTimer = setTimeout(() => {
        this.drawTimer = 0;
        this.lastDraw = performance.now();
        this.drawCharts(false);
      }, wait);
    },

    shownSnapshot() {
      if (this.snapshots.length === 0) return null;
      return this.snapshots[this.shown === -1 ? this.snapshots.length - 1 : this.shown];
    },

    drawCharts() {
      const shown = this.shownSnapshot();
      const marker = shown && this.shown !== -1 ? shown.step : undefined;
      const steps = this.run ? this.run.steps : 1;
      Spotlight.trainingCharts.draw($('train-loss'), [{ label: 'loss', colour: '#3b528b', points: Spotlight.trainingCharts.thin(this.losses, 400) }],
        { title: 'Training loss (next-token cross-entropy)', xLabel: 'step', yLabel: 'loss', yMin: 0, xMax: steps, marker });
      const detector = $('train-detector').value;
      const series = [];
      if (this.snapshots.length && this.modelConfig) {
        const { numLayers, numHeads } = this.modelConfig;
        for (let l = 0; l < numLayers; l += 1) {
          for (let h = 0; h < numHeads; h += 1) {
            const k = l * numHeads + h;
            series.push({ label: `${l}.${h}`, colour: Spotlight.colormap.headColour(h), dash: LAYER_DASHES[l % LAYER_DASHES.length],
              points: this.snapshots.filter((s) => s.scores[detector]).map((s) => [s.step, s.scores[detector][k]]) });
          }
        }
      }
      const name = DETECTORS.find((d) => d.id === detector).label;
      const available = series.some((s) => s.points.length > 0);
      $('train-scores-note').hidden = available || this.snapshots.length === 0;
      $('train-scores-note').textContent = available ? '' : `This task has no "${name}" score; pick another detector.`;
      Spotlight.trainingCharts.draw($('train-scores'), series, { title: `Each head's score: ${name.replace(/ \(.*\)$/, '')}, held-out`,
        xLabel: 'step', yLabel: 'score', yMin: 0, yMax: 1, xMax: steps, marker });
      Spotlight.trainingCharts.legend($('train-legend'), series);
      this.renderHeads();
    },

    // ---- snapshots -----------------------------------------------------------------------------

    scrub(index) {
      this.shown = index >= this.snapshots.length - 1 && this.status === 'running' ? -1 : index;
      this.showSnapshot(index);
      this.drawCharts(true);
    },

    showSnapshot(index) {
      const snapshot = this.snapshots[index];
      if (!snapshot) return;
      $('train-scrub-label').textContent = `showing step ${snapshot.step.toLocaleString('en')}` +
        `${this.shown === -1 ? ' (the latest)' : ''}, ${(snapshot.elapsedMs / 1000).toFixed(1)} s into training`;
      if (this.app.isShowing('yours')) this.app.setYourModel(this.viewOf(index));
    },

    // A ModelView of a snapshot, loaded from its checkpoint on demand (the last one is cached).
    viewOf(index) {
      if (this.loadedView && this.loadedView.index === index && this.loadedView.step === this.snapshots[index].step) return this.loadedView.view;
      if (this.loadedView) this.loadedView.view.delete();
      const snapshot = this.snapshots[index];
      const model = this.module.TinyTransformer.load(snapshot.bytes);
      const view = new Spotlight.ModelView(this.module, model, Object.assign(JSON.parse(model.metadata || '{}'), { trainedHere: true }));
      view.labels = this.labelsOf(snapshot.scores, model.config);
      this.loadedView = { index, step: snapshot.step, view };
      return view;
    },

    shownIndex() {
      return this.shown === -1 ? this.snapshots.length - 1 : this.shown;
    },

    // Every head of the probe sequence at the shown snapshot.
    renderHeads() {
      const box = $('train-grid');
      box.textContent = '';
      const snapshot = this.shownSnapshot();
      if (!snapshot || !snapshot.probe || !this.run) return;
      const [layers, heads, n] = snapshot.probe.shape;
      const vocabulary = this.run.probeVocabulary || this.vocabulary || [];
      const labels = Array.from(this.run.probe, (id) => vocabulary[id] || String(id));
      for (let l = 0; l < layers; l += 1) {
        const row = document.createElement('div');
        row.className = 'grid-row';
        row.appendChild(Object.assign(document.createElement('span'), { className: 'grid-layer', textContent: `layer ${l}` }));
        for (let h = 0; h < heads; h += 1) {
          const figure = document.createElement('figure');
          figure.className = 'train-head';
          const canvas = document.createElement('canvas');
          const caption = document.createElement('figcaption');
          caption.textContent = `${l}.${h}: ${Spotlight.describeScores(this.namedScores(snapshot.scores, l * heads + h))}`;
          figure.append(canvas, caption);
          row.appendChild(figure);
          const start = (l * heads + h) * n * n;
          new Spotlight.Heatmap(canvas, { labels: false, fixedSize: 110 }).draw(snapshot.probe.data.subarray(start, start + n * n), labels, labels);
        }
        box.appendChild(row);
      }
      $('train-probe').textContent = `The sequence drawn: ${labels.join(' ')}`;
    },

    // ModelView's head labels from a snapshot's scores.
    labelsOf(scores, config) {
      const labels = [];
      for (let l = 0; l < config.numLayers; l += 1) {
        for (let h = 0; h < config.numHeads; h += 1) {
          const named = this.namedScores(scores, l * config.numHeads + h);
          labels.push({ layer: l, head: h, scores: named, label: Spotlight.describeScores(named) });
        }
      }
      return labels;
    },

    namedScores(scores, k) {
      const named = {};
      for (const d of DETECTORS) if (scores[d.id]) named[d.id === 'previousToken' ? 'previous token' : d.id === 'firstToken' ? 'first token' : d.id.replace('_', ' ')] = scores[d.id][k];
      return named;
    },
  });
}(window.Spotlight));
