// The tokens of the text as chips, each with its index (the heatmap's row and column).
'use strict';
(function tokensViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { view } = page;

  function renderTokens() {
    const model = page.currentModel();
    const count = $('token-count');
    count.hidden = !(model && model.remote);
    if (!count.hidden) {
      const n = view.tokens.length;
      count.textContent = `${n.toLocaleString('en')} of ${model.config.contextLength.toLocaleString('en')} tokens ` +
        '(the model\'s context). These are GPT-2\'s own tokens: ␣ marks a space the token begins with ' +
        '(written Ġ in its files), ↵ a newline, and ⟨e2 80⟩ the bytes of a token that holds only part of a character.';
    }
    const list = $('tokens');
    list.textContent = '';
    view.tokens.forEach((token, index) => {
      const chip = document.createElement('li');
      chip.className = 'token';
      const number = document.createElement('span');
      number.className = 'token-index';
      number.textContent = String(index);
      const text = document.createElement('span');
      text.className = 'token-text';
      text.textContent = token;
      if (view.read && view.read.spans && view.read.spans[index]) {
        const span = view.read.spans[index];
        chip.title = `token id ${span.id}, characters ${span.start} to ${span.end} of the text`;
      }
      chip.append(number, text);
      list.appendChild(chip);
    });
  }

  Spotlight.views.tokens = { render: renderTokens };
}(window.Spotlight));
