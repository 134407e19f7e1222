// Line charts of training: a linear step axis, a linear value axis with ticks, axis titles, a
// legend, and a marker at the step the views show. SVG built with createElementNS; labels are
// text nodes, never markup.
'use strict';
(function trainingChartsModule(Spotlight) {
  const SVG = 'http://www.w3.org/2000/svg';

  function node(name, attributes, parent, text) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    if (parent) parent.appendChild(element);
    return element;
  }

  // Round tick values (1, 2 or 5 times a power of ten) from low to high, about `count` of them.
  function ticks(low, high, count) {
    const span = high - low || 1;
    const raw = span / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const values = [];
    for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
    return values;
  }

  // series: [{label, colour, dash, points: [[step, value], ...]}]. options: {title, xLabel,
  // yLabel, yMin, yMax, marker (a step), width, height}.
  function draw(svg, series, options) {
    const width = options.width || 560;
    const height = options.height || 220;
    const margin = { left: 52, right: 14, top: 26, bottom: 38 };
    svg.textContent = '';
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    node('title', {}, svg, options.title);
    const all = series.flatMap((s) => s.points);
    const xMax = Math.max(1, options.xMax || 0, ...all.map((p) => p[0]));
    const values = all.map((p) => p[1]).filter(Number.isFinite);
    const yMin = options.yMin !== undefined ? options.yMin : Math.min(...values, 0);
    let yMax = options.yMax !== undefined ? options.yMax : Math.max(...values, 1e-9);
    if (!(yMax > yMin)) yMax = yMin + 1;
    const x = (v) => margin.left + (v / xMax) * (width - margin.left - margin.right);
    const y = (v) => height - margin.bottom - ((v - yMin) / (yMax - yMin)) * (height - margin.top - margin.bottom);
    node('text', { x: margin.left, y: 16, class: 'chart-title' }, svg, options.title);
    node('line', { x1: margin.left, y1: y(yMin), x2: width - margin.right, y2: y(yMin), class: 'axis' }, svg);
    node('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: y(yMin), class: 'axis' }, svg);
    for (const t of ticks(0, xMax, 6)) {
      node('text', { x: x(t), y: height - margin.bottom + 14, 'text-anchor': 'middle', class: 'tick' }, svg, t.toLocaleString('en'));
    }
    for (const t of ticks(yMin, yMax, 4)) {
      node('line', { x1: margin.left, y1: y(t), x2: width - margin.right, y2: y(t), class: 'grid' }, svg);
      node('text', { x: margin.left - 5, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, svg, String(t));
    }
    node('text', { x: (width + margin.left) / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' }, svg, options.xLabel);
    node('text', { x: 12, y: (height - margin.bottom + margin.top) / 2, 'text-anchor': 'middle', class: 'axis-label',
      transform: `rotate(-90 12 ${(height - margin.bottom + margin.top) / 2})` }, svg, options.yLabel);
    for (const s of series) {
      const points = s.points.filter((p) => Number.isFinite(p[1]));
      if (points.length === 0) continue;
      node('polyline', { points: points.map(([a, v]) => `${x(a).toFixed(1)},${y(v).toFixed(1)}`).join(' '), fill: 'none',
        stroke: s.colour, 'stroke-width': s.width || 1.6, 'stroke-dasharray': s.dash || '', 'data-series': s.label }, svg);
    }
    if (Number.isFinite(options.marker)) {
      node('line', { x1: x(options.marker), y1: margin.top, x2: x(options.marker), y2: y(yMin), class: 'marker' }, svg);
    }
  }

  // Keeps at most `limit` points: the mean of each run of neighbours, so a noisy loss reads as a
  // curve.
  function thin(points, limit) {
    if (points.length <= limit) return points;
    const size = Math.ceil(points.length / limit);
    const result = [];
    for (let i = 0; i < points.length; i += size) {
      const run = points.slice(i, i + size);
      result.push([run[run.length - 1][0], run.reduce((sum, p) => sum + p[1], 0) / run.length]);
    }
    return result;
  }

  function legend(box, series) {
    box.textContent = '';
    for (const s of series) {
      const item = document.createElement('span');
      item.className = 'legend-item';
      const swatch = document.createElement('span');
      swatch.className = `swatch${s.dash ? ' dashed' : ''}`;
      swatch.style.borderColor = s.colour;
      item.append(swatch, document.createTextNode(s.label));
      box.appendChild(item);
    }
  }

  Spotlight.trainingCharts = { draw, thin, legend, ticks };
}(window.Spotlight));
