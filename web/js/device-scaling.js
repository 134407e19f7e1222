// "Scaling": the quadratic cost of attention made visible on the user's own device. Runs the
// module's forward for n = 64 ... 4096 on the full path (which returns the n x n weights) and the
// tiled path (which never holds them), and plots time and memory against n. One measurement at a
// time, yielding to the page between them, with progress and a stop button: never a frozen tab.
'use strict';
(function deviceScalingModule(Spotlight) {
  const SIZES = [64, 128, 256, 512, 1024, 2048, 4096];
  // The full path's weights are heads * n^2 floats: at 4,096 tokens and 4 heads, 256 MB that the
  // wasm memory would keep for the rest of the visit (it only grows). So it stops at 2,048.
  const FULL_PATH_LIMIT = 2048;
  const TILE = { queries: 64, keys: 512 };  // the tiled path's tile of scores, src/core/kernels/attention_kernels.h
  const PATHS = [
    { key: 'full', label: 'full path (returns every weight)', colour: '#D55E00', dash: '' },
    { key: 'tiled', label: 'tiled path (online softmax, no weights)', colour: '#0072B2', dash: '5 3' },
  ];

  // About one frame between measurements, so the page can paint and handle input.
  const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 16));

  class DeviceScaling {
    // elements: {start, stop, upTo, progress, charts, table}; settings(): {embedDim, numHeads}
    constructor(module, elements, settings) {
      this.module = module;
      this.elements = elements;
      this.settings = settings;
      this.running = false;
      this.stopRequested = false;
      this.results = [];
      this.status = 'idle';
      if (elements.kernel) elements.kernel.textContent = DeviceScaling.describeKernel(module);
      elements.start.addEventListener('click', () => this.run());
      elements.stop.addEventListener('click', () => { this.stopRequested = true; });
    }

    async run() {
      if (this.running) return;
      const { embedDim, numHeads } = this.settings();
      const upTo = Number(this.elements.upTo.value);
      const sizes = SIZES.filter((n) => n <= upTo);
      this.running = true;
      this.stopRequested = false;
      this.results = [];
      this.status = 'running';
      this.elements.start.disabled = true;
      this.elements.stop.disabled = false;
      const layer = new this.module.SimpleAttention(embedDim, numHeads, 1);
      const total = sizes.length * PATHS.length;
      let done = 0;
      try {
        for (const n of sizes) {
          const x = Float32Array.from({ length: n * embedDim }, (_, i) => Math.sin(i * 0.37) * 0.5);
          for (const path of PATHS) {
            if (this.stopRequested) break;
            done += 1;
            this.elements.progress.value = done / total;
            this.elements.progress.textContent = `${done} of ${total}`;
            this.setMessage(`Measuring ${n.toLocaleString('en')} tokens on the ${path.key} path (${done} of ${total})…`);
            await nextFrame();  // let the page paint and take input before the next measurement
            this.results.push(path.key === 'full' && n > FULL_PATH_LIMIT
              ? { n, path: path.key, skipped: `over ${FULL_PATH_LIMIT} tokens its weights would keep ${(numHeads * n * n * 4 / 2 ** 20).toFixed(0)} MB` }
              : this.measure(layer, x, n, path.key, embedDim, numHeads));
            this.render();
          }
          if (this.stopRequested) break;
        }
      } finally {
        layer.delete();
        this.running = false;
        this.status = this.stopRequested ? 'stopped' : 'done';
        this.elements.start.disabled = false;
        this.elements.stop.disabled = true;
      }
      this.setMessage(this.status === 'stopped'
        ? `Stopped after ${this.results.length} measurements.`
        : `Done: ${this.results.length} measurements at d_model ${embedDim}, ${numHeads} heads.`);
    }

    measure(layer, x, n, path, embedDim, numHeads) {
      const MIN_SAMPLE_MS = 10;
      const MAX_CALLS = 4096;
      const returnWeights = path === 'full';
      const repeats = n <= 256 ? 5 : (n <= 1024 ? 3 : 1);
      // Each sample times as many forwards as take at least MIN_SAMPLE_MS, and divides: a clock
      // of 1 ms (Firefox's, in a page that is not cross-origin isolated, as file:// cannot be)
      // would otherwise read a short forward as 0 ms.
      const times = [];
      let calls = 1;
      for (let r = 0; r < repeats; r += 1) {
        let elapsed = 0;
        for (;;) {
          const start = performance.now();
          for (let c = 0; c < calls; c += 1) layer.forward(x, n, { returnWeights });
          elapsed = performance.now() - start;
          if (elapsed >= MIN_SAMPLE_MS || calls >= MAX_CALLS) break;
          calls *= 4;
        }
        times.push(elapsed / calls);
      }
      times.sort((a, b) => a - b);
      const io = 2 * n * embedDim * 4;  // the input and the output
      return {
        n, path, ms: times[Math.floor(times.length / 2)],
        // What the path holds at once, computed: every head's n x n weights, or one tile of scores
        // and one head's q, k, v with k and v packed for the products.
        bytes: returnWeights ? numHeads * n * n * 4 + io : (Math.min(TILE.queries, n) * Math.min(TILE.keys, n) + 5 * n * (embedDim / numHeads)) * 4 + io,
        heapBytes: this.module.memoryStats().heapBytes,
      };
    }

    // Which kernel runs the matrix products here (src/wasm/kernel_paths.js), in words.
    static describeKernel(module) {
      const fused = module.simd === 'relaxed-simd';
      const path = fused
        ? 'relaxed SIMD, whose fused multiply-add (f32x4.relaxed_madd) does a * b + c in one instruction'
        : 'SIMD128, a multiply then an add';
      const why = fused ? '' : module.relaxedSimdSupported
        ? ' (relaxed SIMD is available here but was not used)'
        : ' (this browser has no relaxed SIMD; Chromium and Firefox do)';
      return `Matrix products on this device: ${path}${why}.`;
    }

    setMessage(text) {
      this.elements.status.textContent = text;
    }

    render() {
      const { charts, table } = this.elements;
      const sizes = [...new Set(this.results.map((r) => r.n))];
      charts.textContent = '';
      table.textContent = '';
      if (sizes.length < 1) return;
      const value = (n, path, field) => {
        const r = this.results.find((entry) => entry.n === n && entry.path === path);
        return r && !r.skipped ? r[field] : null;
      };
      const series = (field, scale = 1) => PATHS.map((p) => Object.assign({}, p,
        { values: sizes.map((n) => (value(n, p.key, field) === null ? null : value(n, p.key, field) / scale)) }));
      const wrap = document.createElement('div');
      wrap.className = 'charts';
      if (sizes.length > 1) {
        wrap.appendChild(Spotlight.charts.lineChart('time per forward (ms, log scale)', sizes, series('ms'), { logY: true, xLabel: 'tokens' }));
        wrap.appendChild(Spotlight.charts.lineChart('memory the path holds (MB, log scale)', sizes, series('bytes', 2 ** 20), { logY: true, xLabel: 'tokens' }));
      }
      charts.append(wrap, Spotlight.charts.legend(PATHS));
      const header = document.createElement('tr');
      for (const title of ['tokens', 'path', 'time (ms)', 'memory held (MB)', 'wasm memory now (MB)']) {
        const th = document.createElement('th');
        th.textContent = title;
        header.appendChild(th);
      }
      table.appendChild(header);
      for (const r of this.results) {
        const row = document.createElement('tr');
        const cells = r.skipped ? [r.n, r.path, `skipped: ${r.skipped}`, '', '']
          : [r.n, r.path, r.ms.toFixed(2), (r.bytes / 2 ** 20).toFixed(2), (r.heapBytes / 2 ** 20).toFixed(0)];
        for (const text of cells) {
          const td = document.createElement('td');
          td.textContent = String(text);
          row.appendChild(td);
        }
        table.appendChild(row);
      }
    }
  }

  Spotlight.DeviceScaling = DeviceScaling;
}(window.Spotlight));
