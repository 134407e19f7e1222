// Pretrained models over the raw bindings of src/wasm/pretrained_bindings.cpp, appended after
// api.js with --post-js, whose helpers it uses (attentionApi): a GPT-2-family checkpoint from
// Hugging Face's files, its tokenizer, and the calls the views need. src/wasm/attention.d.ts
// documents every shape.
//
// Text. encode() takes any JavaScript string: TextEncoder turns it into UTF-8 (a lone surrogate
// becomes U+FFFD, as it does for every web API), the core tokenizes the bytes, and each token's
// bytes come back as indices into the string: a character belongs to the token that holds its
// first byte (so a token made of the later bytes of an emoji covers no text, and its text is "").
//
// Names: loadPretrained, openPretrained, PretrainedModel.

/* global Module, attentionApi */
(function installPretrainedApi(module, api) {
  'use strict';

  const { fail, describe, readOptions, toIndex, toSize, toTokens, toBytes, WasmObject } = api;

  // What loadPretrained reads: config.json, model.safetensors and the tokenizer, as vocab.json +
  // merges.txt or tokenizer.json. Other files of a model's folder (generation_config.json,
  // pytorch_model.bin, ...) may be given and are not read.
  const REQUIRED = ['config.json', 'model.safetensors'];
  // The pieces model.safetensors is copied into the module in: small against the model, large
  // enough that the calls cost nothing.
  const PIECE_BYTES = 16 * 1024 * 1024;

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function fileBytes(files, name) {
    const value = files[name];
    if (typeof value === 'string') return encoder.encode(value);
    return toBytes(`files['${name}']`, value);
  }

  // {vocab, merges} or {tokenizerJson}, as Uint8Arrays, from the file set.
  function tokenizerFiles(files) {
    if (files['tokenizer.json'] !== undefined) return { tokenizerJson: fileBytes(files, 'tokenizer.json') };
    if (files['vocab.json'] !== undefined && files['merges.txt'] !== undefined) {
      return { vocab: fileBytes(files, 'vocab.json'), merges: fileBytes(files, 'merges.txt') };
    }
    const given = Object.keys(files);
    return fail('the tokenizer is missing: give vocab.json and merges.txt, or tokenizer.json ' +
                `(given: ${given.length ? given.join(', ') : 'no files'})`);
  }

  function checkFileSet(files, where) {
    if (files === null || typeof files !== 'object' || Array.isArray(files)) {
      fail(`${where}: files must be an object mapping file names to their bytes, got ${describe(files)}`);
    }
    for (const name of REQUIRED) {
      if (files[name] === undefined) {
        fail(`${where}: ${name} is missing (given: ${Object.keys(files).join(', ') || 'no files'}); ` +
             'a model needs config.json, model.safetensors, and vocab.json + merges.txt or tokenizer.json');
      }
    }
  }

  // Loading piece by piece: the model's files but model.safetensors, then that file's bytes in
  // order through feed(bytes) (any sizes), then finish() -> PretrainedModel. For a browser File:
  // feed(new Uint8Array(await file.slice(a, b).arrayBuffer())) piece after piece, so that the
  // file and the model are never held together.
  class PretrainedLoader extends WasmObject {
    // files: config.json and the tokenizer's; size: model.safetensors's length in bytes.
    constructor(files, size) {
      checkFileSet(Object.assign({ 'model.safetensors': true }, files), 'openPretrained');
      if (!Number.isSafeInteger(size) || size < 0) {
        fail(`openPretrained: the size of model.safetensors must be an integer >= 0, got ${describe(size)}`);
      }
      super('PretrainedLoader', new (api.bindings().PretrainedLoader)(
        fileBytes(files, 'config.json'), tokenizerFiles(files), size));
      this.size = size;
    }

    get bytesRead() { return this._live().bytesRead(); }

    feed(bytes) {
      const data = toBytes('bytes', bytes);
      for (let at = 0; at < data.length; at += PIECE_BYTES) {
        this._live().feed(data.subarray(at, Math.min(at + PIECE_BYTES, data.length)));
      }
    }

    finish() {
      const raw = this._live().finish();
      this.delete();
      return new PretrainedModel(raw);
    }
  }

  function openPretrained(files, size) {
    return new PretrainedLoader(files, size);
  }

  // files: {'config.json', 'model.safetensors', 'vocab.json' + 'merges.txt' or 'tokenizer.json'}
  // -> PretrainedModel. Each file's bytes as a Uint8Array or ArrayBuffer (text files also as
  // strings). A bad set throws an Error naming the file and the problem; the module is unharmed.
  function loadPretrained(files) {
    checkFileSet(files, 'loadPretrained');
    const model = fileBytes(files, 'model.safetensors');
    const loader = new PretrainedLoader(files, model.length);
    try {
      loader.feed(model);
      return loader.finish();
    } finally {
      loader.delete();
    }
  }

  // UTF-16 index of each UTF-8 byte boundary of `text` as TextEncoder encodes it: a byte inside a
  // character maps to the index after that character (its first byte's token holds it).
  function byteToIndex(text) {
    const indices = [0];
    for (let i = 0; i < text.length;) {
      const code = text.codePointAt(i);
      const units = code > 0xffff ? 2 : 1;
      // A lone surrogate is encoded as U+FFFD, three bytes.
      const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : (code >= 0xd800 && code <= 0xdfff) ? 3
        : code < 0x10000 ? 3 : 4;
      i += units;
      for (let b = 0; b < bytes; b += 1) indices.push(i);
    }
    return indices;
  }

  function toTokenIds(name, ids) {
    const tokens = toTokens(name, ids);
    if (tokens.length === 0) fail(`${name} is empty; give at least one token id`);
    return tokens;
  }

  // [{id, probability}] from the bindings' {tokens, probabilities}.
  function topList(top) {
    const result = [];
    for (let i = 0; i < top.tokens.length; i += 1) {
      result.push({ id: top.tokens[i], probability: top.probabilities[i] });
    }
    return result;
  }

  const GENERATE_DEFAULTS = { temperature: 1, topK: 0, topP: 1, seed: 0, attention: false };

  // A GPT-2-family model with its tokenizer (see attention.d.ts).
  class PretrainedModel extends WasmObject {
    constructor(raw) {
      super('PretrainedModel', raw);
      this.config = raw.config();
    }

    // {ids: Int32Array, tokens: [{id, text, start, end}]}: GPT-2's ids, and for each the part of
    // `text` it covers, text.slice(start, end).
    encode(text) {
      if (typeof text !== 'string') fail(`encode: text must be a string, got ${describe(text)}`);
      const encoded = this._live().encode(encoder.encode(text));
      const index = byteToIndex(text);
      const tokens = [];
      for (let i = 0; i < encoded.ids.length; i += 1) {
        const start = index[encoded.begins[i]];
        const end = index[encoded.ends[i]];
        tokens.push({ id: encoded.ids[i], text: text.slice(start, end), start, end });
      }
      return { ids: encoded.ids, tokens };
    }

    // The text of `ids` (invalid UTF-8, as a token may end inside a character, shows as U+FFFD).
    decode(ids) {
      return decoder.decode(this._live().decode(toTokens('ids', ids)));
    }

    // One token's bytes, as GPT-2 stores them (" the" for 262).
    tokenBytes(id) { return this._live().tokenBytes(toIndex('id', id)); }

    // {logits: {data, shape: [n, vocabSize]}} for n = ids.length (from firstPosition on, if given).
    forward(ids, options) {
      const o = readOptions(options, { firstPosition: 0 }, 'forward');
      return { logits: this._live().logits(toTokenIds('ids', ids), toIndex('firstPosition', o.firstPosition)) };
    }

    // Layer `layer`'s maps, {data, shape: [numHeads, n, n]}.
    attention(ids, layer) {
      return this._live().attention(toTokenIds('ids', ids), toIndex('layer', layer));
    }

    // Query `query`'s row in every head of `layer`: {data, shape: [numHeads, query + 1]}.
    attentionRow(ids, layer, query) {
      return this._live().attentionRow(toTokenIds('ids', ids), toIndex('layer', layer), toIndex('query', query));
    }

    // Every intermediate of `layer`'s attention, as SimpleAttention.trace gives it, and its input.
    trace(ids, layer) {
      return this._live().trace(toTokenIds('ids', ids), toIndex('layer', layer));
    }

    // The k likeliest next tokens after `position` (default: the last): [{id, probability}].
    topNext(ids, options) {
      const tokens = toTokenIds('ids', ids);
      const o = readOptions(options, { position: tokens.length - 1, k: 10 }, 'topNext');
      return topList(this._live().topNext(tokens, toIndex('position', o.position), toSize('k', o.k)));
    }

    // What the page's views of a text need, from one pass: every head's map reduced to at most
    // side x side (block maxima), `layer`'s maps in full and the k likeliest next tokens.
    overview(ids, options) {
      const tokens = toTokenIds('ids', ids);
      const o = readOptions(options, { layer: 0, side: 64, k: 10 }, 'overview');
      const out = this._live().overview(tokens, toIndex('layer', o.layer), toSize('side', o.side), toSize('k', o.k));
      return { side: out.side, reduced: out.reduced, layerMaps: out.layerMaps, top: topList(out) };
    }

    // `count` new tokens after `ids`: {ids: Int32Array, probabilities: Float32Array, attention:
    // null, or per token {data, shape: [numLayers * numHeads, keys]}}.
    generate(ids, count, options) {
      const o = readOptions(options, GENERATE_DEFAULTS, 'generate', {
        attention: (value) => api.toBoolean('attention', value),
      });
      const out = this._live().generate(toTokenIds('ids', ids), toIndex('count', count), o.temperature,
                                        toIndex('topK', o.topK), o.topP, api.toSeed(o.seed), o.attention);
      return { ids: out.tokens, probabilities: out.probabilities, attention: out.attention };
    }

    // The head detectors (previous token, first token, duplicate token, induction) on the
    // repeated random tokens test: a start token, R random tokens, the same R again.
    detectHeads(options) {
      const o = readOptions(options, { repeatLength: 50, sequences: 10, seed: 1 }, 'detectHeads');
      return this._live().detectHeads(toSize('repeatLength', o.repeatLength), toSize('sequences', o.sequences),
                                      api.toSeed(o.seed));
    }

    // The workshop's relations in the heads, on sentences first .. first + count - 1 of the
    // workshop report's held-out or novel set read as English: {total, relations: RelationScores[]}.
    workshopRelations(options) {
      const o = readOptions(options, { set: 'heldOut', first: 0, count: 600 }, 'workshopRelations',
        { set: (value) => api.toStringValue('set', value) });
      return this._live().workshopRelations(o.set, toIndex('first', o.first), toSize('count', o.count));
    }

    // {'config.json': string, 'model.safetensors': Uint8Array} in dtype 'F32', 'F16' or 'BF16'.
    save(options) {
      const o = readOptions(options, { dtype: 'F32' }, 'save', { dtype: (value) => api.toStringValue('dtype', value) });
      const saved = this._live().save(o.dtype);
      return { 'config.json': saved.config, 'model.safetensors': saved.model };
    }
  }

  module.loadPretrained = loadPretrained;
  module.openPretrained = openPretrained;
  module.PretrainedModel = PretrainedModel;
}(Module, attentionApi));
