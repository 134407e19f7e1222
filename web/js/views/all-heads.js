// "All heads": a small heatmap of every head (and their mean and max), or of every layer and head
// of a trained model with what the detectors found in each; a click shows that head above.
'use strict';
(function allHeadsViewModule(Spotlight) {
  const { colormap, Heatmap, $, page } = Spotlight;
  const { state, view, currentModel, headLabel, colourMax } = page;

  // A trained model's grid: one row per layer, one column per head, each labelled with what the
  // detectors found; a click shows that layer and head above.
  function renderModelGrid() {
    const grid = $('small-multiples');
    grid.textContent = '';
    grid.classList.add('model-grid');
    view.smallMultiples = [];
    const { result } = view;
    result.allLayers.forEach((heads, layer) => {
      const row = document.createElement('div');
      row.className = 'grid-row';
      row.appendChild(Object.assign(document.createElement('span'), { className: 'grid-layer', textContent: `layer ${layer}` }));
      heads.forEach((values, head) => {
        const selected = layer === state.layer && head === state.head;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `multiple${selected ? ' selected' : ''}`;
        button.setAttribute('aria-pressed', String(selected));
        button.dataset.layer = String(layer);
        button.dataset.head = String(head);
        const canvas = document.createElement('canvas');
        const caption = document.createElement('span');
        caption.textContent = `${layer}.${head}`;
        caption.style.borderColor = colormap.headColour(head);
        const label = document.createElement('span');
        label.className = 'head-label';
        label.textContent = headLabel(layer, head) || ' ';
        button.append(canvas, caption, label);
        button.addEventListener('click', () => {
          state.layer = layer;
          state.head = head;
          view.arcHeads = new Set([head]);
          page.update();
        });
        row.appendChild(button);
        const map = new Heatmap(canvas, { labels: false, fixedSize: 76 });
        map.draw(values, view.tokens, view.tokens, colourMax(values));
        view.smallMultiples.push(map);
      });
      grid.appendChild(row);
    });
  }

  function renderSmallMultiples() {
    if (currentModel()) {
      renderModelGrid();
      return;
    }
    const grid = $('small-multiples');
    grid.textContent = '';
    grid.classList.remove('model-grid');
    view.smallMultiples = [];
    const { result } = view;
    const entries = result.weights.map((w, h) => [h, `head ${h}`, w])
      .concat([['mean', 'mean', result.headMean], ['max', 'max', result.headMax]]);
    for (const [key, label, values] of entries) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `multiple${key === state.head ? ' selected' : ''}`;
      button.setAttribute('aria-pressed', String(key === state.head));
      button.dataset.head = String(key);
      const canvas = document.createElement('canvas');
      const caption = document.createElement('span');
      caption.textContent = label;
      if (typeof key === 'number') caption.style.borderColor = colormap.headColour(key);
      button.append(canvas, caption);
      button.addEventListener('click', () => {
        state.head = key;
        if (typeof key === 'number') view.arcHeads = new Set([key]);
        page.syncControls();
        page.render();
      });
      grid.appendChild(button);
      const map = new Heatmap(canvas, { labels: false, fixedSize: 96 });
      map.draw(values, view.tokens, view.tokens, colourMax(values));
      view.smallMultiples.push(map);
    }
  }

  Spotlight.views.allHeads = { render: renderSmallMultiples };
}(window.Spotlight));
