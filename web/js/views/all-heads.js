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
    const model = currentModel();
    // Many heads a layer (gpt2's 12, gpt2-medium's 16): small thumbnails on one line per layer,
    // each labelled by its strongest finding in short, the whole label in its tooltip.
    const compact = result.heads > 6;
    grid.classList.toggle('compact', compact);
    $('heads-heading').parentElement.classList.toggle('wide-panel', compact);
    const help = $('heads-help');
    if (help.dataset.workshop === undefined) help.dataset.workshop = help.textContent;
    help.textContent = help.dataset.workshop;
    if (model && model.remote) {
      help.textContent = 'Every layer (rows) and head (columns) of the model, as BertViz\'s model view. ' + (result.side !== result.n
        ? `The text has ${result.n} tokens, so each thumbnail shows the map reduced to ${result.side} x ${result.side}: ` +
          'each cell the largest weight of its block. Click one to see it in full above. ' : '') +
        (model.labels ? `Labels: what the head detectors measured on ${model.detectorSequences} sequences of ` +
          'random tokens repeated once (previous token, first token, duplicate token, induction: the share of attention ' +
          'each pattern receives). A head with none at 0.5 has "no clear role" on this test.' +
          (compact ? ' Under each head its strongest finding (prev, first, dup, ind); hover for all of them.' : '')
          : 'The head detectors are measuring each head on repeated random tokens…');
    }
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
        label.textContent = (compact ? shortHeadLabel(layer, head) : headLabel(layer, head)) || ' ';
        button.title = `head ${layer}.${head}${headLabel(layer, head) ? `: ${headLabel(layer, head)}` : ''}`;
        button.append(canvas, caption, label);
        button.addEventListener('click', () => {
          state.layer = layer;
          state.head = head;
          view.arcHeads = new Set([head]);
          page.update();
        });
        row.appendChild(button);
        const map = new Heatmap(canvas, { labels: false, fixedSize: compact ? 44 : 76 });
        const labels = result.side && result.side !== result.n ? reducedLabels(result.side) : view.tokens;
        map.draw(values, labels, labels, colourMax(values));
        view.smallMultiples.push(map);
      });
      grid.appendChild(row);
    });
  }

  const SHORT_NAMES = { 'previous token': 'prev', 'first token': 'first', 'duplicate token': 'dup', induction: 'ind' };

  // "ind .82": the strongest finding of a head at or above the labels' threshold, or nothing.
  function shortHeadLabel(layer, head) {
    const model = currentModel();
    const entry = model && model.labels ? model.labels.find((l) => l.layer === layer && l.head === head) : null;
    if (!entry) return '';
    const [name, value] = Object.entries(entry.scores).filter(([, v]) => Number.isFinite(v))
      .sort((a, b) => b[1] - a[1])[0] || [];
    if (name === undefined || value < 0.5) return '';
    return `${SHORT_NAMES[name] || name} ${value.toFixed(2).replace(/^0/, '')}`;
  }

  // The thumbnails of a long text are reduced maps (LanguageModel::overview): their cells name
  // no single token.
  function reducedLabels(side) {
    return new Array(side).fill('');
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
