// The arc view, after BertViz's head view: the tokens in two columns, queries on the left and
// keys on the right, one line per (query, key) pair whose opacity is the weight, one colour per
// head. Hovering a token shows only its lines. SVG built with createElementNS and textContent.
'use strict';
(function arcsModule(Spotlight) {
  const SVG = 'http://www.w3.org/2000/svg';
  const ROW_HEIGHT = 22;
  const MIN_WEIGHT = 0.01;  // fainter lines are invisible anyway; skipping them keeps the SVG small

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  class ArcView {
    constructor(svg) {
      this.svg = svg;
      this.focus = null;  // {side: 'query' | 'key', index}
    }

    // tokens: strings; weights: one Float32Array(n*n) per head; visibleHeads: head indices.
    draw(tokens, weights, visibleHeads) {
      this.tokens = tokens;
      this.weights = weights;
      this.visibleHeads = visibleHeads;
      this.render();
    }

    render() {
      const svg = this.svg;
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      const n = this.tokens.length;
      const labelWidth = 110;
      const gap = 170;
      const width = labelWidth * 2 + gap;
      const height = n * ROW_HEIGHT + 30;
      svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
      svg.setAttribute('width', width);
      svg.setAttribute('height', height);
      const heading = element('g', { class: 'arc-headings' }, svg);
      element('text', { x: labelWidth - 4, y: 14, 'text-anchor': 'end' }, heading).textContent = 'query (from)';
      element('text', { x: labelWidth + gap + 4, y: 14 }, heading).textContent = 'key (to)';

      const y = (i) => 30 + i * ROW_HEIGHT + ROW_HEIGHT / 2;
      const lines = element('g', { class: 'arc-lines' }, svg);
      const perHead = Math.max(1, this.visibleHeads.length);
      this.visibleHeads.forEach((head, slot) => {
        const colour = Spotlight.colormap.headColour(head);
        const weights = this.weights[head];
        // Offset each head's lines by a pixel or two so heads drawn together do not hide each other.
        const offset = (slot - (perHead - 1) / 2) * 1.5;
        for (let i = 0; i < n; i += 1) {
          for (let j = 0; j < n; j += 1) {
            const w = weights[i * n + j];
            if (w < MIN_WEIGHT) continue;
            element('line', {
              x1: labelWidth + 2, y1: y(i) + offset, x2: labelWidth + gap - 2, y2: y(j) + offset,
              stroke: colour, 'stroke-width': 2, 'stroke-opacity': w.toFixed(3),
              'data-head': head, 'data-query': i, 'data-key': j,
            }, lines);
          }
        }
      });

      for (const side of ['query', 'key']) {
        for (let i = 0; i < n; i += 1) {
          const text = element('text', {
            x: side === 'query' ? labelWidth - 4 : labelWidth + gap + 4,
            y: y(i),
            'dominant-baseline': 'middle',
            'text-anchor': side === 'query' ? 'end' : 'start',
            class: 'arc-token',
            tabindex: 0,
            'data-side': side,
            'data-index': i,
          }, svg);
          text.textContent = Spotlight.shortLabel(this.tokens[i]);
          const focus = () => { this.setFocus({ side, index: i }); };
          const unfocus = () => { this.setFocus(null); };
          text.addEventListener('mouseenter', focus);
          text.addEventListener('focus', focus);
          text.addEventListener('mouseleave', unfocus);
          text.addEventListener('blur', unfocus);
        }
      }
      this.setFocus(null);
    }

    // Shows only the lines of the focused token (all lines when focus is null).
    setFocus(focus) {
      this.focus = focus;
      const attribute = focus && (focus.side === 'query' ? 'data-query' : 'data-key');
      for (const line of this.svg.querySelectorAll('.arc-lines line')) {
        const shown = !focus || Number(line.getAttribute(attribute)) === focus.index;
        line.style.display = shown ? '' : 'none';
      }
      for (const token of this.svg.querySelectorAll('.arc-token')) {
        const focused = focus && token.getAttribute('data-side') === focus.side &&
          Number(token.getAttribute('data-index')) === focus.index;
        token.classList.toggle('focused', Boolean(focused));
      }
    }
  }

  Spotlight.ArcView = ArcView;
}(window.Spotlight));
