// The bridge to the wasm module: every number the page shows is computed here, by the module.
// No attention maths is done in JavaScript; the statistics of the weights (row sums, entropy,
// mean and max over heads) are summaries of the module's output.
'use strict';
(function engineModule(Spotlight) {
  class Engine {
    constructor(module) {
      this.module = module;
      this.layer = null;
      this.layerKey = '';
    }

    // The SimpleAttention for these settings, reused while embedDim, numHeads and seed are equal.
    layerFor({ embedDim, numHeads, seed }) {
      const key = `${embedDim}/${numHeads}/${seed}`;
      if (key !== this.layerKey) {
        const layer = new this.module.SimpleAttention(embedDim, numHeads, seed);
        if (this.layer) this.layer.delete();
        this.layer = layer;
        this.layerKey = key;
      }
      return this.layer;
    }

    // tokens: non-empty array of strings. Returns {n, heads, x, output, weights: [Float32Array
    // (n*n) per head], headMean, headMax} for the settings.
    compute(tokens, settings) {
      const n = tokens.length;
      const x = this.module.embedTokens(tokens, settings.embedDim, settings.seed,
        { positional: settings.positional });
      const layer = this.layerFor(settings);
      const options = {
        causal: settings.causal,
        temperature: settings.temperature,
        scale: settings.scaled ? null : 1,
        returnWeights: true,
      };
      const { output, weights } = layer.forward(x, n, options);
      const heads = [];
      for (let h = 0; h < settings.numHeads; h += 1) {
        heads.push(weights.subarray(h * n * n, (h + 1) * n * n));
      }
      return { n, heads: settings.numHeads, x, output, weights: heads,
        headMean: combineHeads(heads, n, (a, b) => a + b, 1 / heads.length),
        headMax: combineHeads(heads, n, Math.max, 1) };
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
  Spotlight.rowStatistics = rowStatistics;
}(window.Spotlight));
