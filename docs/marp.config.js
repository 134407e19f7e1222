// marp-cli settings for docs/slides.md, used by ./build.sh slides and tests/docs/slides.test.js.
// The slides must render and show with no network, like the page: Marp's emoji plugin would turn
// emoji into images from a CDN, so it is off; maths renders with MathJax into inline SVG (KaTeX
// would load its fonts from a CDN). The default theme uses system fonts (no font import).
'use strict';
module.exports = {
  html: false,
  options: {
    emoji: { shortcode: false, unicode: false },
    math: 'mathjax',
    markdown: { breaks: false },
  },
};
