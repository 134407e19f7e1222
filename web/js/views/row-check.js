// "Row check": every row of every head sums to 1, and a table of each query row's sum, entropy
// and largest weight in the head shown.
'use strict';
(function rowCheckViewModule(Spotlight) {
  const { rowStatistics, $, page } = Spotlight;
  const { state, view, shownMatrix } = page;

  function renderRowCheck() {
    const { result } = view;
    const n = result.n;
    let worst = 0;
    for (const weights of result.weights) {
      const { sums } = rowStatistics(weights, n, { entropy: false });
      for (const sum of sums) worst = Math.max(worst, Math.abs(sum - 1));
    }
    const ok = worst < 1e-5;
    const check = $('row-check');
    check.className = `row-check ${ok ? 'ok' : 'bad'}`;
    check.textContent = `${ok ? '✓' : '✗'} Every row of all ${result.heads} heads sums to 1 ` +
      `(largest deviation ${worst.toExponential(1)}, over ${result.heads * n} rows).`;
    check.dataset.maxDeviation = String(worst);

    const values = state.head === 'max' ? result.headMean : shownMatrix();
    const { sums, entropies } = rowStatistics(values, n);
    const body = $('row-stats').querySelector('tbody');
    body.textContent = '';
    const shown = Math.min(n, 64);
    for (let i = 0; i < shown; i += 1) {
      let max = 0;
      for (let j = 0; j < n; j += 1) max = Math.max(max, values[i * n + j]);
      const row = document.createElement('tr');
      for (const cell of [String(i), view.tokens[i], sums[i].toFixed(6), entropies[i].toFixed(3), max.toFixed(3)]) {
        const td = document.createElement('td');
        td.textContent = cell;
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    if (shown < n) {
      const row = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 5;
      td.textContent = `... and ${n - shown} more rows (the check above covers them all).`;
      row.appendChild(td);
      body.appendChild(row);
    }
  }

  Spotlight.views.rowCheck = { render: renderRowCheck };
}(window.Spotlight));
