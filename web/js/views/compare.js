// "Compare": this view beside the same text with one setting switched, and their difference.
'use strict';
(function compareViewModule(Spotlight) {
  const { Heatmap, $, page } = Spotlight;
  const { state, view, matrixOf, shownMatrix } = page;

  function describeSide(settings) {
    const parts = [`causal ${settings.causal ? 'on' : 'off'}`, `scaling ${settings.scaled ? 'on' : 'off'}`,
      `seed ${settings.seed}`, `temperature ${settings.temperature}`];
    return parts.join(', ');
  }

  function renderCompare() {
    const box = $('compare-views');
    box.hidden = !view.compare;
    $('compare-seed').parentElement.hidden = state.compare !== 'seed';
    $('compare-temperature').parentElement.hidden = state.compare !== 'temperature';
    view.compareValues = null;
    if (!view.compare) return;
    if (!view.compareMaps) {
      view.compareMaps = {
        a: new Heatmap($('compare-a'), { fixedSize: 260, maxCell: 26 }),
        b: new Heatmap($('compare-b'), { fixedSize: 260, maxCell: 26 }),
        diff: new Heatmap($('compare-diff'), { fixedSize: 260, maxCell: 26, diverging: true }),
      };
    }
    const heads = state.compare === 'head';
    const a = shownMatrix();
    const b = heads ? view.compare.weights[state.compareHead] : matrixOf(view.compare);
    if (!b || b.length !== a.length) {
      box.hidden = true;
      return;
    }
    const diff = new Float32Array(a.length);
    let largest = 0;
    for (let i = 0; i < a.length; i += 1) {
      diff[i] = a[i] - b[i];
      largest = Math.max(largest, Math.abs(diff[i]));
    }
    view.compareMaps.a.draw(a, view.tokens, view.tokens);
    view.compareMaps.b.draw(b, view.tokens, view.tokens);
    view.compareMaps.diff.draw(diff, view.tokens, view.tokens, largest || 1);
    if (heads) {
      const model = page.currentModel();
      const shown = typeof state.head === 'number' ? page.headName(state.head) : `${state.head} over heads`;
      $('compare-a-caption').textContent = `A: this view (${shown})`;
      $('compare-b-caption').textContent = `B: ${model ? page.headName(state.compareHead, state.compareLayer) : page.headName(state.compareHead)}`;
    } else {
      $('compare-a-caption').textContent = `A: this view (${describeSide(state)})`;
      $('compare-b-caption').textContent = `B: ${describeSide(page.comparedSettings())}`;
    }
    $('compare-diff-caption').textContent = largest === 0 ? 'A − B: identical'
      : `A − B: orange where A is larger, purple where B is (largest difference ${largest.toPrecision(2)})`;
    view.compareValues = { a, b, diff };
  }

  Spotlight.views.compare = { render: renderCompare };
}(window.Spotlight));
