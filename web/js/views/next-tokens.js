// "What comes next": an opened model's ten likeliest next tokens, with bars, after the last token
// or after the query row pinned in the heatmap (asked of the worker when it is not the last).
'use strict';
(function nextTokensViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { view, currentModel } = page;

  function draw(position, top) {
    const list = $('next-tokens');
    list.textContent = '';
    const last = position === view.result.n - 1;
    $('next-caption').textContent = `The model's ten likeliest tokens after token ${position} ("${view.tokens[position]}")` +
      `${last ? ', the last' : ''}: the softmax of its logits there, at temperature 1. ` +
      (last ? 'Pin a query row in the heatmap to ask after another token.' : 'Unpin the row to ask after the last token.');
    for (const entry of top) {
      const item = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(0.5, entry.probability * 100).toFixed(1)}%`;
      const label = document.createElement('span');
      label.className = 'next-label';
      label.textContent = entry.label;
      const value = document.createElement('span');
      value.className = 'next-value';
      value.textContent = `${(entry.probability * 100).toFixed(1)}%`;
      item.append(bar, label, value);
      list.appendChild(item);
    }
  }

  function render() {
    const model = currentModel();
    const { result } = view;
    const panel = $('next-panel');
    panel.hidden = !(model && model.remote && result && result.top);
    if (panel.hidden) return;
    const pinned = view.heatmap && view.heatmap.pinned;
    const position = pinned && pinned.row < result.n ? pinned.row : result.n - 1;
    if (position === result.n - 1) {
      view.next = { source: result, position, top: result.top };
      draw(position, result.top);
      return;
    }
    if (view.next && view.next.source === result && view.next.position === position) {
      draw(position, view.next.top);
      return;
    }
    const asked = { source: result, position };
    view.nextAsked = asked;
    $('next-caption').textContent = `Computing the likeliest tokens after token ${position}…`;
    model.next(view.read.ids, position, 10).then((top) => {
      if (view.nextAsked !== asked || view.result !== result) return;
      view.next = { source: result, position, top };
      draw(position, top);
    }, (error) => {
      if (view.nextAsked === asked) $('next-caption').textContent = `Could not compute the next tokens: ${error.message}`;
    });
  }

  Spotlight.views.nextTokens = { render };
}(window.Spotlight));
