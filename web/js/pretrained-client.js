// The page's side of a GPT-2-family model: a worker (pretrained-worker.js) that holds it, asked
// through promises, and the model as the views see it (PretrainedView: its shape, its head labels,
// the result of a text in the shape the views draw). Every number comes from the module in the
// worker; the main thread only draws.
'use strict';
(function pretrainedClientModule(Spotlight) {
  // The reduced maps of the all-heads grid: at most this many cells a side (the grid draws each
  // head 76 pixels wide), so a 1,024-token text sends 144 x 64 x 64 floats rather than 144 x 1M.
  const GRID_SIDE = 64;
  // The step-by-step view's trace is computed up to this many tokens (its matrices are drawn).
  const TRACE_TOKENS = 16;

  // The names of the files a checkpoint's folder holds that the module reads.
  const MODEL_FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'tokenizer.json'];

  let workerUrl = null;

  function makeWorker() {
    if (typeof window.createAttentionModule !== 'function' || typeof Spotlight.pretrainedWorkerMain !== 'function') {
      throw new Error('the module or the model worker is missing');
    }
    if (!workerUrl) {
      const source = `var _scriptDir;\nvar createAttentionModule = (${window.createAttentionModule.toString()});\n` +
        `(${Spotlight.pretrainedWorkerMain.toString()})(self, createAttentionModule);\n`;
      workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    }
    return new Worker(workerUrl);
  }

  class PretrainedClient {
    constructor() {
      this.worker = makeWorker();
      this.nextId = 1;
      this.waiting = new Map();  // id -> {resolve, reject, onProgress}
      this.failed = null;
      this.worker.onmessage = (event) => this.receive(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fail(new Error(`the model's worker stopped: ${event.message || 'an error without a message'}`));
      };
    }

    receive(message) {
      const entry = this.waiting.get(message.id);
      if (!entry) return;
      if (message.type === 'progress') {
        if (entry.onProgress) entry.onProgress(message);
        return;
      }
      this.waiting.delete(message.id);
      if (message.type === 'reply') entry.resolve(message.result);
      else entry.reject(new Error(message.message));
    }

    fail(error) {
      this.failed = error;
      for (const entry of this.waiting.values()) entry.reject(error);
      this.waiting.clear();
    }

    request(type, payload = {}, onProgress = null) {
      if (this.failed) return Promise.reject(this.failed);
      const id = this.nextId;
      this.nextId += 1;
      return new Promise((resolve, reject) => {
        this.waiting.set(id, { resolve, reject, onProgress });
        this.worker.postMessage(Object.assign({ id, type }, payload));
      });
    }

    terminate() {
      this.worker.terminate();
      this.fail(new Error('the model was closed'));
    }
  }

  // The files of a checkpoint from a list of Files (chosen, a folder's, or dropped): by name, the
  // ones the module reads. A folder may hold other files (pytorch_model.bin, ...): they are
  // skipped. Throws naming what is missing or doubled.
  function checkpointFiles(list) {
    const files = {};
    const skipped = [];
    for (const file of list) {
      if (!MODEL_FILES.includes(file.name)) {
        skipped.push(file.name);
      } else if (files[file.name]) {
        throw new Error(`two files are called ${file.name}: open one model's folder at a time`);
      } else {
        files[file.name] = file;
      }
    }
    const missing = ['config.json', 'model.safetensors'].filter((name) => !files[name]);
    if (!files['tokenizer.json'] && !(files['vocab.json'] && files['merges.txt'])) {
      missing.push(files['vocab.json'] ? 'merges.txt' : files['merges.txt'] ? 'vocab.json'
        : 'the tokenizer (vocab.json and merges.txt, or tokenizer.json)');
    }
    if (missing.length > 0) {
      const given = list.length === 0 ? 'no files' : Array.from(list, (f) => f.name).slice(0, 12).join(', ') +
        (list.length > 12 ? ` and ${list.length - 12} more` : '');
      throw new Error(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${given}). ` +
        'A GPT-2 model is config.json, model.safetensors, and vocab.json + merges.txt or tokenizer.json.');
    }
    return { files, skipped };
  }

  // The family's published shapes, to name a model by its shape when its files do not.
  const KNOWN_SHAPES = [
    { name: 'gpt2', layers: 12, width: 768, vocab: 50257 },
    { name: 'distilgpt2', layers: 6, width: 768, vocab: 50257 },
    { name: 'gpt2-medium', layers: 24, width: 1024, vocab: 50257 },
    { name: 'gpt2-large', layers: 36, width: 1280, vocab: 50257 },
    { name: 'gpt2-xl', layers: 48, width: 1600, vocab: 50257 },
  ];

  function shapeName(config) {
    const known = KNOWN_SHAPES.find((s) => s.layers === config.numLayers && s.width === config.embedDim &&
      s.vocab === config.vocabSize);
    return known ? known.name : null;
  }

  // An opened model as the views see it. result(text, layer) resolves to what Engine.compute
  // gives for random weights, plus the model's own: tokens with their spans, the grid's reduced
  // maps, the next tokens.
  class PretrainedView {
    constructor(client, info, { folder = '', sizes = {} } = {}) {
      this.client = client;
      this.remote = true;
      const c = info.config;
      this.raw = c;
      this.config = {
        numLayers: c.numLayers, numHeads: c.numHeads, embedDim: c.embedDim, contextLength: c.contextLength,
        vocabSize: c.vocabSize, mlp: true, layerNormEpsilon: c.layerNormEpsilon,
      };
      this.shape = shapeName(c);
      this.name = folder || this.shape || `GPT-2-family model (${c.numLayers} x ${c.numHeads})`;
      this.memory = info.memory;
      this.loadMs = info.loadMs;
      this.sizes = sizes;
      this.labels = null;
      this.metadata = null;
    }

    delete() {
      this.client.terminate();
    }

    // A preset's relation and this model's best head for it, once measured (views/relations.js),
    // with the query and key as GPT-2's tokens of the preset's text (" it", " cat"); else null.
    relationOf(presetId) {
      const relation = Spotlight.RELATIONS.find((r) => r.preset === presetId);
      const measured = relation && this.relations ? this.relations.find((r) => r.name === relation.name) : null;
      if (!measured) return null;
      return Object.assign({}, relation, measured, { query: `␣${relation.query}`, key: `␣${relation.key}` });
    }

    // The text read and computed in the worker; the reply as the views draw it.
    // compareLayer: a layer whose maps come too (compare another head), or null.
    async compute(text, layer, compareLayer = null) {
      const reply = await this.client.request('view', { text, layer, side: GRID_SIDE, trace: TRACE_TOKENS, compareLayer });
      const { n } = reply;
      const { numHeads } = this.config;
      const read = { tokens: reply.tokens.map((t) => t.label), spans: reply.tokens, ids: reply.ids, total: reply.total, unknown: [],
        cut: Math.max(0, reply.total - n) };
      if (n === 0) return { read, result: null };
      const weights = [];
      for (let h = 0; h < numHeads; h += 1) weights.push(reply.layerMaps.subarray(h * n * n, (h + 1) * n * n));
      const s = reply.side;
      const allLayers = [];
      for (let l = 0; l < this.config.numLayers; l += 1) {
        const heads = [];
        for (let h = 0; h < numHeads; h += 1) {
          const start = (l * numHeads + h) * s * s;
          heads.push(reply.reduced.subarray(start, start + s * s));
        }
        allLayers.push(heads);
      }
      const result = {
        n, heads: numHeads, layers: this.config.numLayers, layer, weights, allLayers, side: s,
        trace: reply.trace, x: reply.trace ? reply.trace.input.data : null,
        top: reply.top, computeMs: reply.computeMs, source: this, compareWeights: null,
      };
      // The mean and max over heads only when a view asks: at 1,024 tokens each is 12 million
      // operations on the main thread.
      let mean = null;
      let max = null;
      Object.defineProperties(result, {
        headMean: { get: () => mean || (mean = Spotlight.combineHeads(weights, n, (a, b) => a + b, 1 / numHeads)) },
        headMax: { get: () => max || (max = Spotlight.combineHeads(weights, n, Math.max, 1)) },
      });
      if (reply.compareMaps) {
        result.compareWeights = [];
        for (let h = 0; h < numHeads; h += 1) result.compareWeights.push(reply.compareMaps.subarray(h * n * n, (h + 1) * n * n));
      } else if (compareLayer === layer) {
        result.compareWeights = weights;
      }
      return { read, result };
    }

    next(ids, position, k = 10) {
      return this.client.request('next', { ids, position, k });
    }

    generate(ids, count, options) {
      return this.client.request('generate', { ids, count, options });
    }

    // The detectors' scores on repeated random tokens (previous token, first token, duplicate
    // token, induction; per head, layer-major) as the grid's labels: [{layer, head, scores, label}].
    setLabels(scores) {
      const { numLayers, numHeads } = this.config;
      const labels = [];
      for (let l = 0; l < numLayers; l += 1) {
        for (let h = 0; h < numHeads; h += 1) {
          const k = l * numHeads + h;
          const entry = {
            'previous token': scores.previousToken[k], 'first token': scores.firstToken[k],
            'duplicate token': scores.duplicateToken[k], induction: scores.induction[k],
          };
          labels.push({ layer: l, head: h, scores: entry, label: Spotlight.describeScores(entry) });
        }
      }
      this.labels = labels;
      this.detectorSequences = scores.sequences;
      return labels;
    }
  }

  // Opens a checkpoint from a list of Files in a new worker. Resolves to a PretrainedView; on any
  // error the worker is closed and the promise rejects with the reason (the page keeps what it
  // had). onProgress({bytesRead, size}).
  async function openPretrained(list, { folder = '', onProgress = null } = {}) {
    const { files } = checkpointFiles(list);
    const client = new PretrainedClient();
    try {
      const info = await client.request('open', { files }, onProgress);
      const sizes = {};
      for (const [name, file] of Object.entries(files)) sizes[name] = file.size;
      return new PretrainedView(client, info, { folder, sizes });
    } catch (error) {
      client.terminate();
      throw error;
    }
  }

  Spotlight.PretrainedClient = PretrainedClient;
  Spotlight.PretrainedView = PretrainedView;
  Spotlight.openPretrained = openPretrained;
  Spotlight.checkpointFiles = checkpointFiles;
  Spotlight.pretrainedShapeName = shapeName;
}(window.Spotlight));
