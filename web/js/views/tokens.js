// The tokens of the text as chips, each with its index (the heatmap's row and column).
'use strict';
(function tokensViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { view } = page;

  function renderTokens() {
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
      chip.append(number, text);
      list.appendChild(chip);
    });
  }

  Spotlight.views.tokens = { render: renderTokens };
}(window.Spotlight));
