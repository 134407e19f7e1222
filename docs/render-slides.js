// Renders docs/slides.md to one HTML file with marp-cli (npm, pinned in package.json), offline:
//
//   node docs/render-slides.js [OUTPUT_DIR]      default web/slides, published with the page
//
// OUTPUT_DIR/index.html is the deck and OUTPUT_DIR/images/ a copy of docs/images/, so the
// slides' image paths (images/page.png) resolve both beside docs/slides.md and in the output.
// The slides' links to the page (../index.html#...) are relative to web/slides/, where the page
// is one folder up: from disk and on GitHub Pages alike. ./build.sh slides runs this.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const MARP = path.join(ROOT, 'node_modules', '.bin', 'marp');

function renderSlides(outputDir = path.join(ROOT, 'web', 'slides')) {
  if (!fs.existsSync(MARP)) {
    throw new Error(`${MARP} is missing: install the npm packages with npm ci (./build.sh slides does)`);
  }
  fs.mkdirSync(outputDir, { recursive: true });
  const output = path.join(outputDir, 'index.html');
  execFileSync(MARP, ['--no-stdin', '--config-file', path.join(ROOT, 'docs', 'marp.config.js'),
    path.join(ROOT, 'docs', 'slides.md'), '-o', output], { cwd: ROOT, stdio: 'pipe' });
  fs.cpSync(path.join(ROOT, 'docs', 'images'), path.join(outputDir, 'images'), { recursive: true });
  return output;
}

if (require.main === module) {
  const output = renderSlides(process.argv[2] && path.resolve(process.argv[2]));
  console.log(`slides: ${path.relative(process.cwd(), output)}`);
}

module.exports = { renderSlides };
