// Export without a server: files are made in the page and handed to the browser as downloads.
// PNG of the heatmap; SVG of the heatmap and of the arc view; CSV and JSON of the weights of every
// head, with the tokens and the settings.
'use strict';
(function exportModule(Spotlight) {
  const SVG = 'http://www.w3.org/2000/svg';
  const MAX_SVG_CELLS = 128 * 128;  // beyond this the SVG embeds the picture instead of one rect a cell

  function download(name, blob) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function svgElement(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  // The heatmap as SVG: one rect per cell with the weight in a <title>, token labels as text.
  function heatmapSvg(values, tokens, canvas) {
    const n = tokens.length;
    const cell = n <= 32 ? 24 : Math.max(2, Math.floor(768 / n));
    const margin = n <= 64 ? 110 : 10;
    const size = margin + n * cell;
    const svg = svgElement('svg', { xmlns: SVG, width: size, height: size, viewBox: `0 0 ${size} ${size}`,
      'font-family': 'sans-serif', 'font-size': 11 });
    if (n * n <= MAX_SVG_CELLS) {
      for (let i = 0; i < n; i += 1) {
        for (let j = 0; j < n; j += 1) {
          const w = values[i * n + j];
          const rect = svgElement('rect', { x: margin + j * cell, y: margin + i * cell, width: cell, height: cell,
            fill: Spotlight.colormap.viridisCss(w) }, svg);
          svgElement('title', {}, rect).textContent = `${tokens[i]} → ${tokens[j]}: ${w}`;
        }
      }
    } else {
      svgElement('image', { x: margin, y: margin, width: n * cell, height: n * cell, href: canvas.toDataURL('image/png') }, svg);
    }
    if (margin > 10) {
      tokens.forEach((token, i) => {
        svgElement('text', { x: margin - 4, y: margin + (i + 0.5) * cell, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, svg)
          .textContent = Spotlight.shortLabel(token);
        svgElement('text', { transform: `translate(${margin + (i + 0.5) * cell}, ${margin - 4}) rotate(-45)` }, svg)
          .textContent = Spotlight.shortLabel(token);
      });
    }
    return new XMLSerializer().serializeToString(svg);
  }

  // The arc view's SVG with its colours written in, so it stands alone.
  function arcsSvg(svgNode) {
    const copy = svgNode.cloneNode(true);
    copy.setAttribute('xmlns', SVG);
    copy.setAttribute('font-family', 'sans-serif');
    for (const text of copy.querySelectorAll('text')) text.setAttribute('fill', '#222');
    for (const line of copy.querySelectorAll('line')) {
      if (line.style.display === 'none') line.remove();
    }
    return new XMLSerializer().serializeToString(copy);
  }

  // A CSV field: always quoted; a leading = + - @ is defused with an apostrophe so a spreadsheet
  // does not run the token as a formula.
  function csvField(value) {
    const text = String(value);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return `"${safe.replace(/"/g, '""')}"`;
  }

  // The settings go in a first comment line (pandas: read_csv(..., comment='#')), as JSON so every
  // value, the text included, is quoted.
  function weightsCsv(tokens, weights, settings) {
    const n = tokens.length;
    const described = JSON.stringify(settings).replace(/[\r\n]/g, ' ');
    const lines = [`# Attention Spotlight weights; rows are queries, columns keys; settings ${described}`,
      'head,query_index,query,key_index,key,weight'];
    weights.forEach((head, h) => {
      for (let i = 0; i < n; i += 1) {
        for (let j = 0; j < n; j += 1) {
          lines.push(`${h},${i},${csvField(tokens[i])},${j},${csvField(tokens[j])},${head[i * n + j]}`);
        }
      }
    });
    return `${lines.join('\n')}\n`;
  }

  function weightsJson(tokens, weights, settings) {
    const n = tokens.length;
    return JSON.stringify({
      generator: 'Attention Spotlight',
      layout: 'weights[head][query][key]; rows are queries, columns are keys',
      settings,
      tokens,
      weights: weights.map((head) => Array.from({ length: n }, (_, i) => Array.from(head.subarray(i * n, (i + 1) * n)))),
    }, null, 1);
  }

  Spotlight.exports = { download, heatmapSvg, arcsSvg, weightsCsv, weightsJson };
}(window.Spotlight));
