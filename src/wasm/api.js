// The friendly JavaScript API over the raw Embind bindings (src/wasm/bindings.cpp), appended to the
// generated module with --post-js. It checks argument types (only JavaScript can), turns plain
// arrays into Float32Arrays and options objects into the canonical form the bindings read. Values
// and shapes are checked by the C++ core, whose messages come back as Errors unchanged. The raw
// bindings are taken off the module object: they trust their arguments, so only this API calls
// them (tests/node/boundary.test.js sweeps it with wrong arguments of every kind).
//
// Names are fixed (the site and outside users rely on them): SimpleAttention, embedTokens,
// scaledDotProductAttention, dotProductAttention; see src/wasm/attention.d.ts.

/* global Module */
(function installAttentionApi(module) {
  'use strict';

  const MAX_SIZE = 0x7fffffff;  // sizes travel as 32-bit ints

  // The raw bindings, kept here and taken off the module (see the comment at the top). They exist
  // once the wasm has been instantiated: they are taken at the first call of this API, or when the
  // promise the module factory returns resolves - this callback runs before any the caller adds.
  // (A failed start is the caller's to handle.)
  const RAW_NAMES = { SimpleAttention: 'RawSimpleAttention', embedTokens: 'rawEmbedTokens',
                      attention: 'rawAttention', scalingStudy: 'rawScalingStudy',
                      multiHeadAttention: 'rawMultiHeadAttention' };
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
  function isDetached(view) {
    const buffer = view.buffer;
    if (typeof buffer.detached === 'boolean') return buffer.detached;
    if (buffer.byteLength !== 0) return false;
    try {
      new Uint8Array(buffer);
      return false;
    } catch (error) {
      return true;
    }
  }

  // A genuine Float32Array goes to the bindings as it is; anything else (arrays, other typed
  // arrays, a Float32Array subclass or one with a length property of its own, which could claim
  // more values than it holds) is copied, element by element checked.
  function toFloat32Array(name, value) {
    const view = ArrayBuffer.isView(value) && !(value instanceof DataView);
    if (view && isDetached(value)) {
      fail(`${name} is a ${value.constructor.name} over a detached ArrayBuffer (transferred ` +
           'elsewhere); pass an array that still holds its values');
    }
    if (view && Object.getPrototypeOf(value) === Float32Array.prototype &&
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
        if (typeof value[i] !== 'number') {
          fail(`${name}[${i}] is ${describe(value[i])}; ${name} must hold numbers only`);
        }
      }
      // Checked before allocating: a sparse array claiming 2**31 entries fails at its first hole.
      const values = new Float32Array(count);
      for (let i = 0; i < count; i += 1) values[i] = value[i];
      return values;
    }
    return fail(`${name} must be a Float32Array or an array of numbers, got ${describe(value)}`);
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

  function toSeed(value) {
    if (value === undefined) return 0;
    if (!Number.isSafeInteger(value) || value < 0) {
      fail(`seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}`);
    }
    return value;
  }

  // Reads `options` (undefined or a plain object) against `defaults`; unknown keys are errors so a
  // typo such as {casual: true} is not silently ignored, and so is an object of another kind (a
  // Map, a Date), whose settings would otherwise be silently dropped. (Object.assign, not object
  // spread: the Emscripten 3.1.6 JS optimiser cannot parse spread in object literals.)
  function readOptions(options, defaults, where) {
    if (options === undefined || options === null) return Object.assign({}, defaults);
    if (!isPlainObject(options)) {
      fail(`${where}: options must be an object such as {causal: true}, got ${describe(options)}`);
    }
    const known = Object.keys(defaults);
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        fail(`${where}: unknown option "${key}"; known options: ${known.join(', ')}`);
      }
    }
    const result = Object.assign({}, defaults);
    for (const key of known) {
      const value = options[key];
      if (value === undefined) continue;
      if (key === 'keyPaddingMask') {
        result[key] = checkMaskType(value);
        continue;
      }
      // null defaults (scale) take a number, or null for "the usual value"
      const expected = defaults[key] === null ? 'number' : typeof defaults[key];
      if (typeof value !== expected && !(defaults[key] === null && value === null)) {
        fail(`${where}: option ${key} must be a ${expected}, got ${describe(value)}`);
      }
      result[key] = value;
    }
    return result;
  }

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

  class SimpleAttention {
    constructor(embedDim, numHeads, seed) {
      toSize('embedDim', embedDim);
      toSize('numHeads', numHeads);
      this._raw = new (bindings().SimpleAttention)(embedDim, numHeads, toSeed(seed));
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

    delete() {
      if (this._raw) this._raw.delete();
      this._raw = null;
    }

    isDeleted() { return this._raw === null; }

    _live() {
      if (!this._raw) fail('this SimpleAttention was deleted; create a new one');
      return this._raw;
    }
  }

  function embedTokens(tokens, embedDim, seed, options) {
    if (!Array.isArray(tokens)) fail(`tokens must be an array of strings, got ${describe(tokens)}`);
    for (let i = 0; i < tokens.length; i += 1) {  // not forEach, which skips the holes of [, 'a']
      if (typeof tokens[i] !== 'string') fail(`tokens[${i}] must be a string, got ${describe(tokens[i])}`);
    }
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

  module.SimpleAttention = SimpleAttention;
  module.multiHeadAttention = multiHeadAttention;
  module.scalingStudy = scalingStudy;
  module.embedTokens = embedTokens;
  module.scaledDotProductAttention = singleHead(true, 'scaledDotProductAttention');
  module.dotProductAttention = singleHead(false, 'dotProductAttention');
}(Module));
