// The training panel's run: the settings turned into a run for the worker (training-worker.js),
// the worker made from source and driven (start, pause, resume, reset), and its messages
// received into the losses, the snapshots and the status line.
'use strict';
(function trainingRunModule(Spotlight) {
  const { TRAINING_TASKS } = Spotlight.settings;
  const { $ } = Spotlight;
  const MAX_SNAPSHOTS = 200;

  Object.assign(Spotlight.TrainingPanel.prototype, {
    // The run's description for the worker, or null (with a message) when the settings are wrong.
    describeRun() {
      if (this.saveSettings().length > 0) return null;
      const s = this.app.state;
      const task = s.trainTask;
      const preset = TRAINING_TASKS[task];
      const recipe = this.module.recipes()[task];
      const config = Object.assign({}, recipe.config, { numLayers: s.trainLayers, numHeads: s.trainHeads, embedDim: s.trainDModel,
        mlp: s.trainMlp, seed: s.trainSeed });
      if (preset.contextLength) config.contextLength = preset.contextLength;
      const run = { task, config, steps: s.trainSteps, snapshotEvery: Math.max(preset.snapshotEvery, Math.ceil(s.trainSteps / MAX_SNAPSHOTS)),
        dataSeed: recipe.training.dataSeed, trainSentences: recipe.trainSequences, evalSentences: 200,
        delayMs: Number($('train-speed').value),
        options: { batch: s.trainBatch, learningRate: s.trainLearningRate, totalSteps: s.trainSteps,
          warmupSteps: Math.min(recipe.training.warmupSteps, Math.floor(s.trainSteps / 10)) } };
      if (task === 'induction') {
        Object.assign(run, { symbols: preset.symbols, shortestPeriod: preset.shortestPeriod, longestPeriod: preset.longestPeriod,
          trainSentences: 20000, evalSentences: 64 });
        config.vocabSize = preset.symbols + 2;
        config.contextLength = 2 * preset.longestPeriod + 1;
      }
      if (task === 'text') {
        const characters = $('train-tokens').value === 'char';
        const text = Spotlight.wellFormed(this.ownText);
        const tokens = characters ? this.module.splitCharacters(text, false) : this.module.splitWords(text, true);
        if (tokens.length < 2 * config.contextLength) {
          this.say(`Your text has ${tokens.length.toLocaleString('en')} ${characters ? 'characters' : 'words'}; training needs at least ` +
            `${2 * config.contextLength} (twice the context of ${config.contextLength}). Paste more, or open a .txt file.`);
          return null;
        }
        const vocabulary = this.module.buildVocabulary(tokens, recipe.textVocabulary);
        config.vocabSize = vocabulary.length;
        Object.assign(run, { tokens, vocabulary, characters });
      }
      run.probe = this.probeFor(run);
      return run;
    },

    // The sequence whose heads the panel redraws at each snapshot: the page's sentence for the
    // workshop, a repeated sequence for induction, the start of the text for own text.
    probeFor(run) {
      if (run.task === 'workshop') {
        const vocabulary = this.module.workshopCorpus({ trainSentences: 0, evalSentences: 0 }).vocabulary;
        return this.readWith(vocabulary, this.app.state.text, run.config.contextLength);
      }
      if (run.task === 'induction') {
        const corpus = this.module.inductionCorpus({ seed: 99, count: 1, symbols: run.symbols, shortestPeriod: run.longestPeriod,
          longestPeriod: run.longestPeriod });
        run.probeVocabulary = corpus.vocabulary;
        return corpus.sequences[0];
      }
      const ids = this.module.encode(run.vocabulary, run.tokens.slice(0, run.config.contextLength - 1));
      return Int32Array.from([1].concat(Array.from(ids)));
    },

    readWith(vocabulary, text, contextLength) {
      const words = this.module.splitWords(Spotlight.wellFormed(text), true).slice(0, contextLength - 1);
      return Int32Array.from([1].concat(Array.from(this.module.encode(vocabulary, words))));
    },

    makeWorker() {
      if (typeof window.createAttentionModule !== 'function' || typeof Spotlight.trainingWorkerMain !== 'function') {
        throw new Error('the module or the training worker is missing');
      }
      // The module's factory refers to its wrapper's _scriptDir. The Blob (about 900 KB, the
      // wasm included) is made once and reused by every run.
      if (!this.workerUrl) {
        const source = `var _scriptDir;\nvar createAttentionModule = (${window.createAttentionModule.toString()});\n` +
          `(${Spotlight.trainingWorkerMain.toString()})(self, createAttentionModule);\n`;
        this.workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      }
      const worker = new Worker(this.workerUrl);
      worker.onmessage = (event) => this.receive(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.failed(`the training worker failed: ${event.message || 'unknown error'}`);
      };
      return worker;
    },

    start() {
      let run;
      try {
        run = this.describeRun();
      } catch (error) {
        this.say(`Could not prepare the training: ${error.message}`);
        return;
      }
      if (!run) return;
      this.stopWorker();
      this.clearRun();
      this.run = run;
      this.status = 'starting';
      this.startedAt = performance.now();
      try {
        this.worker = this.makeWorker();
      } catch (error) {
        this.failed(error.message);
        return;
      }
      this.pendingRun = run;
      this.say('Starting: the worker compiles the module and builds the corpus…', 'info');
      this.updateStatus();
    },

    pause() {
      if (this.status !== 'running' || !this.worker) return;
      this.worker.postMessage({ type: 'pause' });
    },

    resume() {
      if (this.status !== 'paused' || !this.worker) return;
      this.worker.postMessage({ type: 'resume' });
    },

    reset() {
      this.stopWorker();
      this.clearRun();
      this.status = 'idle';
      this.say('');
      this.app.setYourModel(null);
      this.updateStatus();
      this.drawCharts(true);
      this.renderHeads();
    },

    stopWorker() {
      if (this.worker) this.worker.terminate();
      this.worker = null;
    },

    clearRun() {
      this.app.setYourModel(null);
      if (this.loadedView) this.loadedView.view.delete();
      this.losses = [];
      this.snapshots = [];
      this.shown = -1;
      this.events = [];
      this.barMetAt = null;
      this.inductionAt = null;
      this.loadedView = null;
      this.report = null;
      this.generated = null;
      $('gen-output').textContent = '';
    },

    failed(message) {
      this.status = 'failed';
      this.stopWorker();
      this.say(`Training stopped: ${message}`);
      this.updateStatus();
    },

    receive(message) {
      const at = performance.now() - this.startedAt;
      this.events.push({ type: message.type, step: message.step, elapsedMs: message.elapsedMs, at });
      if (this.events.length > 5000) this.events.splice(0, this.events.length - 5000);
      switch (message.type) {
        case 'ready':
          this.worker.postMessage({ type: 'start', run: this.pendingRun });
          break;
        case 'started':
          this.status = 'running';
          this.modelConfig = message.config;
          this.vocabulary = message.vocabulary;
          this.say(`Training ${message.parameters.toLocaleString('en')} parameters on ${TRAINING_TASKS[this.run.task].label}` +
            ` (${message.sequences.toLocaleString('en')} sequences) in a Web Worker.`, 'info');
          break;
        case 'progress':
          message.losses.forEach((loss, i) => this.losses.push([message.step - message.losses.length + i + 1, loss]));
          this.latest = message;
          break;
        case 'snapshot':
          this.addSnapshot(message);
          break;
        case 'paused':
          this.status = 'paused';
          break;
        case 'resumed':
          this.status = 'running';
          break;
        case 'done':
          this.status = 'done';
          this.report = message.report;
          this.doneMs = message.elapsedMs;
          this.say(this.describeDone(message), 'info');
          break;
        case 'error':
          this.failed(message.message);
          return;
        default:
          break;
      }
      this.updateStatus();
      this.scheduleDraw(message.type !== 'progress');
    },

    addSnapshot(message) {
      this.snapshots.push(message);
      if (this.snapshots.length > MAX_SNAPSHOTS) this.snapshots.splice(1, 1);  // keep the first
      const scores = message.scores;
      const best = (name) => (scores[name] ? Math.max(...scores[name]) : 0);
      if (this.barMetAt === null && this.run.task === 'workshop' &&
          ['coreference', 'agreement', 'relative_clause'].every((name) => best(name) >= 0.95)) {
        this.barMetAt = { step: message.step, elapsedMs: message.elapsedMs };
      }
      if (this.inductionAt === null && this.run.task === 'induction' && scores.induction && best('induction') >= 0.5) {
        this.inductionAt = { step: message.step, elapsedMs: message.elapsedMs };
      }
      const slider = $('train-scrub');
      slider.max = String(this.snapshots.length - 1);
      slider.disabled = this.snapshots.length < 2;
      if (this.shown === -1) slider.value = slider.max;
      if (this.shown === -1) this.showSnapshot(this.snapshots.length - 1);
    },

    describeDone(message) {
      const seconds = (message.elapsedMs / 1000).toFixed(1);
      const parts = [`Done: ${message.step.toLocaleString('en')} steps in ${seconds} s.`];
      if (this.barMetAt) {
        parts.push(`Every workshop relation had a head at 95% or more on 200 held-out sentences from step ` +
          `${this.barMetAt.step} (${(this.barMetAt.elapsedMs / 1000).toFixed(1)} s).`);
      }
      if (message.report && message.report.relations) {
        parts.push(`Measured on 600 held-out and 600 novel sentences: ${message.report.relations.map((r) =>
          `${r.name.replace('_', ' ')} head ${r.layer}.${r.head} ${(100 * r.heldOutAccuracy).toFixed(0)}% / ${(100 * r.novelAccuracy).toFixed(0)}%`).join(', ')}` +
          ` - ${message.report.goalsMet ? 'the bar is met' : 'not yet the bar (95% held-out, 90% novel)'}.`);
      }
      if (this.inductionAt) {
        parts.push(`An induction head (score ≥ 0.5) formed by step ${this.inductionAt.step} (${(this.inductionAt.elapsedMs / 1000).toFixed(1)} s).`);
      }
      return parts.join(' ');
    },

    updateStatus() {
      const latest = this.latest;
      const status = $('train-status');
      const words = { idle: 'Not started.', starting: 'Starting…', running: 'Training', paused: 'Paused', done: 'Done', failed: 'Stopped' };
      let text = words[this.status];
      if (latest && this.status !== 'idle' && this.status !== 'starting') {
        const loss = this.losses.length ? this.losses[this.losses.length - 1][1] : NaN;
        text += ` - step ${latest.step.toLocaleString('en')} of ${this.run.steps.toLocaleString('en')}, loss ${loss.toFixed(3)}, ` +
          `${(latest.elapsedMs / 1000).toFixed(1)} s, ${(1000 / latest.stepMs).toFixed(0)} steps/s`;
      }
      status.textContent = text;
      status.dataset.status = this.status;
      $('train-start').textContent = this.status === 'idle' || this.status === 'failed' ? 'Start' : 'Start again';
      $('train-pause').disabled = !(this.status === 'running' || this.status === 'paused');
      $('train-pause').textContent = this.status === 'paused' ? 'Resume' : 'Pause';
      $('train-reset').disabled = this.status === 'idle';
      $('train-save').disabled = this.snapshots.length === 0;
      $('train-show').disabled = this.snapshots.length === 0 || this.run.task !== 'workshop';
      $('gen-run').disabled = this.snapshots.length === 0;
    },
  });
}(window.Spotlight));
