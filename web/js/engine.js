// The bridge to the wasm module: every number the page shows is computed here, by the module.
// No attention maths is done in JavaScript; the statistics of the weights (row sums, entropy,
// mean and max over heads) are summaries of the module's output.
'use strict';
(function engineModule(Spotlight) {
  const STEP_BY_STEP_MAX_TOKENS = 16;

  class Engine {
    constructor(module) {
      this.module = module;
      this.layers = new Map();  // key -> SimpleAttention; at most two (a view and its comparison)
    }

    // The SimpleAttention for these settings: random weights from the seed, then the designed
    // heads. Reused while the settings that shape it are equal.
    layerFor({ embedDim, numHeads, seed, headPatterns = [], window = 2 }) {
      const patterns = headPatterns.slice(0, numHeads);
      const key = `${embedDim}/${numHeads}/${seed}/${patterns.join(',')}/${window}`;
      if (!this.layers.has(key)) {
        const layer = new this.module.SimpleAttention(embedDim, numHeads, seed);
        try {
          patterns.forEach((pattern, head) => {
            if (pattern && pattern !== 'random') layer.designHead(head, pattern, { window });
          });
        } catch (error) {
          layer.delete();
          throw error;
        }
        while (this.layers.size >= 2) {
          const [oldest] = this.layers.keys();
          this.layers.get(oldest).delete();
          this.layers.delete(oldest);
        }
        this.layers.set(key, layer);
      }
      return this.layers.get(key);
    }

    // tokens: non-empty array of strings. Returns {n, heads, x, output, weights: [Float32Array
    // (n*n) per head], headMean, headMax, trace (up to 16 tokens, else null)}.
    compute(tokens, settings) {
      const n = tokens.length;
      const x = this.module.embedTokens(tokens, settings.embedDim, settings.seed,
        { positional: settings.positional });
      const layer = this.layerFor(settings);
      const options = {
        causal: settings.causal,
        temperature: settings.temperature,
        scale: settings.scaled ? null : 1,
      };
      const { output, weights } = layer.forward(x, n, Object.assign({ returnWeights: true }, options));
      const heads = [];
      for (let h = 0; h < settings.numHeads; h += 1) {
        heads.push(weights.subarray(h * n * n, (h + 1) * n * n));
      }
      const trace = n <= STEP_BY_STEP_MAX_TOKENS ? layer.trace(x, n, options) : null;
      return { n, heads: settings.numHeads, x, output, weights: heads, trace,
        headMean: combineHeads(heads, n, (a, b) => a + b, 1 / heads.length),
        headMax: combineHeads(heads, n, Math.max, 1) };
    }

    // The weights and projections the page exports: W_q, W_k, W_v, W_o and biases of the layer.
    weightsFor(settings) {
      return this.layerFor(settings).getWeights();
    }
  }

  function combineHeads(heads, n, combine, factor) {
    const result = Float32Array.from(heads[0]);
    for (let h = 1; h < heads.length; h += 1) {
      const head = heads[h];
      for (let i = 0; i < n * n; i += 1) result[i] = combine(result[i], head[i]);
    }
    if (factor !== 1) for (let i = 0; i < n * n; i += 1) result[i] *= factor;
    return result;
  }

  // Per row of an (n, n) matrix: its sum and, unless entropy is false, its entropy in bits.
  function rowStatistics(weights, n, { entropy = true } = {}) {
    const sums = new Float64Array(n);
    const entropies = entropy ? new Float64Array(n) : null;
    for (let i = 0; i < n; i += 1) {
      let sum = 0;
      let bits = 0;
      for (let j = 0; j < n; j += 1) {
        const w = weights[i * n + j];
        sum += w;
        if (entropy && w > 0) bits -= w * Math.log2(w);
      }
      sums[i] = sum;
      if (entropy) entropies[i] = bits;
    }
    return { sums, entropies };
  }

  Spotlight.Engine = Engine;
  Spotlight.STEP_BY_STEP_MAX_TOKENS = STEP_BY_STEP_MAX_TOKENS;
  Spotlight.rowStatistics = rowStatistics;
  Spotlight.combineHeads = combineHeads;
}(window.Spotlight));
