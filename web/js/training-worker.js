// The training loop, run in a Web Worker so the tab never freezes. From file:// a worker cannot
// load a script file (new Worker(url) and importScripts are refused), so training-run.js builds the
// worker from source: the module's own factory (createAttentionModule.toString()) and this
// function's text, in one Blob (../shared/TOOLCHAIN.md, "Workers from file://"). Nothing here may
// refer to the page's globals: the function runs in the worker, alone.
//
// Messages in:  {type: 'start', run}, {type: 'pause'}, {type: 'resume'}, {type: 'speed', delayMs}
// Messages out: {type: 'started', ...}, {type: 'progress', ...}, {type: 'snapshot', ...},
//               {type: 'done', ...}, {type: 'error', message}
'use strict';
(function trainingWorkerModule(Spotlight) {
  function trainingWorkerMain(scope, createModule) {
    'use strict';
    const CHUNK_MS = 40;  // steps are taken in chunks of about this long between messages
    let module = null;
    let job = null;

    function post(message, transfer) {
      scope.postMessage(message, transfer || []);
    }

    function fail(error) {
      post({ type: 'error', message: error && error.message ? error.message : String(error) });
      if (job) job.running = false;
    }

    // The held-out data the detectors score each snapshot on, drawn apart from the training data.
    function evaluationSet(run) {
      if (run.task === 'workshop') {
        const corpus = module.workshopCorpus({ seed: run.dataSeed, trainSentences: run.trainSentences, evalSentences: run.evalSentences });
        return { sequences: corpus.heldOut.map((s) => s.tokens), sentences: corpus.heldOut };
      }
      if (run.task === 'induction') {
        const corpus = module.inductionCorpus({ seed: run.dataSeed + 1000003, count: run.evalSentences, symbols: run.symbols,
          shortestPeriod: run.shortestPeriod, longestPeriod: run.longestPeriod });
        return { sequences: corpus.sequences, sentences: null };
      }
      // Own text: windows of the context's length, taken evenly from the text.
      const sequences = [];
      const ids = run.textIds;
      const length = Math.min(run.config.contextLength, ids.length);
      const count = Math.min(run.evalSentences, Math.max(1, ids.length - length + 1));
      const stride = Math.max(1, Math.floor((ids.length - length) / count));
      for (let s = 0; s < count; s += 1) sequences.push(ids.slice(s * stride, s * stride + length));
      return { sequences, sentences: null };
    }

    // What the detectors find in every head now (layer-major arrays).
    function measure() {
      const heads = module.scoreModelHeads(job.model, job.evaluation.sequences);
      const scores = { previousToken: Array.from(heads.previousToken), firstToken: Array.from(heads.firstToken) };
      if (heads.inductionQueries > 0) scores.induction = Array.from(heads.induction);
      if (job.evaluation.sentences) {
        for (const relation of module.scoreModelRelations(job.model, job.evaluation.sentences)) {
          scores[relation.name] = Array.from(relation.accuracy);
        }
      }
      return scores;
    }

    function snapshot() {
      const started = Date.now();
      const scores = measure();
      const probe = job.probe && job.probe.length > 0 ? job.model.forward(job.probe).attention : null;
      const bytes = job.model.save({ vocabulary: job.vocabulary, tokenizer: job.tokenizer, metadata: JSON.stringify(job.metadata()) });
      post({ type: 'snapshot', step: job.trainer.stepsDone, elapsedMs: job.elapsed(), scores, probe, bytes,
        measureMs: Date.now() - started }, [bytes.buffer]);
    }

    function start(run) {
      if (job) {
        job.running = false;
        job.model.delete();
        job.trainer.delete();
      }
      const model = new module.TinyTransformer(run.config);
      let trainer;
      try {
        const data = run.task === 'text' ? { task: 'text', tokens: run.tokens, vocabulary: run.vocabulary }
          : run.task === 'induction' ? { task: 'induction', seed: run.dataSeed, count: run.trainSentences, symbols: run.symbols,
            shortestPeriod: run.shortestPeriod, longestPeriod: run.longestPeriod }
            : { task: 'workshop', seed: run.dataSeed, trainSentences: run.trainSentences };
        trainer = new module.Trainer(data, run.options);
      } catch (error) {
        model.delete();
        throw error;
      }
      const vocabulary = run.task === 'text' ? run.vocabulary
        : run.task === 'induction' ? module.inductionCorpus({ count: 1, symbols: run.symbols, shortestPeriod: run.shortestPeriod,
          longestPeriod: run.longestPeriod }).vocabulary
          : module.workshopCorpus({ trainSentences: 0, evalSentences: 0 }).vocabulary;
      let trainedMs = 0;
      let since = Date.now();
      job = {
        model, trainer, run, vocabulary, running: true, delayMs: run.delayMs || 0, probe: run.probe,
        tokenizer: run.task === 'text' && run.characters ? 'char' : 'word',
        elapsed: () => trainedMs + (job.running ? Date.now() - since : 0),
        pause: () => { trainedMs += Date.now() - since; },
        resume: () => { since = Date.now(); },
        metadata: () => ({ task: run.task, steps: trainer.stepsDone, batch: run.options.batch,
          peakLearningRate: run.options.learningRate, seed: run.config.seed, dataSeed: run.dataSeed,
          trainSentences: run.trainSentences, trainedInPage: true }),
      };
      if (run.task === 'text') job.run.textIds = module.encode(run.vocabulary, run.tokens);
      if (run.task === 'text') job.run.textIds = Int32Array.from([1].concat(Array.from(job.run.textIds)));
      job.evaluation = evaluationSet(run);
      post({ type: 'started', config: model.config, vocabulary, parameters: model.parameterTable().reduce((n, p) => n + p.rows * p.cols, 0),
        sequences: trainer.sequenceCount });
      snapshot();
      scope.setTimeout(loop, 0);
    }

    // Steps in chunks: each chunk about CHUNK_MS long (or one step when slowed down), then a
    // progress message, a snapshot every snapshotEvery steps, and a turn of the event loop so
    // that pause and speed messages get in.
    function loop() {
      if (!job || !job.running) return;
      const { run, trainer, model } = job;
      try {
        const remaining = run.steps - trainer.stepsDone;
        if (remaining <= 0) {
          finish();
          return;
        }
        const untilSnapshot = run.snapshotEvery - (trainer.stepsDone % run.snapshotEvery);
        let count = job.delayMs > 0 ? 1 : Math.max(1, Math.round(CHUNK_MS / (job.stepMs || 20)));
        count = Math.min(count, remaining, untilSnapshot);
        const started = Date.now();
        const losses = trainer.steps(model, count);
        job.stepMs = Math.max(0.5, (Date.now() - started) / count);
        post({ type: 'progress', step: trainer.stepsDone, losses: Array.from(losses), learningRate: trainer.learningRate,
          elapsedMs: job.elapsed(), stepMs: job.stepMs });
        if (trainer.stepsDone % run.snapshotEvery === 0 || trainer.stepsDone === run.steps) snapshot();
      } catch (error) {
        fail(error);
        return;
      }
      scope.setTimeout(loop, job.delayMs);
    }

    function finish() {
      job.running = false;
      job.pause();
      let report = null;
      if (job.run.task === 'workshop' && job.run.config.vocabSize === 96) {
        try {
          const r = module.workshopReport(job.model, { seed: job.run.dataSeed, trainSentences: job.run.trainSentences });
          report = { goalsMet: r.goalsMet, heldOutLoss: r.heldOutLoss, relations: r.relations };
        } catch (error) {
          report = { error: error.message };
        }
      }
      post({ type: 'done', step: job.trainer.stepsDone, elapsedMs: job.elapsed(), report });
    }

    scope.onmessage = (event) => {
      const message = event.data || {};
      try {
        if (message.type === 'start') {
          start(message.run);
        } else if (message.type === 'pause' && job && job.running) {
          job.running = false;
          job.pause();
          post({ type: 'paused', step: job.trainer.stepsDone, elapsedMs: job.elapsed() });
        } else if (message.type === 'resume' && job && !job.running && job.trainer.stepsDone < job.run.steps) {
          job.running = true;
          job.resume();
          post({ type: 'resumed', step: job.trainer.stepsDone });
          scope.setTimeout(loop, 0);
        } else if (message.type === 'speed' && job) {
          job.delayMs = Math.max(0, Number(message.delayMs) || 0);
        } else if (message.type === 'probe' && job) {
          job.probe = message.probe;
        }
      } catch (error) {
        fail(error);
      }
    };

    createModule().then((loaded) => {
      module = loaded;
      post({ type: 'ready' });
    }, fail);
  }

  Spotlight.trainingWorkerMain = trainingWorkerMain;
}(window.Spotlight));
