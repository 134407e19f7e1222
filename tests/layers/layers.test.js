// The check of src/core's layers (check-layers.js): the repository passes it, and each kind of
// breach, planted in a copy of the core, fails it with a message naming the file and the rule.
'use strict';

const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('node:test');
const { checkLayers } = require('./check-layers.js');

const CORE = path.join(__dirname, '..', '..', 'src', 'core');

// A copy of src/core in a temporary folder, changed by `edit(dir)`; returns the check's problems.
function problemsAfter(edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  try {
    fs.cpSync(CORE, dir, { recursive: true });
    edit(dir);
    return checkLayers(dir).problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function appendTo(dir, file, text) {
  fs.appendFileSync(path.join(dir, file), text);
}

test('layers: every #include of src/core runs down the layers', () => {
  const { problems, layers } = checkLayers(CORE);
  assert.deepStrictEqual(problems, []);
  assert.deepStrictEqual(layers.get('base'), []);
  assert.ok(layers.get('model').includes('attention') && !layers.get('model').includes('training'));
  assert.ok(!layers.get('kernels').includes('attention'));
});

test('layers: a kernel that includes the model is refused, naming the file, the line and the rule', () => {
  const problems = problemsAfter((dir) => appendTo(dir, 'kernels/softmax.cpp', '\n#include "model/transformer.h"\n'));
  assert.strictEqual(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^kernels\/softmax\.cpp:\d+: includes "model\/transformer\.h": layer kernels may include base \(kernels\/README\.md\), not model$/);
});

test('layers: the model including training, one layer up, is refused', () => {
  const problems = problemsAfter((dir) => appendTo(dir, 'model/transformer.h', '\n#include "training/trainer.h"\n'));
  assert.strictEqual(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /model\/transformer\.h:\d+: includes "training\/trainer\.h": layer model may include attention, kernels, base/);
});

test('layers: a README that allows an upward include makes a cycle, which is refused', () => {
  const problems = problemsAfter((dir) => {
    const readme = path.join(dir, 'kernels', 'README.md');
    fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace('May include: base.', 'May include: model, base.'));
  });
  assert.ok(problems.some((p) => /cycle: .*kernels -> model|cycle: .*model -> .*kernels/.test(p)), problems.join('\n'));
});

test('layers: an include without its folder, a missing header and Emscripten in the core are refused', () => {
  const problems = problemsAfter((dir) => {
    appendTo(dir, 'attention/attention.cpp', '\n#include "softmax.h"\n#include "kernels/no_such.h"\n#include <emscripten/bind.h>\n');
  });
  assert.strictEqual(problems.length, 3, problems.join('\n'));
  assert.match(problems[0], /attention\/attention\.cpp:\d+: includes "softmax\.h"; name a core header by its folder/);
  assert.match(problems[1], /includes "kernels\/no_such\.h", which does not exist/);
  assert.match(problems[2], /includes <emscripten\/bind\.h>; the core is plain C\+\+/);
});

test('layers: a source file outside the folders, and a folder without its README, are refused', () => {
  const problems = problemsAfter((dir) => {
    fs.writeFileSync(path.join(dir, 'loose.h'), '#pragma once\n');
    fs.rmSync(path.join(dir, 'analysis', 'README.md'));
  });
  assert.ok(problems.some((p) => /^loose\.h: a source file outside the layers' folders/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^analysis\/: no README\.md/.test(p)), problems.join('\n'));
});

test('layers: the command exits 1 and prints the problems on a broken tree, 0 on the repository', () => {
  const { spawnSync } = require('child_process');
  const script = path.join(__dirname, 'check-layers.js');
  const good = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.strictEqual(good.status, 0, good.stderr);
  assert.match(good.stdout, /every #include of src\/core runs down the layers/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  try {
    fs.cpSync(CORE, dir, { recursive: true });
    appendTo(dir, 'base/errors.h', '\n#include "kernels/gemm.h"\n');
    const bad = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /src\/core\/base\/errors\.h:\d+: includes "kernels\/gemm\.h": layer base may include nothing/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
