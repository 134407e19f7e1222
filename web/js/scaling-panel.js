// "Why sqrt(d)?": the same kind of random queries and keys at d = 4 ... 1024, with and without the
// 1/sqrt(d) scaling. Every number comes from the module's scalingStudy; this file only draws.
'use strict';
(function scalingPanelModule(Spotlight) {
  const DIMENSIONS = [4, 16, 64, 256, 1024];
  const TOKENS = 64;
  const SERIES = [
    { key: 'unscaled', label: 'unscaled: softmax(q·k)', colour: '#D55E00', dash: '' },
    { key: 'scaled', label: 'scaled: softmax(q·k / √d)', colour: '#0072B2', dash: '5 3' },
  ];
  const { lineChart } = Spotlight.charts;

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
    charts.appendChild(lineChart('variance of the scores (log scale)', DIMENSIONS, [
      { label: 'q·k', colour: SERIES[0].colour, dash: '', values: points.map((p) => p.rawScoreVariance) },
      { label: 'q·k / √d', colour: SERIES[1].colour, dash: SERIES[1].dash, values: points.map((p) => p.scaledScoreVariance) },
    ], { logY: true, xLabel: 'd' }));
    for (const [metric, title, yMax] of [['maxWeight', 'largest weight in a row (1 = one-hot)', 1],
      ['entropyBits', `entropy in bits (${Math.log2(TOKENS)} = uniform)`, Math.log2(TOKENS)],
      ['gradientNorm', 'softmax gradient size (0 = no learning)', null]]) {
      charts.appendChild(lineChart(title, DIMENSIONS, SERIES.map((s) => ({
        label: s.label, colour: s.colour, dash: s.dash, values: points.map((p) => p[s.key][metric]),
      })), { yMax, xLabel: 'd' }));
    }
    container.appendChild(charts);

    container.appendChild(Spotlight.charts.legend(SERIES));

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
}(window.Spotlight));
