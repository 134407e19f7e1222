// "Train it yourself": the panel that trains a TinyTransformer in a Web Worker (training-worker.js)
// and shows it learning - the loss, each head's detector scores over the steps, the heads of the
// current sentence redrawn at each snapshot, a slider back through the snapshots, generation,
// and saving and opening model files. The main thread only draws and, when a view needs the
// model itself, loads a snapshot's checkpoint: the training never runs here.
//
// This file holds the panel's state and its settings controls; each of training-run.js,
// training-snapshots.js, training-generate.js and training-files.js adds the methods of one
// concern to TrainingPanel.prototype (classic scripts: a class cannot span files otherwise).
// The tasks and their default settings are in settings.js (TRAINING_TASKS).
'use strict';
(function trainingPanelModule(Spotlight) {
  const { trainingDefaults } = Spotlight.settings;
  const { $ } = Spotlight;
  const DETECTORS = [
    { id: 'coreference', label: 'coreference (it → its noun)' },
    { id: 'agreement', label: 'agreement (verb → subject)' },
    { id: 'relative_clause', label: 'relative clause (verb → head noun)' },
    { id: 'induction', label: 'induction (attends after an earlier copy)' },
    { id: 'previousToken', label: 'previous token' },
    { id: 'firstToken', label: 'first token (attention sink)' },
  ];
  const LIMITS = { layers: [1, 4], heads: [1, 8], dModel: [8, 256], batch: [1, 256], steps: [1, 100000],
    learningRate: [1e-5, 0.1], seed: [0, 2147483647] };

  class TrainingPanel {
    constructor(module, app) {
      this.module = module;
      this.app = app;
      this.worker = null;
      this.workerUrl = null;
      this.status = 'idle';     // idle | starting | running | paused | done | failed
      this.run = null;
      this.losses = [];         // [step, loss]
      this.snapshots = [];      // {step, elapsedMs, scores, probe, bytes}
      this.shown = -1;          // index of the snapshot the views show; -1: follow the latest
      this.lastDraw = 0;
      this.drawTimer = 0;
      this.ownText = '';
      this.events = [];         // for tests and the report: [{type, step, elapsedMs, at}]
      this.barMetAt = null;     // when every workshop relation first passed 95% on held-out data
      this.inductionAt = null;  // when an induction head first scored 0.5
      this.generated = null;
      this.loadedView = null;   // {index, view}: the ModelView of a snapshot, cached
      this.bind();
      this.applyTask(this.app.state.trainTask || 'workshop', false);
    }

    // ---- controls --------------------------------------------------------------------------

    bind() {
      const options = (select, entries) => {
        select.textContent = '';
        for (const [value, label] of entries) {
          const option = document.createElement('option');
          option.value = String(value);
          option.textContent = label;
          select.appendChild(option);
        }
      };
      options($('train-task'), [['workshop', 'the workshop corpus (its three relations)'],
        ['induction', 'induction (repeated random sequences)'], ['text', 'your own text']]);
      options($('train-layers'), [1, 2, 3, 4].map((v) => [v, String(v)]));
      options($('train-heads'), [1, 2, 4, 8].map((v) => [v, String(v)]));
      options($('train-dmodel'), [16, 32, 64, 128].map((v) => [v, String(v)]));
      options($('train-speed'), [[0, 'full speed'], [100, 'slow: 10 steps a second'], [500, 'very slow: 2 steps a second']]);
      options($('train-detector'), DETECTORS.map((d) => [d.id, d.label]));
      $('train-task').addEventListener('change', () => this.applyTask($('train-task').value, true));
      for (const id of ['train-layers', 'train-heads', 'train-dmodel', 'train-mlp', 'train-lr', 'train-batch', 'train-steps', 'train-seed']) {
        $(id).addEventListener('change', () => this.saveSettings());
      }
      $('train-speed').addEventListener('change', () => {
        if (this.worker) this.worker.postMessage({ type: 'speed', delayMs: Number($('train-speed').value) });
      });
      $('train-start').addEventListener('click', () => this.start());
      $('train-pause').addEventListener('click', () => (this.status === 'paused' ? this.resume() : this.pause()));
      $('train-reset').addEventListener('click', () => this.reset());
      $('train-scrub').addEventListener('input', () => this.scrub(Number($('train-scrub').value)));
      $('train-detector').addEventListener('change', () => this.drawCharts(true));
      $('train-own-text').addEventListener('input', () => { this.ownText = $('train-own-text').value; });
      $('train-file').addEventListener('change', () => this.openTextFile($('train-file').files[0]));
      $('gen-run').addEventListener('click', () => this.generate());
      $('train-save').addEventListener('click', () => this.save());
      $('model-open').addEventListener('change', () => this.openModelFile($('model-open').files[0]));
      $('train-show').addEventListener('click', () => this.app.showYours());
    }

    // The task's settings into the controls (from the link's, when they were given).
    applyTask(task, reset) {
      const state = this.app.state;
      if (reset || state.trainTask !== task) Object.assign(state, trainingDefaults(task));
      $('train-task').value = state.trainTask;
      $('train-layers').value = String(state.trainLayers);
      $('train-heads').value = String(state.trainHeads);
      $('train-dmodel').value = String(state.trainDModel);
      $('train-mlp').checked = state.trainMlp;
      $('train-lr').value = String(state.trainLearningRate);
      $('train-batch').value = String(state.trainBatch);
      $('train-steps').value = String(state.trainSteps);
      $('train-seed').value = String(state.trainSeed);
      $('train-own').hidden = state.trainTask !== 'text';
      $('train-detector').value = state.trainTask === 'workshop' ? 'coreference' : state.trainTask === 'induction' ? 'induction' : 'previousToken';
      if (reset) this.app.settingsChanged();
    }

    // Reads the controls into the state; returns the problems (named with the values seen).
    saveSettings() {
      const state = this.app.state;
      const problems = [];
      const read = (id, key, limits, integer) => {
        const raw = $(id).value.trim();
        const value = Number(raw);
        if (raw === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < limits[0] || value > limits[1]) {
          problems.push(`${$(id).dataset.name} must be ${integer ? 'a whole number' : 'a number'} from ${limits[0]} to ${limits[1]}; got "${raw.slice(0, 20)}"`);
          return;
        }
        state[key] = value;
      };
      state.trainLayers = Number($('train-layers').value);
      state.trainHeads = Number($('train-heads').value);
      state.trainDModel = Number($('train-dmodel').value);
      state.trainMlp = $('train-mlp').checked;
      read('train-lr', 'trainLearningRate', LIMITS.learningRate, false);
      read('train-batch', 'trainBatch', LIMITS.batch, true);
      read('train-steps', 'trainSteps', LIMITS.steps, true);
      read('train-seed', 'trainSeed', LIMITS.seed, true);
      if (state.trainDModel % state.trainHeads !== 0) problems.push(`${state.trainHeads} heads do not divide d_model ${state.trainDModel}`);
      this.say(problems.length ? problems.join('. ') + '.' : '');
      this.app.settingsChanged();
      return problems;
    }

    say(text, kind = 'problem') {
      const box = $('train-messages');
      box.textContent = text;
      box.dataset.kind = kind;
    }

    // For tests and the report.
    summary() {
      return {
        status: this.status, task: this.run ? this.run.task : null, steps: this.run ? this.run.steps : 0,
        step: this.latest ? this.latest.step : 0, losses: this.losses.map((p) => p[1]),
        snapshots: this.snapshots.map((s) => ({ step: s.step, elapsedMs: s.elapsedMs, scores: s.scores })),
        shown: this.shownIndex(), barMetAt: this.barMetAt, inductionAt: this.inductionAt, report: this.report || null,
        doneMs: this.doneMs || null, messages: $('train-messages').textContent,
        generated: this.generated ? { words: this.generated.words.slice(), tokens: this.generated.tokens.slice() } : null,
        probe: this.shownSnapshot() && this.shownSnapshot().probe
          ? { shape: this.shownSnapshot().probe.shape.slice(), data: Array.from(this.shownSnapshot().probe.data) } : null,
      };
    }
  }

  Spotlight.TrainingPanel = TrainingPanel;
  Spotlight.TRAINING_DETECTORS = DETECTORS;
}(window.Spotlight));
