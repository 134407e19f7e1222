// The friendly JavaScript API over the raw Embind bindings (src/wasm/bindings.cpp), appended to the
// generated module with --post-js. It checks argument types (only JavaScript can), turns plain
// arrays into Float32Arrays and options objects into the canonical form the bindings read. Values
// and shapes are checked by the C++ core, whose messages come back as Errors unchanged. The raw
// bindings are taken off the module object: they trust their arguments, so only this API calls
// them (tests/node/boundary.test.js sweeps it with wrong arguments of every kind).
//
// Names are fixed (the site and outside users rely on them): SimpleAttention, embedTokens,
// scaledDotProductAttention, dotProductAttention, TinyTransformer, scoreHeads, scoreRelation; see
// src/wasm/attention.d.ts. The training API (src/wasm/training_api.js, the next --post-js) builds
// on the helpers this one returns as attentionApi, a variable of the module's factory, not a
// property of the module.

/* global Module */
const attentionApi = (function installAttentionApi(module) {
  'use strict';

  const MAX_SIZE = 0x7fffffff;  // sizes travel as 32-bit ints
  const MIN_INT32 = -0x80000000;

  // The raw bindings, kept here and taken off the module (see the comment at the top). They exist
  // once the wasm has been instantiated: they are taken at the first call of this API, or when the
  // promise the module factory returns resolves - this callback runs before any the caller adds.
  // (A failed start is the caller's to handle.)
  const RAW_NAMES = { SimpleAttention: 'RawSimpleAttention', embedTokens: 'rawEmbedTokens',
                      attention: 'rawAttention', scalingStudy: 'rawScalingStudy',
                      multiHeadAttention: 'rawMultiHeadAttention',
                      TinyTransformer: 'RawTinyTransformer', scoreHeads: 'rawScoreHeads',
                      scoreRelation: 'rawScoreRelation', matmul: 'rawMatmul',
                      // training_api.js's
                      recipes: 'rawRecipes', workshopCorpus: 'rawWorkshopCorpus',
                      inductionCorpus: 'rawInductionCorpus', buildVocabulary: 'rawBuildVocabulary',
                      encode: 'rawEncode', splitWords: 'rawSplitWords',
                      splitCharacters: 'rawSplitCharacters', Trainer: 'RawTrainer',
                      workshopReport: 'rawWorkshopReport', scoreModelHeads: 'rawScoreModelHeads',
                      scoreModelRelations: 'rawScoreModelRelations',
                      // pretrained_api.js's
                      PretrainedLoader: 'RawPretrainedLoader', PretrainedModel: 'RawPretrainedModel' };
  let raw = null;
  function bindings() {
    if (!raw) {
      if (typeof module.RawSimpleAttention !== 'function') {
        fail('the module is still starting: await the promise createAttentionModule() returns first');
      }
      raw = {};
      // (Not `for (const [name, rawName] of ...)`: Emscripten 3.1.6's JS optimiser drops the
      // destructuring pattern and emits invalid code.)
      for (const name of Object.keys(RAW_NAMES)) {
        raw[name] = module[RAW_NAMES[name]];
        delete module[RAW_NAMES[name]];
      }
    }
    return raw;
  }
  module.ready.then(bindings, () => {});

  function describe(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${value.length}`;
    if (typeof value === 'string') {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `the string ${JSON.stringify(shown)}`;
    }
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      return `${typeof value} ${String(value)}`;
    }
    if (typeof value === 'function') return 'a function';
    if (typeof value === 'object') {
      const prototype = Object.getPrototypeOf(value);
      const kind = prototype && prototype !== Object.prototype && prototype.constructor &&
                   prototype.constructor.name;
      return kind ? `a ${kind}` : 'an object';
    }
    return String(value);
  }

  function isPlainObject(value) {
    if (typeof value !== 'object' || value === null) return false;
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
  }

  function fail(message) {
    throw new Error(message);
  }

  // A view whose ArrayBuffer was transferred (postMessage, structuredClone) reads as empty; say so
  // rather than report 0 values. (ArrayBuffer.prototype.detached is missing in Node.js 20: there,
  // only a detached buffer refuses to be viewed.)
  function isDetachedBuffer(buffer) {
    if (typeof buffer.detached === 'boolean') return buffer.detached;
    if (buffer.byteLength !== 0) return false;
    try {
      // The view's length is read (it is always >= 0) so that the view is made: Emscripten's JS
      // optimiser drops a bare `new Uint8Array(buffer);` as dead code.
      return new Uint8Array(buffer).length < 0;
    } catch (error) {
      return true;
    }
  }

  function isDetached(view) {
    return isDetachedBuffer(view.buffer);
  }

  // What the bindings take in: the typed array they read, and what each element must be.
  const FLOATS = { Type: Float32Array, article: 'a', holds: 'numbers', arrayOf: 'an array of numbers',
                   accepts: (value) => typeof value === 'number' };
  const TOKEN_IDS = { Type: Int32Array, article: 'an', holds: 'integer token ids (int32)',
                      arrayOf: 'an array of integer token ids',
                      accepts: (value) => Number.isInteger(value) && value >= MIN_INT32 && value <= MAX_SIZE };

  // A genuine kind.Type array goes to the bindings as it is; anything else (arrays, other typed
  // arrays, a subclass or one with a length property of its own, which could claim more values than
  // it holds) is copied, element by element checked (holes read as undefined and are rejected).
  function toTypedArray(name, value, kind) {
    const view = ArrayBuffer.isView(value) && !(value instanceof DataView);
    if (view && isDetached(value)) {
      fail(`${name} is a ${value.constructor.name} over a detached ArrayBuffer (transferred ` +
           'elsewhere); pass an array that still holds its values');
    }
    if (view && Object.getPrototypeOf(value) === kind.Type.prototype &&
        !Object.prototype.hasOwnProperty.call(value, 'length')) {
      return value;
    }
    if (Array.isArray(value) || (view && !(value instanceof BigInt64Array) &&
                                 !(value instanceof BigUint64Array))) {
      const count = value.length;
      if (!Number.isSafeInteger(count) || count < 0) {
        fail(`${name} has length ${describe(count)}; it must be a whole number of values`);
      }
      for (let i = 0; i < count; i += 1) {
        if (!kind.accepts(value[i])) {
          fail(`${name}[${i}] is ${describe(value[i])}; ${name} must hold ${kind.holds} only`);
        }
      }
      // Checked before allocating: a sparse array claiming 2**31 entries fails at its first hole.
      const values = new kind.Type(count);
      for (let i = 0; i < count; i += 1) values[i] = value[i];
      return values;
    }
    return fail(`${name} must be ${kind.article} ${kind.Type.name} or ${kind.arrayOf}, got ${describe(value)}`);
  }

  function toFloat32Array(name, value) {
    return toTypedArray(name, value, FLOATS);
  }

  // Token ids: integers in int32's range; the core checks them against the vocabulary.
  function toTokens(name, value) {
    return toTypedArray(name, value, TOKEN_IDS);
  }

  // `value` as an array whose elements each pass `convert(elementName, element)`, which returns
  // the element to keep; `what` says what the array holds ("strings"). Indexed, not forEach, which
  // would skip the holes of [, 'a'].
  function toArrayOf(name, value, what, convert) {
    if (!Array.isArray(value)) fail(`${name} must be an array of ${what}, got ${describe(value)}`);
    const converted = [];
    for (let i = 0; i < value.length; i += 1) converted.push(convert(`${name}[${i}]`, value[i]));
    return converted;
  }

  function toStringValue(name, value) {
    if (typeof value !== 'string') fail(`${name} must be a string, got ${describe(value)}`);
    return value;
  }

  // An array of strings (Embind copies each string).
  function toStrings(name, value) {
    return toArrayOf(name, value, 'strings', toStringValue);
  }

  // An array of strings UTF-8 can encode (toText), which Embind passes on unchanged.
  function toTexts(name, value) {
    return toArrayOf(name, value, 'strings', toText);
  }

  // Token id arrays, one per sequence, as Int32Arrays.
  function toSequences(name, value) {
    return toArrayOf(name, value, 'token id arrays (Int32Arrays or arrays of integers)', toTokens);
  }

  function toBoolean(name, value) {
    if (typeof value !== 'boolean') fail(`${name} must be a boolean, got ${describe(value)}`);
    return value;
  }

  // Text that UTF-8 can encode: a string with no lone surrogate (which Embind's conversion would
  // silently turn into other characters). Returns it.
  function toText(name, value) {
    toStringValue(name, value);
    for (let i = 0; i < value.length; i += 1) {
      const unit = value.charCodeAt(i);
      const high = unit >= 0xd800 && unit <= 0xdbff;
      const next = value.charCodeAt(i + 1);
      if (high && next >= 0xdc00 && next <= 0xdfff) {
        i += 1;  // a pair: one character
      } else if (high || (unit >= 0xdc00 && unit <= 0xdfff)) {
        fail(`${name} has a lone surrogate (0x${unit.toString(16)}) at index ${i}, which is not text ` +
             'UTF-8 can encode');
      }
    }
    return value;
  }

  // A checkpoint's bytes: a Uint8Array (a Node.js Buffer too) or an ArrayBuffer.
  function toBytes(name, value) {
    if (value instanceof ArrayBuffer) {
      if (isDetachedBuffer(value)) fail(`${name} is a detached ArrayBuffer (transferred elsewhere)`);
      return new Uint8Array(value);
    }
    if (value instanceof Uint8Array) {
      if (isDetached(value)) fail(`${name} is a ${value.constructor.name} over a detached ArrayBuffer`);
      // A subclass (Buffer) or an own length property: copied by the view's real length.
      const genuine = Object.getPrototypeOf(value) === Uint8Array.prototype &&
                      !Object.prototype.hasOwnProperty.call(value, 'length');
      return genuine ? value : new Uint8Array(value);
    }
    return fail(`${name} must be a Uint8Array or an ArrayBuffer (a checkpoint's bytes), got ${describe(value)}`);
  }

  function toSize(name, value) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
      fail(`${name} must be a positive integer, got ${describe(value)}`);
    }
    return value;
  }

  // An index that may be 0 (a head), within the bindings' 32-bit ints.
  function toIndex(name, value) {
    if (!Number.isInteger(value) || value < 0) {
      fail(`${name} must be an integer >= 0, got ${describe(value)}`);
    }
    if (value > MAX_SIZE) fail(`${name} must be an integer from 0 to ${MAX_SIZE}, got ${describe(value)}`);
    return value;
  }

  // name: how the caller calls the seed (default "seed").
  function toSeed(value, name) {
    if (value === undefined) return 0;
    if (!Number.isSafeInteger(value) || value < 0) {
      fail(`${name || 'seed'} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}`);
    }
    return value;
  }

  // Reads `options` (undefined or a plain object) against `defaults`; unknown keys are errors so a
  // typo such as {casual: true} is not silently ignored, and so is an object of another kind (a
  // Map, a Date), whose settings would otherwise be silently dropped. A default of undefined marks
  // a required option, a number unless `checks` (optional: a key's function that checks and
  // converts its value, over OPTION_CHECKS) takes it. (Object.assign, not object spread: the Emscripten 3.1.6 JS
  // optimiser cannot parse spread in object literals.)
  function readOptions(options, defaults, where, checks) {
    const known = Object.keys(defaults);
    if (options !== undefined && options !== null && !isPlainObject(options)) {
      fail(`${where}: options must be an object with any of ${known.join(', ')}, got ${describe(options)}`);
    }
    const given = options || {};
    for (const key of Object.keys(given)) {
      if (!known.includes(key)) {
        fail(`${where}: unknown option "${key}"; known options: ${known.join(', ')}`);
      }
    }
    const result = Object.assign({}, defaults);
    for (const key of known) {
      const value = given[key];
      if (value === undefined) {
        if (defaults[key] === undefined) fail(`${where}: option ${key} is required`);
        continue;
      }
      if (checks && Object.prototype.hasOwnProperty.call(checks, key)) {
        result[key] = checks[key](value);
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(OPTION_CHECKS, key)) {
        result[key] = OPTION_CHECKS[key](value);
        continue;
      }
      // null defaults (scale) take a number, or null for "the usual value"
      const expected = defaults[key] === null || defaults[key] === undefined ? 'number' : typeof defaults[key];
      if (typeof value !== expected && !(defaults[key] === null && value === null)) {
        fail(`${where}: option ${key} must be a ${expected}, got ${describe(value)}`);
      }
      result[key] = value;
    }
    return result;
  }

  // The options that are not of a primitive type, checked by their own functions.
  const OPTION_CHECKS = {
    keyPaddingMask: (value) => checkMaskType(value),
    vocabulary: (value) => toStrings('vocabulary', value),
  };

  function checkMaskType(value) {
    if (value === null) return null;
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      fail(`keyPaddingMask must be an array or typed array (nonzero or true = ignore that key), ` +
           `got ${describe(value)}`);
    }
    if (ArrayBuffer.isView(value) && isDetached(value)) {
      fail(`keyPaddingMask is a ${value.constructor.name} over a detached ArrayBuffer`);
    }
    return value;
  }

  // One byte per key. The length is checked here, with the core's words, before converting: a
  // sparse array claiming 2**31 entries would otherwise be copied in full only to be rejected.
  function toMask(value, nk) {
    if (value === null) return null;
    if (value.length !== nk) {
      fail(`key_padding_mask has ${value.length} entries, expected n_k = ${nk}`);
    }
    const mask = new Uint8Array(nk);
    for (let i = 0; i < nk; i += 1) {
      const entry = value[i];
      if (typeof entry !== 'number' && typeof entry !== 'boolean') {
        fail(`keyPaddingMask[${i}] is ${describe(entry)}; entries must be numbers or booleans`);
      }
      mask[i] = entry ? 1 : 0;
    }
    return mask;
  }

  const ATTENTION_DEFAULTS = { causal: false, scale: null, temperature: 1, keyPaddingMask: null };

  // The canonical options object the bindings read; nk (validated) is the number of keys.
  function attentionOptions(options, nk) {
    return {
      causal: options.causal, scale: options.scale, temperature: options.temperature,
      keyPaddingMask: toMask(options.keyPaddingMask, nk),
    };
  }

  // What the classes over an Embind object share: delete() frees its wasm memory (JavaScript's
  // garbage collector does not see it), after which every use is an Error naming the class.
  class WasmObject {
    constructor(kind, raw) {
      this._kind = kind;
      this._raw = raw;
    }

    delete() {
      if (this._raw) this._raw.delete();
      this._raw = null;
    }

    isDeleted() { return this._raw === null; }

    _live() {
      if (!this._raw) fail(`this ${this._kind} was deleted; create a new one`);
      return this._raw;
    }
  }

  class SimpleAttention extends WasmObject {
    constructor(embedDim, numHeads, seed) {
      toSize('embedDim', embedDim);
      toSize('numHeads', numHeads);
      super('SimpleAttention', new (bindings().SimpleAttention)(embedDim, numHeads, toSeed(seed)));
    }

    get embedDim() { return this._live().embedDim; }

    get numHeads() { return this._live().numHeads; }

    get headDim() { return this.embedDim / this.numHeads; }

    selfAttention(x, seqLen, options) {
      const o = readOptions(options, ATTENTION_DEFAULTS, 'selfAttention');
      return this._live().forward(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                  attentionOptions(o, seqLen), false).output;
    }

    forward(x, seqLen, options) {
      const o = readOptions(options, Object.assign({}, ATTENTION_DEFAULTS, { returnWeights: true }), 'forward');
      return this._live().forward(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                  attentionOptions(o, seqLen), o.returnWeights);
    }

    crossAttention(xq, nq, xkv, nk, options) {
      const o = readOptions(options, Object.assign({}, ATTENTION_DEFAULTS, { returnWeights: true }),
                            'crossAttention');
      return this._live().forward(toFloat32Array('xq', xq), toSize('nq', nq),
                                  toFloat32Array('xkv', xkv), toSize('nk', nk),
                                  attentionOptions(o, nk), o.returnWeights);
    }

    trace(x, seqLen, options) {
      const o = readOptions(options, ATTENTION_DEFAULTS, 'trace');
      return this._live().trace(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                attentionOptions(o, seqLen));
    }

    // pattern: 'previous_token', 'same_token', 'first_token', 'local_window' or 'uniform';
    // options.window: the half-width k of local_window (default 2).
    designHead(head, pattern, options) {
      toIndex('head', head);
      if (typeof pattern !== 'string') fail(`pattern must be a string, got ${describe(pattern)}`);
      const o = readOptions(options, { window: 2 }, 'designHead');
      // The core says why a negative window is wrong; here only what cannot reach it as an int.
      if (!Number.isInteger(o.window) || Math.abs(o.window) > MAX_SIZE) {
        fail(`designHead: window must be an integer of at most ${MAX_SIZE}, got ${describe(o.window)}`);
      }
      this._live().designHead(head, pattern, o.window);
    }

    getWeights() { return this._live().getWeights(); }

    setWeights(weights) {
      if (!isPlainObject(weights)) {
        fail(`setWeights expects an object such as {wq, wk, wv, wo}, got ${describe(weights)}`);
      }
      const names = ['wq', 'wk', 'wv', 'wo', 'bq', 'bk', 'bv', 'bo'];
      const converted = {};
      for (const key of Object.keys(weights)) {
        if (!names.includes(key)) fail(`setWeights: unknown weight "${key}"; known: ${names.join(', ')}`);
        converted[key] = toFloat32Array(key, weights[key]);
      }
      this._live().setWeights(converted);
    }
  }

  function embedTokens(tokens, embedDim, seed, options) {
    toStrings('tokens', tokens);
    const o = readOptions(options, { positional: true, tokenVectors: true }, 'embedTokens');
    return bindings().embedTokens(tokens, toSize('embedDim', embedDim), toSeed(seed),
                                 o.tokenVectors, o.positional);
  }

  function singleHead(scaled, where) {
    return (q, k, v, options) => {
      const defaults = Object.assign({ nq: 0, nk: 0, dk: 0, dv: 0 }, ATTENTION_DEFAULTS,
                                     { returnWeights: true });
      const o = readOptions(options, defaults, where);
      const shape = {
        nq: toSize('nq', o.nq), nk: toSize('nk', o.nk), dk: toSize('dk', o.dk),
        dv: toSize('dv', o.dv),
      };
      return bindings().attention(toFloat32Array('q', q), toFloat32Array('k', k), toFloat32Array('v', v),
                           shape, scaled, attentionOptions(o, shape.nk), o.returnWeights);
    };
  }

  // The sqrt(d) experiment: random unit-variance q and k of (n, d), statistics of the scores and of
  // the softmax with and without scaling.
  function scalingStudy(d, n, seed) {
    return bindings().scalingStudy(toSize('d', d), toSize('n', n), toSeed(seed));
  }

  // Multi-head attention on projected q (nq, dModel), k and v (nk, dModel): split into numHeads
  // column blocks, attend per head, concatenate. Returns {output (nq, dModel), weights
  // (numHeads, nq, nk) or null}.
  function multiHeadAttention(q, k, v, options) {
    const defaults = Object.assign({ nq: 0, nk: 0, dModel: 0, numHeads: 0 }, ATTENTION_DEFAULTS,
                                   { returnWeights: true });
    const o = readOptions(options, defaults, 'multiHeadAttention');
    const shape = {
      nq: toSize('nq', o.nq), nk: toSize('nk', o.nk), dModel: toSize('dModel', o.dModel),
      numHeads: toSize('numHeads', o.numHeads),
    };
    return bindings().multiHeadAttention(toFloat32Array('q', q), toFloat32Array('k', k),
                                  toFloat32Array('v', v), shape, attentionOptions(o, shape.nk),
                                  o.returnWeights);
  }

  // alpha * a (m, k) op(b), plus c if given: op(b) = b (k, n), or b^T when transposeB (b is then
  // (n, k)). The module's own product (gemm.h) on the path module.simd names: for checking and
  // timing the kernel paths (tests/node/kernels.test.js, bench/).
  function matmul(a, b, options) {
    const o = readOptions(options, { m: undefined, k: undefined, n: undefined, transposeB: false,
                                     alpha: 1, c: null }, 'matmul', {
      c: (value) => (value === null ? null : toFloat32Array('c', value)),
    });
    if (!Number.isFinite(o.alpha)) fail(`matmul: option alpha must be a finite number, got ${describe(o.alpha)}`);
    const shape = { m: toSize('m', o.m), k: toSize('k', o.k), n: toSize('n', o.n) };
    return bindings().matmul(toFloat32Array('a', a), toFloat32Array('b', b), shape, o.transposeB,
                             o.alpha, o.c);
  }

  // ---- the tiny GPT (src/core/model/transformer.h) -------------------------------------------------------

  // The configuration's defaults; every key is optional.
  const CONFIG_DEFAULTS = { vocabSize: 50, contextLength: 16, embedDim: 32, numHeads: 4, numLayers: 2,
                            mlp: true, layerNorm: true, seed: 7 };
  // A batch: both sizes required (undefined marks them so in readOptions).
  const BATCH_SHAPE = { batch: undefined, seqLen: undefined };
  // AdamW's defaults (src/core/model/optimizer.h): nanoGPT's for small batches.
  const ADAMW_DEFAULTS = { learningRate: 3e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1,
                           clipNorm: 1 };
  const SAMPLING_DEFAULTS = { temperature: 1, topK: 0, seed: 0 };

  // The batch's token ids and sizes, the arguments the raw lossAndGradients and trainStep share.
  function batchArguments(inputs, targets, options) {
    return [toTokens('inputs', inputs), toTokens('targets', targets), toSize('batch', options.batch),
            toSize('seqLen', options.seqLen)];
  }

  // A GPT-2-style language model at toy scale, trained in the module (see src/wasm/attention.d.ts
  // for every shape and default). Models made by TinyTransformer.load carry their checkpoint's
  // vocabulary, tokenizer and metadata, which save() writes back unless told otherwise.
  class TinyTransformer extends WasmObject {
    constructor(config) {
      const c = readOptions(config, CONFIG_DEFAULTS, 'TinyTransformer');
      const canonical = {
        vocabSize: toSize('vocabSize', c.vocabSize), contextLength: toSize('contextLength', c.contextLength),
        embedDim: toSize('embedDim', c.embedDim), numHeads: toSize('numHeads', c.numHeads),
        numLayers: toSize('numLayers', c.numLayers), mlp: c.mlp, layerNorm: c.layerNorm, seed: toSeed(c.seed),
      };
      super('TinyTransformer', new (bindings().TinyTransformer)(canonical));
      this._adopt([], '', '');
    }

    // bytes: a Uint8Array or ArrayBuffer of a checkpoint (src/core/model/checkpoint.h), e.g. from save().
    static load(bytes) {
      const loaded = bindings().TinyTransformer.load(toBytes('bytes', bytes));
      // (A class cannot be called without new: the fields are set as the constructor sets them.)
      const model = Object.create(TinyTransformer.prototype);
      model._kind = 'TinyTransformer';
      model._raw = loaded.model;
      model._adopt(loaded.vocabulary, loaded.tokenizer, loaded.metadata);
      return model;
    }

    _adopt(vocabulary, tokenizer, metadata) {
      this._config = Object.freeze(this._raw.config());
      this._names = this._raw.parameterTable().map((entry) => entry.name);
      this._vocabulary = Object.freeze(vocabulary.slice());
      this._tokenizer = tokenizer;
      this._metadata = metadata;
    }

    get config() { this._live(); return Object.assign({}, this._config); }

    get vocabulary() { this._live(); return this._vocabulary; }

    get tokenizer() { this._live(); return this._tokenizer; }

    get metadata() { this._live(); return this._metadata; }

    get lastGradientNorm() { return this._live().lastGradientNorm; }

    get optimizerStep() { return this._live().optimizerStep; }

    parameterTable() { return this._live().parameterTable(); }

    getParameters() { return this._live().getParameters(); }

    setParameters(values) {
      const raw = this._live();
      if (!isPlainObject(values)) {
        fail(`setParameters expects an object of parameters such as {'h.0.attn.wq': Float32Array}, ` +
             `got ${describe(values)}`);
      }
      // Names first, so that a stray key is reported as such and not as a value of the wrong type.
      const names = Object.keys(values);
      for (const name of names) {
        if (!this._names.includes(name)) {
          fail(`setParameters: the model has no parameter "${name}"; it has: ${this._names.join(', ')}`);
        }
      }
      const arrays = [];
      for (const name of names) arrays.push(toFloat32Array(name, values[name]));
      raw.setParameters(names, arrays);
    }

    lossAndGradients(inputs, targets, options) {
      const raw = this._live();
      const o = readOptions(options, BATCH_SHAPE, 'lossAndGradients');
      return raw.lossAndGradients.apply(raw, batchArguments(inputs, targets, o));
    }

    trainStep(inputs, targets, options) {
      const raw = this._live();
      const o = readOptions(options, Object.assign({}, BATCH_SHAPE, ADAMW_DEFAULTS), 'trainStep');
      const adamw = {};
      for (const key of Object.keys(ADAMW_DEFAULTS)) adamw[key] = o[key];
      return raw.trainStep.apply(raw, batchArguments(inputs, targets, o).concat([adamw]));
    }

    // options.seqLen: the tokens' count (the default); given, it must equal it.
    forward(tokens, options) {
      const raw = this._live();
      const o = readOptions(options, { seqLen: null }, 'forward');
      const ids = toTokens('tokens', tokens);
      return raw.forward(ids, o.seqLen === null ? ids.length : toSize('seqLen', o.seqLen));
    }

    // Every intermediate of one layer's attention on one sequence (transformer.h, LayerTrace).
    trace(tokens, layer) {
      const raw = this._live();
      const ids = toTokens('tokens', tokens);
      return raw.trace(ids, ids.length, toIndex('layer', layer));
    }

    generate(prompt, count, options) {
      const raw = this._live();
      const o = readOptions(options, SAMPLING_DEFAULTS, 'generate');
      return raw.generate(toTokens('prompt', prompt), toIndex('count', count),
                          { temperature: o.temperature, topK: toIndex('topK', o.topK), seed: toSeed(o.seed) });
    }

    save(options) {
      const raw = this._live();
      const o = readOptions(options, { vocabulary: this._vocabulary, tokenizer: this._tokenizer,
                                       metadata: this._metadata, includeOptimizer: false }, 'save');
      const vocabulary = o.vocabulary.map((token, id) => toText(`vocabulary[${id}]`, token));
      return raw.save({ vocabulary, tokenizer: toText('tokenizer', o.tokenizer),
                        metadata: toText('metadata', o.metadata), includeOptimizer: o.includeOptimizer });
    }
  }

  // ---- head detectors (src/core/analysis/head_scores.h) -------------------------------------------------------

  // A list of attention maps as forward() returns them: {data, shape: [numLayers, numHeads, seqLen,
  // seqLen]}; the core checks that data holds the shape's product of finite weights.
  function toMapsList(name, list) {
    return toArrayOf(name, list, 'attention maps ({data, shape} as forward returns them)', (where, entry) => {
      if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.shape)) {
        fail(`${where} must be attention maps {data, shape} as forward returns them, got ${describe(entry)}`);
      }
      const shape = entry.shape;
      if (shape.length !== 4 || shape[2] !== shape[3]) {
        fail(`${where}.shape must be [numLayers, numHeads, seqLen, seqLen], got [${shape.join(', ')}]`);
      }
      for (let axis = 0; axis < 4; axis += 1) toIndex(`${where}.shape[${axis}]`, shape[axis]);
      return { data: toFloat32Array(`${where}.data`, entry.data), shape: shape.slice() };
    });
  }

  // The head detectors' scores of every head (layer-major), from each sequence's attention maps
  // and token ids.
  function scoreHeads(attention, tokens) {
    const maps = toMapsList('attention', attention);
    return bindings().scoreHeads(maps, toSequences('tokens', tokens));
  }

  // One sequence's relations, {name (a string), query, key (integers >= 0)} each, copied; `name`
  // names the list in the messages ("relations[0]"). The core checks the positions.
  function toRelations(name, list) {
    return toArrayOf(name, list, '{name, query, key}', (where, relation) => {
      if (!isPlainObject(relation) || typeof relation.name !== 'string') {
        fail(`${where} must be an object {name (a string), query, key}, got ${describe(relation)}`);
      }
      return { name: relation.name, query: toIndex(`${where}.query`, relation.query),
               key: toIndex(`${where}.key`, relation.key) };
    });
  }

  // One relation's scores of every head; relations[s] lists sequence s's {name, query, key}.
  function scoreRelation(attention, relations, name) {
    const maps = toMapsList('attention', attention);
    if (typeof name !== 'string') fail(`name must be a string (a relation's name), got ${describe(name)}`);
    const lists = toArrayOf('relations', relations, '(one per sequence) arrays of {name, query, key}', toRelations);
    return bindings().scoreRelation(maps, lists, name);
  }

  module.SimpleAttention = SimpleAttention;
  module.TinyTransformer = TinyTransformer;
  module.scoreHeads = scoreHeads;
  module.scoreRelation = scoreRelation;
  module.multiHeadAttention = multiHeadAttention;
  module.matmul = matmul;
  module.scalingStudy = scalingStudy;
  module.embedTokens = embedTokens;
  module.scaledDotProductAttention = singleHead(true, 'scaledDotProductAttention');
  module.dotProductAttention = singleHead(false, 'dotProductAttention');

  // What training_api.js and pretrained_api.js build on.
  return { bindings, describe, isPlainObject, fail, toArrayOf, toTokens, toText, toTexts,
           toSequences, toBoolean, toBytes, toStringValue, toSize, toIndex, toSeed, readOptions,
           toRelations, WasmObject, TinyTransformer };
}(Module));
