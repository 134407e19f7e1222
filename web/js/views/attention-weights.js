// "Attention weights": the heatmap of the head shown, its colour legend, the pinned query row, and
// the export bar under them.
'use strict';
(function attentionWeightsViewModule(Spotlight) {
  const { settings: config, colormap, $, page } = Spotlight;
  const { state, view, showMessages, shownMatrix, colourMax } = page;

  function renderHeatmap() {
    const values = shownMatrix();
    const max = colourMax(values);
    view.heatmap.draw(values, view.tokens, view.tokens, max);
    $('legend-max').textContent = max === 1 ? '1' : `${max.toPrecision(2)} and above`;
    describePinned(view.heatmap.pinned);
    if (view.firstHeatmapMs === null) {
      view.firstHeatmapMs = performance.now();
      performance.mark('spotlight:first-heatmap');
    }
  }

  function describePinned(cell) {
    const box = $('pinned');
    box.textContent = '';
    if (!cell || !view.result) {
      box.textContent = 'Click a cell (or focus the heatmap and use the arrow keys) to pin a query row.';
      return;
    }
    const n = view.result.n;
    const values = shownMatrix();
    const heading = document.createElement('p');
    heading.textContent = `${view.heatmap.describe(cell.row, cell.col)}. Query "${view.tokens[cell.row]}" ` +
      'spreads its attention over the keys as follows:';
    box.appendChild(heading);
    const list = document.createElement('ol');
    list.className = 'pinned-row';
    const order = Array.from({ length: n }, (_, j) => j)
      .sort((a, b) => values[cell.row * n + b] - values[cell.row * n + a]).slice(0, 12);
    for (const j of order) {
      const item = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round(values[cell.row * n + j] * 100)}%`;
      const label = document.createElement('span');
      label.textContent = `${view.tokens[j]} (${j}): ${values[cell.row * n + j].toFixed(3)}`;
      item.append(bar, label);
      list.appendChild(item);
    }
    box.appendChild(list);
  }

  function drawLegend() {
    const canvas = $('legend');
    const context = canvas.getContext('2d');
    for (let x = 0; x < 256; x += 1) {
      context.fillStyle = colormap.viridisCss(x / 255);
      context.fillRect(x, 0, 1, canvas.height);
    }
  }

  function bindExports() {
    const { exports: files } = Spotlight;
    // The settings, and for an opened model its shape (its files are not named in an export).
    const exportable = () => {
      const model = page.currentModel();
      return Object.assign({}, state, model && model.remote ? { modelConfig: Object.assign({}, model.raw) } : {});
    };
    $('export-png').addEventListener('click', () => {
      $('heatmap').toBlob((blob) => files.download('attention-heatmap.png', blob), 'image/png');
    });
    $('export-svg').addEventListener('click', () => {
      const svg = files.heatmapSvg(shownMatrix(), view.tokens, $('heatmap'));
      files.download('attention-heatmap.svg', new Blob([svg], { type: 'image/svg+xml' }));
    });
    $('export-arcs').addEventListener('click', () => {
      if (view.result.n > config.MAX_ARC_TOKENS) {
        showMessages([`The arc view is drawn for up to ${config.MAX_ARC_TOKENS} tokens; export the heatmap instead.`]);
        return;
      }
      files.download('attention-arcs.svg', new Blob([files.arcsSvg($('arcs'))], { type: 'image/svg+xml' }));
    });
    $('export-csv').addEventListener('click', () => {
      files.download('attention-weights.csv', new Blob([files.weightsCsv(view.tokens, view.result.weights,
        exportable())], { type: 'text/csv' }));
    });
    $('export-json').addEventListener('click', () => {
      files.download('attention-weights.json', new Blob([files.weightsJson(view.tokens, view.result.weights,
        exportable())], { type: 'application/json' }));
    });
    $('copy-link').addEventListener('click', () => {
      const link = $('share-link');
      link.value = location.href;
      link.hidden = false;
      link.select();
      const copied = navigator.clipboard ? navigator.clipboard.writeText(location.href) : Promise.reject();
      copied.then(() => showMessages(['The link to this view is on the clipboard.']),
        () => showMessages(['Copy the selected link below to share this view.']));
    });
  }

  Spotlight.views.attentionWeights = { render: renderHeatmap, describePinned, drawLegend, bindExports };
}(window.Spotlight));
