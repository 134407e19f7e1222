// The ```python blocks of the documents show the PyTorch side of the mapping. They run with
// Debian's /usr/bin/python3 and python3-torch and must print what their `# prints:` comments
// claim. PyTorch is not a build or test dependency (tests/golden explains), so where it is not
// installed these tests are reported as skipped, never as passed.
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('child_process');
const { ROOT, examples, claimedOutput, label } = require('./markdown');

const PYTHON = '/usr/bin/python3';
const WORK = path.join(ROOT, 'build', 'docs', 'python');
const { run, shown } = examples('python');

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const missing = probe.status === 0 ? false : `${PYTHON} with torch is not available (apt-get install python3-torch)`;

test('the python blocks are counted, and any shown only are listed', (t) => {
  t.diagnostic(`${run.length} python blocks run when PyTorch is installed; ${shown.length} marked no-run` +
    (shown.length ? `: ${shown.map(label).join(', ')}` : ''));
  assert.ok(run.length + shown.length >= 1, 'no python block found: the PyTorch mapping has none?');
});

for (const block of run) {
  test(`python example ${label(block)} runs and prints what it claims`, { skip: missing }, () => {
    fs.mkdirSync(WORK, { recursive: true });
    const file = path.join(WORK, `${block.document.replace(/[/.]/g, '_')}_${block.line}.py`);
    fs.writeFileSync(file, block.code);
    const result = spawnSync(PYTHON, [file], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.status, 0, `${label(block)} failed:\n${result.stderr}`);
    const lines = result.stdout.replace(/\n$/, '').split('\n').map((line) => line.trimEnd());
    assert.deepEqual(lines, claimedOutput(block), `${label(block)}: printed output differs from its "# prints:" comments`);
  });
}
