// Small SVG line charts, built with createElementNS (text as text nodes, never markup).
'use strict';
(function chartsModule(Spotlight) {
  const SVG = 'http://www.w3.org/2000/svg';

  function svgElement(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  // xs: the x values (drawn on a log2 axis, one tick each); series: [{label, colour, dash,
  // values (one per x, null for a gap)}]; logY: log10 y axis; yMax: fixed top of a linear axis.
  function lineChart(title, xs, series, { logY = false, yMax = null, xLabel = '', unit = '' } = {}) {
    const width = 260;
    const height = 170;
    const margin = { left: 48, right: 10, top: 24, bottom: 30 };
    const svg = svgElement('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
    svgElement('title', {}, svg).textContent = title;
    const all = series.flatMap((s) => s.values).filter((v) => v !== null && v > (logY ? 0 : -Infinity));
    const transform = (v) => (logY ? Math.log10(v) : v);
    const low = logY ? Math.floor(Math.log10(Math.min(...all))) : 0;
    const high = yMax !== null ? yMax : (logY ? Math.ceil(Math.log10(Math.max(...all))) : Math.max(...all) * 1.1);
    const span = Math.log2(xs[xs.length - 1]) - Math.log2(xs[0]) || 1;
    const x = (value) => margin.left + ((Math.log2(value) - Math.log2(xs[0])) / span) * (width - margin.left - margin.right);
    const y = (v) => height - margin.bottom - ((transform(v) - low) / (high - low || 1)) * (height - margin.top - margin.bottom);
    svgElement('text', { x: margin.left, y: 14, class: 'chart-title' }, svg).textContent = title;
    svgElement('line', { x1: margin.left, y1: height - margin.bottom, x2: width - margin.right, y2: height - margin.bottom, class: 'axis' }, svg);
    svgElement('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: height - margin.bottom, class: 'axis' }, svg);
    xs.forEach((value) => {
      svgElement('text', { x: x(value), y: height - margin.bottom + 14, 'text-anchor': 'middle', class: 'tick' }, svg).textContent = String(value);
    });
    svgElement('text', { x: (width + margin.left) / 2, y: height - 3, 'text-anchor': 'middle', class: 'tick' }, svg).textContent = xLabel;
    const ticks = logY ? Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i)) : [0, high / 2, high];
    for (const tick of ticks) {
      svgElement('text', { x: margin.left - 4, y: y(tick) + 3, 'text-anchor': 'end', class: 'tick' }, svg)
        .textContent = `${logY ? String(tick) : tick.toPrecision(2)}${unit}`;
    }
    for (const s of series) {
      const points = xs.map((value, i) => [value, s.values[i]]).filter(([, v]) => v !== null && v !== undefined);
      if (points.length === 0) continue;
      svgElement('polyline', { points: points.map(([a, v]) => `${x(a)},${y(v)}`).join(' '), fill: 'none', stroke: s.colour,
        'stroke-width': 2, 'stroke-dasharray': s.dash || '' }, svg);
      for (const [a, v] of points) svgElement('circle', { cx: x(a), cy: y(v), r: 2.5, fill: s.colour }, svg);
    }
    return svg;
  }

  function legend(series) {
    const p = document.createElement('p');
    p.className = 'chart-legend';
    for (const s of series) {
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = s.colour;
      p.append(swatch, document.createTextNode(` ${s.label}  `));
    }
    return p;
  }

  Spotlight.charts = { lineChart, legend };
}(window.Spotlight));
