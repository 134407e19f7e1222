// A canvas heatmap of one (n_q, n_k) weight matrix: rows are queries ("attending from"), columns
// keys ("attending to"). One pixel per cell is written to an offscreen canvas and scaled up
// without smoothing, so 1,024 x 1,024 cells draw in milliseconds. Labels are drawn as canvas
// text (never HTML), the tooltip is set with textContent.
'use strict';
(function heatmapModule(Spotlight) {
  const { table, divergingTable, textOn } = Spotlight.colormap;
  const LABEL_FONT = '12px system-ui, sans-serif';
  const MAX_LABELLED = 64;      // more tokens than this: index ticks instead of token labels
  const MAX_LABEL_CHARS = 14;

  function shortLabel(text) {
    const chars = Array.from(text);
    return chars.length > MAX_LABEL_CHARS ? `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…` : text;
  }

  class Heatmap {
    // options: {labels: bool, maxCell: px, fixedSize: px or 0, onSelect(row, col), tooltip: element,
    // diverging: bool (a difference, coloured from -colourMax to +colourMax)}
    constructor(canvas, options = {}) {
      this.canvas = canvas;
      this.options = Object.assign({ labels: true, maxCell: 44, fixedSize: 0 }, options);
      this.values = null;
      this.n = { rows: 0, cols: 0 };
      this.pinned = null;  // {row, col}
      this.layout = null;
      this.offscreen = document.createElement('canvas');
      if (this.options.tooltip) this.attachPointer();
    }

    // values: Float32Array(rows*cols) in [0, 1]; rowLabels/colLabels: arrays of strings;
    // colourMax: the weight drawn in the top colour of the scale (1, or the largest weight to
    // stretch the scale when weights are small, as over long texts).
    draw(values, rowLabels, colLabels, colourMax = 1) {
      this.values = values;
      this.colourMax = colourMax > 0 ? colourMax : 1;
      this.rowLabels = rowLabels;
      this.colLabels = colLabels;
      this.n = { rows: rowLabels.length, cols: colLabels.length };
      if (this.pinned && (this.pinned.row >= this.n.rows || this.pinned.col >= this.n.cols)) {
        this.pinned = null;
      }
      this.render();
    }

    computeLayout(context) {
      const { rows, cols } = this.n;
      const labelled = this.options.labels && Math.max(rows, cols) <= MAX_LABELLED;
      let left = 0;
      let top = 0;
      if (this.options.labels) {
        context.font = LABEL_FONT;
        const widest = (labels) => labels.reduce(
          (w, label) => Math.max(w, context.measureText(shortLabel(label)).width), 0);
        left = labelled ? Math.ceil(widest(this.rowLabels)) + 10 : 34;
        top = labelled ? Math.ceil(widest(this.colLabels) * 0.75) + 14 : 18;
      }
      const available = this.options.fixedSize ||
        Math.max(120, (this.canvas.parentElement ? this.canvas.parentElement.clientWidth : 480) - left - 4);
      const fit = available / Math.max(rows, cols);
      const cell = Math.min(this.options.maxCell, fit >= 2 ? Math.floor(fit) : fit);
      return { labelled, left, top, cell, width: left + cell * cols, height: top + cell * rows };
    }

    render() {
      const { rows, cols } = this.n;
      const context = this.canvas.getContext('2d');
      const layout = this.computeLayout(context);
      this.layout = layout;
      const ratio = window.devicePixelRatio || 1;
      this.canvas.width = Math.ceil(layout.width * ratio);
      this.canvas.height = Math.ceil(layout.height * ratio);
      this.canvas.style.width = `${layout.width}px`;
      this.canvas.style.height = `${layout.height}px`;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, layout.width, layout.height);

      // cells: one pixel each, then scaled up without smoothing
      this.offscreen.width = cols;
      this.offscreen.height = rows;
      const pixels = new ImageData(cols, rows);
      const rgba = pixels.data;
      const { values } = this;
      const stretch = 1 / this.colourMax;
      // Diverging maps [-max, max] onto the table; sequential maps [0, max].
      const diverging = this.options.diverging;
      const colours = diverging ? divergingTable : table;
      for (let i = 0; i < rows * cols; i += 1) {
        // the colour lookup inlined: a million cells per head must not allocate a million arrays
        const value = diverging ? (values[i] * stretch + 1) / 2 : values[i] * stretch;
        const entry = (value > 0 ? (value < 1 ? Math.round(value * 255) : 255) : 0) * 3;
        rgba[i * 4] = colours[entry];
        rgba[i * 4 + 1] = colours[entry + 1];
        rgba[i * 4 + 2] = colours[entry + 2];
        rgba[i * 4 + 3] = 255;
      }
      this.offscreen.getContext('2d').putImageData(pixels, 0, 0);
      context.imageSmoothingEnabled = false;
      context.drawImage(this.offscreen, layout.left, layout.top, cols * layout.cell, rows * layout.cell);

      if (layout.cell >= 30 && rows <= 24) this.drawValues(context, layout);
      if (this.options.labels) this.drawLabels(context, layout);
      this.drawPinned(context, layout);
    }

    drawValues(context, layout) {
      context.font = `${Math.min(12, Math.floor(layout.cell / 3))}px system-ui, sans-serif`;
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      for (let row = 0; row < this.n.rows; row += 1) {
        for (let col = 0; col < this.n.cols; col += 1) {
          const value = this.values[row * this.n.cols + col];
          context.fillStyle = this.options.diverging
            ? (Math.abs(value / this.colourMax) > 0.6 ? '#fff' : '#111') : textOn(value / this.colourMax);
          context.fillText(value.toFixed(2).replace(/^(-?)0\./, '$1.'), layout.left + (col + 0.5) * layout.cell,
            layout.top + (row + 0.5) * layout.cell);
        }
      }
    }

    drawLabels(context, layout) {
      const style = getComputedStyle(this.canvas);
      context.fillStyle = style.color || '#222';
      context.font = LABEL_FONT;
      const { rows, cols } = this.n;
      if (layout.labelled) {
        context.textAlign = 'right';
        context.textBaseline = 'middle';
        for (let row = 0; row < rows; row += 1) {
          context.fillText(shortLabel(this.rowLabels[row]), layout.left - 6,
            layout.top + (row + 0.5) * layout.cell);
        }
        context.textAlign = 'left';
        for (let col = 0; col < cols; col += 1) {
          context.save();
          context.translate(layout.left + (col + 0.5) * layout.cell, layout.top - 6);
          context.rotate(-Math.PI / 4);
          context.fillText(shortLabel(this.colLabels[col]), 0, 0);
          context.restore();
        }
        return;
      }
      // Too many tokens for labels: index ticks.
      const step = Math.max(1, Math.ceil(Math.max(rows, cols) / 8));
      context.textBaseline = 'middle';
      context.textAlign = 'right';
      for (let row = 0; row < rows; row += step) {
        context.fillText(String(row), layout.left - 4, layout.top + (row + 0.5) * layout.cell);
      }
      context.textAlign = 'center';
      context.textBaseline = 'bottom';
      for (let col = 0; col < cols; col += step) {
        context.fillText(String(col), layout.left + (col + 0.5) * layout.cell, layout.top - 3);
      }
    }

    drawPinned(context, layout) {
      if (!this.pinned) return;
      const { row, col } = this.pinned;
      context.lineWidth = 2;
      context.strokeStyle = '#e8336d';
      context.strokeRect(layout.left, layout.top + row * layout.cell, this.n.cols * layout.cell, layout.cell);
      context.lineWidth = 3;
      context.strokeRect(layout.left + col * layout.cell, layout.top + row * layout.cell, layout.cell, layout.cell);
    }

    // {row, col} under a pointer event, or null outside the cells.
    cellAt(event) {
      if (!this.layout) return null;
      const box = this.canvas.getBoundingClientRect();
      const x = event.clientX - box.left - this.layout.left;
      const y = event.clientY - box.top - this.layout.top;
      const col = Math.floor(x / this.layout.cell);
      const row = Math.floor(y / this.layout.cell);
      if (x < 0 || y < 0 || row >= this.n.rows || col >= this.n.cols) return null;
      return { row, col };
    }

    value(row, col) {
      return this.values[row * this.n.cols + col];
    }

    describe(row, col) {
      return `query "${this.rowLabels[row]}" (${row}) → key "${this.colLabels[col]}" (${col}): ` +
        `weight ${this.value(row, col).toFixed(4)}`;
    }

    pin(cell) {
      this.pinned = cell;
      this.render();
      if (this.options.onSelect) this.options.onSelect(cell);
    }

    attachPointer() {
      const tooltip = this.options.tooltip;
      this.canvas.addEventListener('mousemove', (event) => {
        const cell = this.cellAt(event);
        if (!cell) {
          tooltip.hidden = true;
          return;
        }
        tooltip.textContent = this.describe(cell.row, cell.col);
        tooltip.hidden = false;
        const box = this.canvas.parentElement.getBoundingClientRect();
        tooltip.style.left = `${event.clientX - box.left + 14}px`;
        tooltip.style.top = `${event.clientY - box.top + 14}px`;
      });
      this.canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
      this.canvas.addEventListener('click', (event) => {
        const cell = this.cellAt(event);
        if (!cell) return;
        const same = this.pinned && this.pinned.row === cell.row && this.pinned.col === cell.col;
        this.pin(same ? null : cell);
      });
      this.canvas.addEventListener('keydown', (event) => {
        const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
        if (event.key === 'Escape') {
          this.pin(null);
          return;
        }
        if (!moves[event.key]) return;
        event.preventDefault();
        const current = this.pinned || { row: 0, col: 0 };
        const [dr, dc] = this.pinned ? moves[event.key] : [0, 0];
        this.pin({
          row: Math.min(this.n.rows - 1, Math.max(0, current.row + dr)),
          col: Math.min(this.n.cols - 1, Math.max(0, current.col + dc)),
        });
      });
    }
  }

  Spotlight.Heatmap = Heatmap;
  Spotlight.shortLabel = shortLabel;
}(window.Spotlight));
