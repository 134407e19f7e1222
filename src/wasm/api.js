// The friendly JavaScript API over the raw Embind bindings (src/wasm/bindings.cpp), appended to the
// generated module with --post-js. It checks argument types (only JavaScript can), turns plain
// arrays into Float32Arrays and options objects into the canonical form the bindings read. Values
// and shapes are checked by the C++ core, whose messages come back as Errors unchanged.
//
// Names are fixed (the site and outside users rely on them): SimpleAttention, embedTokens,
// scaledDotProductAttention, dotProductAttention; see src/wasm/attention.d.ts.

/* global Module */
(function installAttentionApi(module) {
  'use strict';

  const MAX_SIZE = 0x7fffffff;  // sizes travel as 32-bit ints

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
    return typeof value === 'object' ? 'an object' : String(value);
  }

  function fail(message) {
    throw new Error(message);
  }

  function toFloat32Array(name, value) {
    // A Float32Array over a detached buffer has length 0, which the size check then reports.
    if (value instanceof Float32Array) return value;
    if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView) &&
                                 !(value instanceof BigInt64Array) &&
                                 !(value instanceof BigUint64Array))) {
      for (let i = 0; i < value.length; i += 1) {
        if (typeof value[i] !== 'number') {
          fail(`${name}[${i}] is ${describe(value[i])}; ${name} must hold numbers only`);
        }
      }
      return Float32Array.from(value);
    }
    return fail(`${name} must be a Float32Array or an array of numbers, got ${describe(value)}`);
  }

  function toSize(name, value) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
      fail(`${name} must be a positive integer, got ${describe(value)}`);
    }
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
  // typo such as {casual: true} is not silently ignored. (Object.assign, not object spread: the
  // Emscripten 3.1.6 JS optimiser cannot parse spread in object literals.)
  function readOptions(options, defaults, where) {
    if (options === undefined || options === null) return Object.assign({}, defaults);
    if (typeof options !== 'object' || Array.isArray(options)) {
      fail(`${where}: options must be an object, got ${describe(options)}`);
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
        result[key] = toMask(value);
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

  function toMask(value) {
    if (value === null) return null;
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      fail(`keyPaddingMask must be an array or typed array (nonzero or true = ignore that key), ` +
           `got ${describe(value)}`);
    }
    return Uint8Array.from(value, (entry) => (entry ? 1 : 0));
  }

  const ATTENTION_DEFAULTS = { causal: false, scale: null, temperature: 1, keyPaddingMask: null };

  function attentionOptions(options) {
    return {
      causal: options.causal, scale: options.scale, temperature: options.temperature,
      keyPaddingMask: options.keyPaddingMask,
    };
  }

  class SimpleAttention {
    constructor(embedDim, numHeads, seed) {
      toSize('embedDim', embedDim);
      toSize('numHeads', numHeads);
      this._raw = new module.RawSimpleAttention(embedDim, numHeads, toSeed(seed));
    }

    get embedDim() { return this._live().embedDim; }

    get numHeads() { return this._live().numHeads; }

    get headDim() { return this.embedDim / this.numHeads; }

    selfAttention(x, seqLen, options) {
      const o = readOptions(options, ATTENTION_DEFAULTS, 'selfAttention');
      return this._live().forward(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                  attentionOptions(o), false).output;
    }

    forward(x, seqLen, options) {
      const o = readOptions(options, Object.assign({}, ATTENTION_DEFAULTS, { returnWeights: true }), 'forward');
      return this._live().forward(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                  attentionOptions(o), o.returnWeights);
    }

    crossAttention(xq, nq, xkv, nk, options) {
      const o = readOptions(options, Object.assign({}, ATTENTION_DEFAULTS, { returnWeights: true }),
                            'crossAttention');
      return this._live().forward(toFloat32Array('xq', xq), toSize('nq', nq),
                                  toFloat32Array('xkv', xkv), toSize('nk', nk),
                                  attentionOptions(o), o.returnWeights);
    }

    trace(x, seqLen, options) {
      const o = readOptions(options, ATTENTION_DEFAULTS, 'trace');
      return this._live().trace(toFloat32Array('x', x), toSize('seqLen', seqLen), null, 0,
                                attentionOptions(o));
    }

    // pattern: 'previous_token', 'same_token', 'first_token', 'local_window' or 'uniform';
    // options.window: the half-width k of local_window (default 2).
    designHead(head, pattern, options) {
      if (!Number.isInteger(head) || head < 0) fail(`head must be an integer >= 0, got ${describe(head)}`);
      if (typeof pattern !== 'string') fail(`pattern must be a string, got ${describe(pattern)}`);
      const o = readOptions(options, { window: 2 }, 'designHead');
      if (!Number.isInteger(o.window)) fail(`designHead: window must be an integer, got ${describe(o.window)}`);
      this._live().designHead(head, pattern, o.window);
    }

    getWeights() { return this._live().getWeights(); }

    setWeights(weights) {
      if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
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
    tokens.forEach((token, i) => {
      if (typeof token !== 'string') fail(`tokens[${i}] must be a string, got ${describe(token)}`);
    });
    const o = readOptions(options, { positional: true, tokenVectors: true }, 'embedTokens');
    return module.rawEmbedTokens(tokens, toSize('embedDim', embedDim), toSeed(seed),
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
      return module.rawAttention(toFloat32Array('q', q), toFloat32Array('k', k),
                                 toFloat32Array('v', v), shape, scaled, attentionOptions(o),
                                 o.returnWeights);
    };
  }

  // The sqrt(d) experiment: random unit-variance q and k of (n, d), statistics of the scores and of
  // the softmax with and without scaling.
  function scalingStudy(d, n, seed) {
    return module.rawScalingStudy(toSize('d', d), toSize('n', n), toSeed(seed));
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
    return module.rawMultiHeadAttention(toFloat32Array('q', q), toFloat32Array('k', k),
                                        toFloat32Array('v', v), shape, attentionOptions(o),
                                        o.returnWeights);
  }

  module.SimpleAttention = SimpleAttention;
  module.multiHeadAttention = multiHeadAttention;
  module.scalingStudy = scalingStudy;
  module.embedTokens = embedTokens;
  module.scaledDotProductAttention = singleHead(true, 'scaledDotProductAttention');
  module.dotProductAttention = singleHead(false, 'dotProductAttention');
}(Module));
