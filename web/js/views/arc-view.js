// "Arc view": the lines of the heads ticked in its legend (ArcView draws them, web/js/arcs.js), or a
// note when the text is too long for it.
'use strict';
(function arcViewModule(Spotlight) {
  const { settings: config, colormap, $, page } = Spotlight;
  const { view, headName } = page;

  function renderArcs() {
    const n = view.result.n;
    const legend = $('arc-heads');
    legend.textContent = '';
    const tooMany = n > config.MAX_ARC_TOKENS;
    $('arc-note').hidden = !tooMany;
    $('arcs').style.display = tooMany ? 'none' : '';
    if (tooMany) {
      $('arc-note').textContent = `The arc view draws up to ${config.MAX_ARC_TOKENS} tokens; this text has ` +
        `${n}. The heatmap above shows every pair.`;
      return;
    }
    for (let h = 0; h < view.result.heads; h += 1) {
      const label = document.createElement('label');
      label.className = 'arc-head';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = view.arcHeads.has(h);
      box.addEventListener('change', () => {
        if (box.checked) view.arcHeads.add(h);
        else view.arcHeads.delete(h);
        drawArcLines();
      });
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colormap.headColour(h);
      label.append(box, swatch, document.createTextNode(headName(h)));
      legend.appendChild(label);
    }
    drawArcLines();
  }

  function drawArcLines() {
    const heads = Array.from(view.arcHeads).filter((h) => h < view.result.heads).sort((a, b) => a - b);
    view.arcs.draw(view.tokens, view.result.weights, heads);
  }

  Spotlight.views.arcView = { render: renderArcs };
}(window.Spotlight));
