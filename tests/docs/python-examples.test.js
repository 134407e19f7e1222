// The ```python blocks of the documents show the PyTorch side of the mapping. They run with
// Debian's /usr/bin/python3 and python3-torch, which `./build.sh test` installs, and must print
// what their `# prints:` comments claim. Without PyTorch they fail, saying what to install: a
// test that is skipped proves nothing.
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
const missing = probe.status === 0 ? null
  : `${PYTHON} cannot import torch (apt-get install python3-torch, or run ./build.sh test, which installs it):\n${probe.stderr}`;

test('the python blocks are counted, and any shown only are listed', (t) => {
  t.diagnostic(`${run.length} python blocks run; ${shown.length} marked no-run` +
    (shown.length ? `: ${shown.map(label).join(', ')}` : ''));
  assert.ok(run.length + shown.length >= 1, 'no python block found: the PyTorch mapping has none?');
});

for (const block of run) {
  test(`python example ${label(block)} runs and prints what it claims`, () => {
    assert.equal(missing, null, missing);
    fs.mkdirSync(WORK, { recursive: true });
    const file = path.join(WORK, `${block.document.replace(/[/.]/g, '_')}_${block.line}.py`);
    fs.writeFileSync(file, block.code);
    const result = spawnSync(PYTHON, [file], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.status, 0, `${label(block)} failed:\n${result.stderr}`);
    const lines = result.stdout.replace(/\n$/, '').split('\n').map((line) => line.trimEnd());
    assert.deepEqual(lines, claimedOutput(block), `${label(block)}: printed output differs from its "# prints:" comments`);
  });
}
