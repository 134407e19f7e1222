// "Train it yourself": the panel that trains a TinyTransformer in a Web Worker (training-worker.js)
// and shows it learning - the loss, each head's detector scores over the steps, the heads of the
// current sentence redrawn at each snapshot, a slider back through the snapshots, generation,
// and saving and opening model files. The main thread only draws and, when a view needs the
// model itself, loads a snapshot's checkpoint: the training never runs here.
'use strict';
(function trainingModule(Spotlight) {
  const { TRAINING_TASKS: TASKS, trainingDefaults } = Spotlight.settings;
  const $ = (id) => document.getElementById(id);
  const MAX_SNAPSHOTS = 200;
  const MAX_OWN_TEXT = 2000000;  // characters of own text (a .txt file of about 2 MB)
  const MAX_FILE_BYTES = 64 * 1024 * 1024;
  const DRAW_INTERVAL_MS = 250;  // charts are redrawn at most 4 times a second
  const DETECTORS = [
    { id: 'coreference', label: 'coreference (it → its noun)' },
    { id: 'agreement', label: 'agreement (verb → subject)' },
    { id: 'relative_clause', label: 'relative clause (verb → head noun)' },
    { id: 'induction', label: 'induction (attends after an earlier copy)' },
    { id: 'previousToken', label: 'previous token' },
    { id: 'firstToken', label: 'first token (attention sink)' },
  ];
  const LAYER_DASHES = ['', '6 3', '2 2', '8 2 2 2'];

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
    }

    // ---- the run -------------------------------------------------------------------------------

    // The run's description for the worker, or null (with a message) when the settings are wrong.
    describeRun() {
      if (this.saveSettings().length > 0) return null;
      const s = this.app.state;
      const task = s.trainTask;
      const preset = TASKS[task];
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
    }

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
    }

    readWith(vocabulary, text, contextLength) {
      const words = this.module.splitWords(Spotlight.wellFormed(text), true).slice(0, contextLength - 1);
      return Int32Array.from([1].concat(Array.from(this.module.encode(vocabulary, words))));
    }

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
    }

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
    }

    pause() {
      if (this.status !== 'running' || !this.worker) return;
      this.worker.postMessage({ type: 'pause' });
    }

    resume() {
      if (this.status !== 'paused' || !this.worker) return;
      this.worker.postMessage({ type: 'resume' });
    }

    reset() {
      this.stopWorker();
      this.clearRun();
      this.status = 'idle';
      this.say('');
      this.app.setYourModel(null);
      this.updateStatus();
      this.drawCharts(true);
      this.renderHeads();
    }

    stopWorker() {
      if (this.worker) this.worker.terminate();
      this.worker = null;
    }

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
    }

    failed(message) {
      this.status = 'failed';
      this.stopWorker();
      this.say(`Training stopped: ${message}`);
      this.updateStatus();
    }

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
          this.say(`Training ${message.parameters.toLocaleString('en')} parameters on ${TASKS[this.run.task].label}` +
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
    }

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
    }

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
    }

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
    }

    // ---- drawing -------------------------------------------------------------------------------

    scheduleDraw(now) {
      const wait = now ? 0 : Math.max(0, DRAW_INTERVAL_MS - (performance.now() - this.lastDraw));
      if (this.drawTimer) return;
      this.drawTimer = setTimeout(() => {
        this.drawTimer = 0;
        this.lastDraw = performance.now();
        this.drawCharts(false);
      }, wait);
    }

    shownSnapshot() {
      if (this.snapshots.length === 0) return null;
      return this.snapshots[this.shown === -1 ? this.snapshots.length - 1 : this.shown];
    }

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
    }

    // ---- snapshots -----------------------------------------------------------------------------

    scrub(index) {
      this.shown = index >= this.snapshots.length - 1 && this.status === 'running' ? -1 : index;
      this.showSnapshot(index);
      this.drawCharts(true);
    }

    showSnapshot(index) {
      const snapshot = this.snapshots[index];
      if (!snapshot) return;
      $('train-scrub-label').textContent = `showing step ${snapshot.step.toLocaleString('en')}` +
        `${this.shown === -1 ? ' (the latest)' : ''}, ${(snapshot.elapsedMs / 1000).toFixed(1)} s into training`;
      if (this.app.isShowing('yours')) this.app.setYourModel(this.viewOf(index));
    }

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
    }

    shownIndex() {
      return this.shown === -1 ? this.snapshots.length - 1 : this.shown;
    }

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
    }

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
    }

    namedScores(scores, k) {
      const named = {};
      for (const d of DETECTORS) if (scores[d.id]) named[d.id === 'previousToken' ? 'previous token' : d.id === 'firstToken' ? 'first token' : d.id.replace('_', ' ')] = scores[d.id][k];
      return named;
    }

    // ---- generation, saving, opening ----------------------------------------------------------------

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
    }

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
    }

    save() {
      const snapshot = this.shownSnapshot();
      if (!snapshot) return;
      const name = `spotlight-${this.run.task}-step-${snapshot.step}.spotlight`;
      Spotlight.exports.download(name, new Blob([snapshot.bytes], { type: 'application/octet-stream' }));
      this.say(`Saved "${name}" (${snapshot.bytes.length.toLocaleString('en')} bytes). Open it back with "Open a model file".`, 'info');
    }

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
    }

    // A snapshot's checkpoint (a copy), for tests and for saving.
    snapshotBytes(index) {
      const snapshot = this.snapshots[index];
      return snapshot ? snapshot.bytes.slice() : null;
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
}(window.Spotlight));
