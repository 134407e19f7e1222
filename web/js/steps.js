// Step by step: the whole pipeline of one head as numeric matrices, each labelled with its shape,
// from the module's trace. Hovering or focusing a cell of the weights shows how it was computed,
// with the real numbers: q_i . k_j, times the scale, exp(. - row max), divided by the row sum.
'use strict';
(function stepsModule(Spotlight) {
  const MAX_COLUMNS = 8;  // wider matrices show their first columns and say so

  // Element (head, row, col) of a {data, shape} tensor of shape (heads, rows, cols) or (rows, cols).
  function at(tensor, head, row, col) {
    const [rows, cols] = tensor.shape.length === 3 ? tensor.shape.slice(1) : tensor.shape;
    const base = tensor.shape.length === 3 ? head * rows * cols : 0;
    return tensor.data[base + row * cols + col];
  }

  function format(value, digits = 2) {
    if (value === -Infinity) return '−∞';
    if (value === Infinity) return '∞';
    return value.toFixed(digits);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A labelled matrix: get(row, col) -> number; rows x cols, row labels, optional cell hook.
  function matrixFigure({ title, shape, rows, cols, get, rowLabels, colLabels, digits, onCell, id }) {
    const figure = element('figure', 'step');
    if (id) figure.dataset.step = id;
    const caption = element('figcaption');
    caption.append(element('strong', null, title), element('span', 'shape', ` (${shape})`));
    figure.appendChild(caption);
    const shownCols = Math.min(cols, MAX_COLUMNS);
    const table = element('table', 'matrix');
    const head = element('tr');
    head.appendChild(element('th'));
    for (let c = 0; c < shownCols; c += 1) head.appendChild(element('th', null, colLabels ? colLabels[c] : String(c)));
    if (shownCols < cols) head.appendChild(element('th', null, '…'));
    table.appendChild(head);
    for (let r = 0; r < rows; r += 1) {
      const tr = element('tr');
      tr.appendChild(element('th', null, rowLabels[r]));
      for (let c = 0; c < shownCols; c += 1) {
        const value = get(r, c);
        const td = element('td', null, format(value, digits));
        td.dataset.row = String(r);
        td.dataset.col = String(c);
        if (onCell) onCell(td, r, c);
        tr.appendChild(td);
      }
      if (shownCols < cols) tr.appendChild(element('td', 'more', '…'));
      table.appendChild(tr);
    }
    const wrap = element('div', 'matrix-wrap');
    wrap.appendChild(table);
    figure.appendChild(wrap);
    if (shownCols < cols) figure.appendChild(element('p', 'help', `First ${shownCols} of ${cols} columns shown.`));
    return figure;
  }

  function arrow(text) {
    return element('div', 'step-arrow', `→ ${text}`);
  }

  // container: element to fill; result: the engine's result (with .trace); tokens; settings.
  function renderSteps(container, explain, result, tokens, settings) {
    container.textContent = '';
    explain.textContent = '';
    if (!result || !result.trace) {
      container.appendChild(element('p', 'note', `Step by step shows inputs of up to ${Spotlight.STEP_BY_STEP_MAX_TOKENS} ` +
        `tokens; this one has ${result ? result.n : 0}. Shorten the text to see every number.`));
      return;
    }
    const t = result.trace;
    const n = result.n;
    const head = typeof settings.head === 'number' ? settings.head : 0;
    const dModel = settings.embedDim;
    const dHead = dModel / settings.numHeads;
    const labels = tokens.map((token) => Spotlight.shortLabel(token));
    const index = (i) => `${i}`;
    if (typeof settings.head !== 'number') {
      container.appendChild(element('p', 'note', 'The heatmap shows a summary over heads; the steps follow head 0.'));
    }
    const add = (node) => container.appendChild(node);
    // A trained model's layer (settings.layer set): its heads are named layer.head.
    const trained = typeof settings.trainedLayer === 'number';
    const headName = trained ? `${settings.trainedLayer}.${head}` : String(head);

    if (trained) add(whyFigure(t, head, headName, tokens, settings.focusRow));
    const x = matrixFigure({ id: 'x', title: trained ? `X: what layer ${settings.trainedLayer} reads, LayerNorm of the residual stream`
      : 'X: token vectors + positions', shape: `n × d_model = ${n} × ${dModel}`,
      rows: n, cols: dModel, get: (r, c) => result.x[r * dModel + c], rowLabels: labels });
    x.appendChild(element('p', 'help', trained
      ? (settings.trainedLayer === 0 ? 'Each row: the token\'s learned embedding plus its learned position, normalised.'
        : `Each row: the token's embedding and position after ${settings.trainedLayer} layer(s) added what they found, normalised.`)
      : `Columns 0 to ${dModel / 2 - 1} hold the positional encoding alone; ` +
      `the token vectors live in columns ${dModel / 2} to ${dModel - 1}, with the slow positional columns.`));
    add(x);
    add(arrow(`times W_q, W_k, W_v${trained ? ' (+ biases), all learned' : ''}; head ${headName} keeps columns ${head * dHead} to ${(head + 1) * dHead - 1}`));
    for (const [name, tensor] of [['Q', t.q], ['K', t.k], ['V', t.v]]) {
      add(matrixFigure({ id: name.toLowerCase(), title: `${name} of head ${headName}`, shape: `${n} × d_head = ${n} × ${dHead}`,
        rows: n, cols: dHead, get: (r, c) => at(tensor, head, r, c), rowLabels: labels }));
    }
    add(arrow('Q K^T: every query against every key'));
    add(matrixFigure({ id: 'raw', title: 'Q K^T: raw scores', shape: `${n} × ${n}`, rows: n, cols: n,
      get: (r, c) => at(t.rawScores, head, r, c), rowLabels: labels, colLabels: labels.map((l, i) => index(i)) }));
    const scaleText = settings.scaled ? `divided by √d_k = √${dHead}` : 'not scaled';
    const temperatureText = settings.temperature !== 1 ? `, divided by the temperature ${settings.temperature}` : '';
    add(arrow(`${scaleText}${temperatureText}: × ${t.scale.toPrecision(4)}`));
    add(matrixFigure({ id: 'scaled', title: 'scaled scores', shape: `${n} × ${n}`, rows: n, cols: n,
      get: (r, c) => at(t.scaledScores, head, r, c), rowLabels: labels, colLabels: labels.map((l, i) => index(i)) }));
    add(arrow(settings.causal ? '+ mask: −∞ above the diagonal (a token cannot see later ones)' : '+ mask: none (causal is off)'));
    add(matrixFigure({ id: 'masked', title: 'masked scores', shape: `${n} × ${n}`, rows: n, cols: n,
      get: (r, c) => at(t.maskedScores, head, r, c), rowLabels: labels, colLabels: labels.map((l, i) => index(i)) }));
    add(arrow('softmax of each row: exp(score − row max) ÷ row sum'));

    const describe = (i, j) => {
      const raw = at(t.rawScores, head, i, j);
      const scaled = at(t.scaledScores, head, i, j);
      const masked = at(t.maskedScores, head, i, j);
      const rowMax = t.rowMax.data[head * n + i];
      const rowSum = t.rowSum.data[head * n + i];
      const exp = at(t.expScores, head, i, j);
      const weight = at(t.weights, head, i, j);
      const lines = [
        `weight of query ${i} "${tokens[i]}" on key ${j} "${tokens[j]}":`,
        `q_${i} · k_${j} = ${raw.toPrecision(5)}`,
        `× ${t.scale.toPrecision(4)} = ${scaled.toPrecision(5)}`,
      ];
      if (masked === -Infinity) {
        lines.push('masked: −∞, so exp gives exactly 0 and the weight is 0');
      } else {
        lines.push(`exp(${scaled.toPrecision(5)} − row max ${rowMax.toPrecision(5)}) = ${exp.toPrecision(5)}`);
        lines.push(`÷ row sum ${rowSum.toPrecision(5)} = ${weight.toPrecision(5)}`);
      }
      return lines;
    };
    const showExplanation = (i, j) => {
      explain.textContent = '';
      for (const line of describe(i, j)) explain.appendChild(element('div', null, line));
      explain.dataset.row = String(i);
      explain.dataset.col = String(j);
    };
    add(matrixFigure({ id: 'weights', title: 'attention weights (each row sums to 1)', shape: `${n} × ${n}`, rows: n, cols: n,
      get: (r, c) => at(t.weights, head, r, c), rowLabels: labels, colLabels: labels.map((l, i) => index(i)), digits: 3,
      onCell: (td, r, c) => {
        td.tabIndex = 0;
        td.classList.add('explainable');
        td.style.background = Spotlight.colormap.viridisCss(at(t.weights, head, r, c));
        td.style.color = Spotlight.colormap.textOn(at(t.weights, head, r, c));
        td.addEventListener('mouseenter', () => showExplanation(r, c));
        td.addEventListener('focus', () => showExplanation(r, c));
      } }));
    add(explain);  // the explanation sits beside the weights it explains
    add(arrow('× V: each row mixes the value rows by its weights'));
    add(matrixFigure({ id: 'head-output', title: `output of head ${headName}`, shape: `${n} × ${dHead}`, rows: n, cols: dHead,
      get: (r, c) => at(t.headOutputs, head, r, c), rowLabels: labels }));
    add(arrow(`concatenate the ${settings.numHeads} heads side by side`));
    add(matrixFigure({ id: 'concat', title: 'concatenated heads', shape: `${n} × ${dModel}`, rows: n, cols: dModel,
      get: (r, c) => at(t.concat, 0, r, c), rowLabels: labels }));
    add(arrow('× W_O (+ b_O)'));
    add(matrixFigure({ id: 'output', title: 'output', shape: `${n} × ${dModel}`, rows: n, cols: dModel,
      get: (r, c) => at(t.output, 0, r, c), rowLabels: labels }));
    const focus = typeof settings.focusRow === 'number' && settings.focusRow < n ? settings.focusRow : Math.min(1, n - 1);
    showExplanation(focus, trained ? largestKey(t, head, n, focus) : 0);
  }

  function largestKey(t, head, n, row) {
    let best = 0;
    for (let j = 1; j < n; j += 1) if (at(t.weights, head, row, j) > at(t.weights, head, row, best)) best = j;
    return best;
  }

  // Why a query attends where it does: its q . k against every key it may see, largest first,
  // with the weight each gets. For a trained head this is where the learning shows: q_it . k_cat
  // stands out from the other keys.
  function whyFigure(t, head, headName, tokens, focusRow) {
    const n = tokens.length;
    const row = typeof focusRow === 'number' && focusRow < n ? focusRow : n - 1;
    const figure = element('figure', 'step why');
    figure.dataset.step = 'why';
    const caption = element('figcaption');
    caption.append(element('strong', null, `Why query ${row} "${tokens[row]}" attends where it does`),
      element('span', 'shape', ` (head ${headName})`));
    figure.appendChild(caption);
    const keys = [];
    for (let j = 0; j <= row && j < n; j += 1) {
      if (at(t.maskedScores, head, row, j) !== -Infinity) keys.push(j);
    }
    keys.sort((a, b) => at(t.rawScores, head, row, b) - at(t.rawScores, head, row, a));
    const list = element('ol', 'why-list');
    for (const j of keys) {
      const weight = at(t.weights, head, row, j);
      const item = element('li');
      item.dataset.key = String(j);
      const bar = element('span', 'bar');
      bar.style.width = `${Math.round(weight * 100)}%`;
      item.append(bar, element('span', null, `q_${tokens[row]} · k_${tokens[j]} (${j}) = ` +
        `${at(t.rawScores, head, row, j).toFixed(2)}, × ${t.scale.toPrecision(3)} = ${at(t.scaledScores, head, row, j).toFixed(2)} → weight ${weight.toFixed(3)}`));
      list.appendChild(item);
    }
    figure.appendChild(list);
    figure.appendChild(element('p', 'help', 'The softmax turns these scores into weights: a score a few units above the ' +
      'rest takes almost all of the weight. Random weights give no reason for any key to stand out; training made ' +
      'W_q and W_k map this query and its key to vectors that point the same way. Later keys are masked (causal).'));
    return figure;
  }

  Spotlight.renderSteps = renderSteps;
}(window.Spotlight));
