// The worker that holds an opened GPT-2-family model: it reads the user's files (File objects,
// passed to it, never read on the main thread), feeds model.safetensors to the module piece by
// piece, and answers the page's questions about a text. The weights live here only; the page
// receives tokens, maps and probabilities. Built from source like the training worker
// (pretrained-client.js puts the module's factory and this function's text in one Blob, because a
// worker cannot load a script file from file://), so nothing here may refer to the page's globals.
//
// Requests in:  {id, type: 'open', files: {name: File}} -> {config, memory, loadMs}
//               {id, type: 'view', text, layer, side, trace, compareLayer} -> the view of a text
//                 (see view())
//               {id, type: 'next', ids, position, k} -> [{id, probability, label}]
//               {id, type: 'generate', ids, count, options} -> {tokens, probabilities, attention}
//               {id, type: 'detect', options} -> the detectors' scores per head
//               {id, type: 'relations', set, first, count} -> the workshop's relations per head
// Replies out:  {id, type: 'reply', result}, {id, type: 'error', message},
//               {id, type: 'progress', bytesRead, size} while a model is read.
'use strict';
(function pretrainedWorkerModule(Spotlight) {
  function pretrainedWorkerMain(scope, createModule) {
    'use strict';
    // Pieces of model.safetensors read from the file and fed at once: small against the model
    // (548 MB for gpt2), so the file is never held whole, and few enough calls that they cost
    // nothing.
    const PIECE_BYTES = 8 * 1024 * 1024;
    const TOKENIZER_NAMES = ['vocab.json', 'merges.txt', 'tokenizer.json'];
    let modulePromise = null;
    let model = null;

    function module() {
      if (!modulePromise) modulePromise = createModule();
      return modulePromise;
    }

    function post(message, transfer) {
      scope.postMessage(message, transfer || []);
    }

    async function bytesOf(file) {
      return new Uint8Array(await file.arrayBuffer());
    }

    // The model's files read and fed; progress after each piece.
    async function open(id, files) {
      const m = await module();
      const started = Date.now();
      const weights = files['model.safetensors'];
      const small = {};
      for (const name of ['config.json'].concat(TOKENIZER_NAMES)) {
        if (files[name]) small[name] = await bytesOf(files[name]);
      }
      if (!weights) {
        // The module names every missing file of the set.
        m.loadPretrained(Object.assign({}, small));
      }
      const loader = m.openPretrained(small, weights.size);
      try {
        for (let at = 0; at < weights.size; at += PIECE_BYTES) {
          const piece = await bytesOf(weights.slice(at, Math.min(weights.size, at + PIECE_BYTES)));
          loader.feed(piece);
          post({ id, type: 'progress', bytesRead: loader.bytesRead, size: weights.size });
        }
        if (model) model.delete();
        model = loader.finish();
      } finally {
        if (!loader.isDeleted()) loader.delete();
      }
      return { config: model.config, memory: m.memoryStats(), loadMs: Date.now() - started };
    }

    function live() {
      if (!model) throw new Error('no model is open');
      return model;
    }

    // How a token shows on the page: its text with a leading or inner space as "␣", a newline as
    // "↵", other control characters as their Unicode pictures, invisible format characters (a
    // right-to-left override, a zero-width joiner) as their code point, a lone surrogate as U+FFFD
    // (what the module read); a token holding only the later bytes of a character (its text is
    // "") as those bytes in hex.
    function label(token) {
      if (token.text === '') {
        const bytes = Array.from(live().tokenBytes(token.id), (b) => b.toString(16).padStart(2, '0'));
        return `⟨${bytes.join(' ')}⟩`;
      }
      return Array.from(token.text, (c) => {
        if (c === ' ') return '␣';
        if (c === '\n') return '↵';
        const code = c.codePointAt(0);
        if (code < 0x20) return String.fromCodePoint(0x2400 + code);
        if (code === 0x7f) return '␡';
        if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
        if (/\p{Cf}/u.test(c)) return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
        return c;
      }).join('');
    }

    function labelOf(id) {
      const text = new TextDecoder('utf-8', { fatal: false }).decode(live().tokenBytes(id));
      return label({ id, text: text.includes('\uFFFD') ? '' : text });
    }

    // The text as the model reads it (at most its context) and what the views need of it: every
    // head's map reduced to side x side, the layer's maps in full, the next tokens, and the
    // layer's trace when the text is short enough for the step-by-step view.
    function view({ text, layer, side, trace, compareLayer }) {
      const m = live();
      const context = m.config.contextLength;
      const encoded = m.encode(text);
      const total = encoded.ids.length;
      const ids = encoded.ids.slice(0, context);
      const tokens = encoded.tokens.slice(0, context).map((t) => ({ id: t.id, start: t.start, end: t.end, label: label(t) }));
      if (ids.length === 0) return { tokens, total, ids, n: 0 };
      const started = Date.now();
      const overview = m.overview(ids, { layer, side, k: 10 });
      const result = {
        tokens, total, ids, n: ids.length, layer, side: overview.side,
        reduced: overview.reduced.data, layerMaps: overview.layerMaps.data,
        top: overview.top.map((t) => ({ id: t.id, probability: t.probability, label: labelOf(t.id) })),
        trace: trace && ids.length <= trace ? m.trace(ids, layer) : null,
        compareMaps: compareLayer !== null && compareLayer !== undefined && compareLayer !== layer
          ? m.attention(ids, compareLayer).data : null,
      };
      result.computeMs = Date.now() - started;
      return result;
    }

    function next({ ids, position, k }) {
      return live().topNext(ids, { position, k }).map((t) => ({ id: t.id, probability: t.probability, label: labelOf(t.id) }));
    }

    function generate({ ids, count, options }) {
      const out = live().generate(ids, count, Object.assign({}, options, { attention: true }));
      return {
        ids: out.ids, probabilities: out.probabilities, labels: Array.from(out.ids, labelOf),
        text: live().decode(out.ids), attention: out.attention.map((a) => a.data),
      };
    }

    function detect(options) {
      const scores = live().detectHeads(options);
      const copy = {};
      for (const [key, value] of Object.entries(scores)) {
        copy[key] = ArrayBuffer.isView(value) ? Array.from(value) : value;
      }
      return copy;
    }

    // The buffers of a reply, transferred rather than copied.
    function transferables(result) {
      const out = [];
      const visit = (value) => {
        if (ArrayBuffer.isView(value)) {
          if (!out.includes(value.buffer)) out.push(value.buffer);
        } else if (Array.isArray(value)) {
          value.forEach(visit);
        } else if (value && typeof value === 'object') {
          Object.values(value).forEach(visit);
        }
      };
      visit(result);
      return out;
    }

    // The workshop's relations in every head, on a piece of the held-out or novel sentences.
    function relations({ set, first, count }) {
      const out = live().workshopRelations({ set, first, count });
      return {
        total: out.total, skipped: out.skipped,
        relations: out.relations.map((r) => ({ name: r.name, sequences: r.sequences, instances: r.instances,
          accuracy: Array.from(r.accuracy) })),
      };
    }

    const HANDLERS = { open: (r) => open(r.id, r.files), view, next, generate, detect: (r) => detect(r.options), relations };

    // One request at a time, in order: a model's calls are not reentrant, and the page sends the
    // next view only after the last one's reply.
    let queue = Promise.resolve();
    scope.onmessage = (event) => {
      const request = event.data || {};
      queue = queue.then(async () => {
        const handler = HANDLERS[request.type];
        try {
          if (!handler) throw new Error(`unknown request "${String(request.type)}"`);
          const result = await handler(request);
          post({ id: request.id, type: 'reply', result }, transferables(result));
        } catch (error) {
          post({ id: request.id, type: 'error', message: error && error.message ? error.message : String(error) });
        }
      });
    };
  }

  Spotlight.pretrainedWorkerMain = pretrainedWorkerMain;
}(self.Spotlight || (self.Spotlight = {})));
