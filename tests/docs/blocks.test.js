// Every fenced block of README.md and docs/*.md says what it is, so none slips past the example
// tests unlabelled: js, cpp and python blocks are run (the *-examples tests); commands, text,
// diagrams and data (sh, text, mermaid, json...) are shown only, and counted here.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { documents, codeBlocks, languageOf, label } = require('./markdown');

const RUN = ['js', 'cpp', 'python'];
const SHOWN = ['sh', 'console', 'text', 'mermaid', 'json', 'yaml', 'csv', 'diff'];

test('every code block is labelled with a language that is run or shown', (t) => {
  const blocks = documents().flatMap(codeBlocks);
  const counts = {};
  for (const block of blocks) {
    const language = languageOf(block);
    assert.ok(RUN.includes(language) || SHOWN.includes(language),
      `${label(block)}: block language "${block.language}" is neither run (${RUN.join(', ')}) nor shown (${SHOWN.join(', ')})`);
    counts[language] = (counts[language] || 0) + 1;
  }
  const shown = blocks.filter((block) => SHOWN.includes(languageOf(block)) || block.flags.includes('no-run'));
  t.diagnostic(`${blocks.length} blocks: ${Object.entries(counts).map(([language, count]) => `${count} ${language}`).join(', ')}`);
  t.diagnostic(`shown, not run: ${shown.map((block) => `${label(block)} (${block.language})`).join(', ')}`);
  for (const language of RUN) assert.ok(counts[language] >= 1, `no ${language} example at all`);
});
