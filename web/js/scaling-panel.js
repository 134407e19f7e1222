// "Why sqrt(d)?": the same kind of random queries and keys at d = 4 ... 1024, with and without the
// 1/sqrt(d) scaling. Every number comes from the module's scalingStudy; this file only draws.
'use strict';
(function scalingPanelModule(Spotlight) {
  const SVG = 'http://www.w3.org/2000/svg';
  const DIMENSIONS = [4, 16, 64, 256, 1024];
  const TOKENS = 64;
  const SERIES = [
    { key: 'unscaled', label: 'unscaled: softmax(q·k)', colour: '#D55E00', dash: '' },
    { key: 'scaled', label: 'scaled: softmax(q·k / √d)', colour: '#0072B2', dash: '5 3' },
  ];

  function svgElement(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  // A small line chart over d (log2 axis). series: [{label, colour, dash, values}].
  function lineChart(title, series, { logY = false, yMax = null } = {}) {
    const width = 260;
    const height = 170;
    const margin = { left: 44, right: 10, top: 24, bottom: 30 };
    const svg = svgElement('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
    svgElement('title', {}, svg).textContent = title;
    const all = series.flatMap((s) => s.values);
    const transform = (v) => (logY ? Math.log10(v) : v);
    const low = logY ? Math.floor(Math.log10(Math.min(...all))) : 0;
    const high = yMax !== null ? yMax : (logY ? Math.ceil(Math.log10(Math.max(...all))) : Math.max(...all) * 1.1);
    const x = (i) => margin.left + (i / (DIMENSIONS.length - 1)) * (width - margin.left - margin.right);
    const y = (v) => height - margin.bottom - ((transform(v) - low) / (high - low || 1)) * (height - margin.top - margin.bottom);
    svgElement('text', { x: margin.left, y: 14, class: 'chart-title' }, svg).textContent = title;
    // axes and ticks
    svgElement('line', { x1: margin.left, y1: height - margin.bottom, x2: width - margin.right, y2: height - margin.bottom, class: 'axis' }, svg);
    svgElement('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: height - margin.bottom, class: 'axis' }, svg);
    DIMENSIONS.forEach((d, i) => {
      svgElement('text', { x: x(i), y: height - margin.bottom + 14, 'text-anchor': 'middle', class: 'tick' }, svg).textContent = String(d);
    });
    svgElement('text', { x: (width + margin.left) / 2, y: height - 3, 'text-anchor': 'middle', class: 'tick' }, svg).textContent = 'd';
    const ticks = logY ? Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i)) : [0, high / 2, high];
    for (const tick of ticks) {
      svgElement('text', { x: margin.left - 4, y: y(tick) + 3, 'text-anchor': 'end', class: 'tick' }, svg)
        .textContent = logY ? String(tick) : tick.toPrecision(2);
    }
    for (const s of series) {
      const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
      svgElement('polyline', { points, fill: 'none', stroke: s.colour, 'stroke-width': 2, 'stroke-dasharray': s.dash }, svg);
      s.values.forEach((v, i) => svgElement('circle', { cx: x(i), cy: y(v), r: 2.5, fill: s.colour }, svg));
    }
    return svg;
  }

  function cell(tag, text) {
    const node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  // Runs the study through the module and fills `container`. Returns the points (for tests).
  function renderScalingPanel(container, module, seed) {
    const points = DIMENSIONS.map((d) => module.scalingStudy(d, TOKENS, seed));
    container.textContent = '';
    const charts = document.createElement('div');
    charts.className = 'charts';
    charts.appendChild(lineChart('variance of the scores (log scale)', [
      { label: 'q·k', colour: SERIES[0].colour, dash: '', values: points.map((p) => p.rawScoreVariance) },
      { label: 'q·k / √d', colour: SERIES[1].colour, dash: SERIES[1].dash, values: points.map((p) => p.scaledScoreVariance) },
    ], { logY: true }));
    for (const [metric, title, yMax] of [['maxWeight', 'largest weight in a row (1 = one-hot)', 1],
      ['entropyBits', `entropy in bits (${Math.log2(TOKENS)} = uniform)`, Math.log2(TOKENS)],
      ['gradientNorm', 'softmax gradient size (0 = no learning)', null]]) {
      charts.appendChild(lineChart(title, SERIES.map((s) => ({
        label: s.label, colour: s.colour, dash: s.dash, values: points.map((p) => p[s.key][metric]),
      })), { yMax }));
    }
    container.appendChild(charts);

    const legend = document.createElement('p');
    legend.className = 'chart-legend';
    for (const s of SERIES) {
      const item = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = s.colour;
      item.append(swatch, document.createTextNode(` ${s.label}  `));
      legend.appendChild(item);
    }
    container.appendChild(legend);

    const table = document.createElement('table');
    table.className = 'row-stats scaling-table';
    const header = document.createElement('tr');
    for (const title of ['d', 'variance of q·k', 'max weight (unscaled / scaled)', 'entropy bits (unscaled / scaled)',
      'gradient (unscaled / scaled)']) header.appendChild(cell('th', title));
    table.appendChild(header);
    for (const p of points) {
      const row = document.createElement('tr');
      row.dataset.d = String(p.d);
      row.append(cell('td', String(p.d)), cell('td', p.rawScoreVariance.toFixed(1)),
        cell('td', `${p.unscaled.maxWeight.toFixed(3)} / ${p.scaled.maxWeight.toFixed(3)}`),
        cell('td', `${p.unscaled.entropyBits.toFixed(2)} / ${p.scaled.entropyBits.toFixed(2)}`),
        cell('td', `${p.unscaled.gradientNorm.toFixed(4)} / ${p.scaled.gradientNorm.toFixed(4)}`));
      table.appendChild(row);
    }
    const wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    wrap.appendChild(table);
    container.appendChild(wrap);
    return points;
  }

  Spotlight.renderScalingPanel = renderScalingPanel;
  Spotlight.SCALING_STUDY = { DIMENSIONS, TOKENS };
}(window.Spotlight));
