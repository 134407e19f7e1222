// Every ```js block of README.md and docs/*.md runs, as it is, against the built module
// (web/generated/attention.js), and prints exactly what its `// prints:` comments claim.
//
// Each block runs in its own Node.js process, inside an async function (so `await` works at its
// top level), with the repository as the working directory and `require` resolving from there.
// `createAttentionModule` is also a global, as it is on the page after its <script>.
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('child_process');
const { ROOT, examples, claimedOutput, label } = require('./markdown');
const { modulePath } = require('../node/module');

const WORK = path.join(ROOT, 'build', 'docs', 'js');
const { run, shown } = examples('js');

function wrap(code) {
  return [
    "'use strict';",
    `const requireFromRoot = require('module').createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))});`,
    `globalThis.createAttentionModule = require(${JSON.stringify(modulePath)});`,
    '(async (require) => {',
    code,
    '})(requireFromRoot).catch((error) => {',
    '  console.error(error);',
    '  process.exit(1);',
    '});',
    '',
  ].join('\n');
}

function runBlock(block) {
  fs.mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, `${block.document.replace(/[/.]/g, '_')}_${block.line}.js`);
  fs.writeFileSync(file, wrap(block.code));
  try {
    return execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${label(block)} failed (exit ${error.status}):\n${error.stderr}\n${error.stdout}`);
  }
}

test('the module the examples run against is built', () => {
  assert.ok(fs.existsSync(modulePath), `${modulePath} is missing: build it with ./build.sh build`);
});

test('the documents have runnable JavaScript examples, and list any that are shown only', (t) => {
  assert.ok(run.length >= 5, `only ${run.length} runnable js blocks found`);
  t.diagnostic(`${run.length} js blocks run; ${shown.length} marked no-run` +
    (shown.length ? `: ${shown.map(label).join(', ')}` : ''));
});

for (const block of run) {
  test(`js example ${label(block)} runs and prints what it claims`, () => {
    const claims = claimedOutput(block);
    const output = runBlock(block);
    const lines = output === '' ? [] : output.replace(/\n$/, '').split('\n').map((line) => line.trimEnd());
    assert.deepEqual(lines, claims, `${label(block)}: printed output differs from its "// prints:" comments`);
  });
}
