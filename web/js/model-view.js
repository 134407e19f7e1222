// A trained TinyTransformer as the page shows it: the text read as the model reads it (the core's
// word splitter, lowercase, <bos> first, unknown words as <unk>), its attention maps from the
// module's forward, one layer's trace for the step-by-step view, and what the head detectors
// (src/core/analysis/head_scores.h) find in each head. No attention maths here either: every number comes
// from the module.
'use strict';
(function modelViewModule(Spotlight) {
  const BOS = '<bos>';
  const UNKNOWN = '<unk>';
  // The relations the workshop corpus teaches, as the page names them, with the preset that asks
  // about each (settings.js).
  const RELATIONS = [
    { name: 'coreference', preset: 'cat', label: 'coreference', question: 'does "it" attend to "cat"?', query: 'it', key: 'cat' },
    { name: 'agreement', preset: 'dogs', label: 'agreement', question: 'does "are" attend to "dogs"?', query: 'are', key: 'dogs' },
    { name: 'relative_clause', preset: 'book', label: 'relative clause', question: 'does "was" attend to "book"?', query: 'was', key: 'book' },
  ];
  const LABEL_THRESHOLD = 0.5;  // a head's label names what it does at least half the time

  // base64 (the embedded checkpoint of web/generated/models/NAME.js) to bytes.
  function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  class ModelView {
    // model: a TinyTransformer with a vocabulary; metadata: what it was trained on (parsed JSON
    // or null); module: the wasm module.
    constructor(module, model, metadata) {
      if (model.vocabulary.length !== model.config.vocabSize) {
        throw new Error(`the model has no vocabulary of its ${model.config.vocabSize} tokens ` +
          `(it has ${model.vocabulary.length} words), so the page cannot read text with it`);
      }
      this.module = module;
      this.model = model;
      this.metadata = metadata;
      this.config = model.config;
      this.vocabulary = model.vocabulary;
      this.characters = model.tokenizer === 'char';
      this.known = new Set(this.vocabulary);
      this.labels = null;
    }

    static fromEmbedded(module, name) {
      const embedded = (globalThis.SpotlightModels || {})[name];
      if (!embedded) {
        throw new Error(`the trained model (generated/models/${name}.js) is missing: build it with ./build.sh`);
      }
      const model = module.TinyTransformer.load(decodeBase64(embedded.bytes));
      try {
        return new ModelView(module, model, embedded.metadata || null);
      } catch (error) {
        model.delete();
        throw error;
      }
    }

    delete() {
      if (!this.model.isDeleted()) this.model.delete();
    }

    // {tokens (what the page labels: <bos>, then the words as typed, lowercased), ids, words,
    // unknown (the words read as <unk>), total (words in the text), cut (words left out)}.
    read(text) {
      const source = wellFormed(text);
      const split = this.characters ? this.module.splitCharacters(source, false)
        : this.module.splitWords(source, true);
      const room = this.config.contextLength - 1;
      const words = split.slice(0, room);
      const ids = this.module.encode(this.vocabulary, words);
      const unknown = [];
      words.forEach((word, i) => { if (ids[i] === 0 && word !== UNKNOWN && !unknown.includes(word)) unknown.push(word); });
      const tokens = [BOS].concat(words);
      const all = new Int32Array(ids.length + 1);
      all[0] = this.vocabulary.indexOf(BOS) >= 0 ? this.vocabulary.indexOf(BOS) : 1;
      all.set(ids, 1);
      return { tokens, ids: all, words, unknown, total: split.length, cut: split.length - words.length };
    }

    // The result the views draw, as Engine.compute's: {n, heads, layers, layer, weights (the
    // layer's heads, n*n each), allLayers [layer][head], headMean, headMax, trace, x}.
    compute(ids, layer, { trace = true } = {}) {
      const { numLayers, numHeads } = this.config;
      const n = ids.length;
      const { attention } = this.model.forward(ids);
      const allLayers = [];
      for (let l = 0; l < numLayers; l += 1) {
        const heads = [];
        for (let h = 0; h < numHeads; h += 1) {
          const start = (l * numHeads + h) * n * n;
          heads.push(attention.data.subarray(start, start + n * n));
        }
        allLayers.push(heads);
      }
      const weights = allLayers[layer];
      const layerTrace = trace && n <= Spotlight.STEP_BY_STEP_MAX_TOKENS ? this.model.trace(ids, layer) : null;
      return {
        n, heads: numHeads, layers: numLayers, layer, weights, allLayers,
        headMean: Spotlight.combineHeads(weights, n, (a, b) => a + b, 1 / numHeads),
        headMax: Spotlight.combineHeads(weights, n, Math.max, 1),
        trace: layerTrace, x: layerTrace ? layerTrace.input.data : null,
      };
    }

    // The relation of a preset and its best head as the training report measured it, or null.
    relationOf(presetId) {
      const relation = RELATIONS.find((r) => r.preset === presetId);
      if (!relation || !this.metadata || !Array.isArray(this.metadata.relations)) return null;
      const report = this.metadata.relations.find((r) => r.name === relation.name);
      return report ? Object.assign({}, relation, report) : null;
    }

    // Per head (layer-major), what the detectors find on held-out data: [{layer, head, scores:
    // {name: value}, label}]. For a workshop model the workshop relations are scored too.
    headLabels(sample) {
      if (this.labels) return this.labels;
      const { numLayers, numHeads } = this.config;
      const heads = this.module.scoreModelHeads(this.model, sample.sequences);
      const relations = sample.sentences ? this.module.scoreModelRelations(this.model, sample.sentences) : [];
      const labels = [];
      for (let l = 0; l < numLayers; l += 1) {
        for (let h = 0; h < numHeads; h += 1) {
          const k = l * numHeads + h;
          const scores = {
            'previous token': heads.previousToken[k], 'first token': heads.firstToken[k],
          };
          if (heads.inductionQueries > 0) scores.induction = heads.induction[k];
          for (const r of relations) {
            const relation = RELATIONS.find((x) => x.name === r.name);
            scores[relation ? relation.label : r.name] = r.accuracy[k];
          }
          labels.push({ layer: l, head: h, scores, label: describeScores(scores) });
        }
      }
      this.labels = labels;
      return labels;
    }
  }

  // The text with each lone surrogate (which UTF-8 cannot encode, so the module refuses it) as
  // U+FFFD, as a browser would encode it: such a word is then read as <unk>, with the notice.
  function wellFormed(text) {
    return String(text).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  }

  // The three strongest findings at or above the threshold ("previous token 0.93"), else the
  // strongest with "weak".
  function describeScores(scores) {
    const entries = Object.entries(scores).filter(([, v]) => Number.isFinite(v)).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) return 'no detector applies';
    const strong = entries.filter(([, v]) => v >= LABEL_THRESHOLD).slice(0, 3);
    if (strong.length === 0) return `no clear role (best: ${entries[0][0]} ${entries[0][1].toFixed(2)})`;
    return strong.map(([name, v]) => `${name} ${v.toFixed(2)}`).join(', ');
  }

  Spotlight.ModelView = ModelView;
  Spotlight.RELATIONS = RELATIONS;
  Spotlight.describeScores = describeScores;
  Spotlight.decodeBase64 = decodeBase64;
  Spotlight.wellFormed = wellFormed;
}(window.Spotlight));
