// Every ```cpp block of README.md and docs/*.md is a whole program: it compiles with g++ against
// src/core (warnings on, as errors), runs, exits 0, and prints exactly what its `// prints:`
// comments claim.
//
// The core's sources are compiled here into build/docs/core (not taken from build/native, which
// may be stale or mid-build when this runs on its own); an object is rebuilt when its source or
// any header of src/core is newer than it. SPOTLIGHT_CXX overrides the compiler.
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile, execFileSync } = require('child_process');
const { promisify } = require('util');
const { ROOT, examples, claimedOutput, label } = require('./markdown');

const CXX = process.env.SPOTLIGHT_CXX || 'g++';
const CORE = path.join(ROOT, 'src', 'core');
const WORK = path.join(ROOT, 'build', 'docs', 'cpp');
const OBJECTS = path.join(WORK, 'core');
const EIGEN = '/usr/include/eigen3';
const FLAGS = ['-std=c++17', '-O2', '-I', CORE, '-isystem', EIGEN];
const WARNINGS = ['-Wall', '-Wextra', '-Wpedantic'];
const { run, shown } = examples('cpp');

const runCompiler = promisify(execFile);

// The core's files by their path under src/core (its layers' folders: src/core/README.md).
function coreFiles(extension) {
  return fs.readdirSync(CORE, { withFileTypes: true }).filter((entry) => entry.isDirectory())
    .flatMap((folder) => fs.readdirSync(path.join(CORE, folder.name))
      .filter((name) => name.endsWith(extension)).map((name) => path.join(folder.name, name)))
    .sort();
}

function newestHeaderTime() {
  return Math.max(...coreFiles('.h').map((name) => fs.statSync(path.join(CORE, name)).mtimeMs));
}

// The Unicode tables of src/core/data/unicode_classes.h, which CMake generates into its build
// directory (src/core/CMakeLists.txt): generated here the same way, when missing or older than the
// generator or UnicodeData.txt.
const UNICODE_DATA = '/usr/share/unicode/UnicodeData.txt';
function generateUnicodeTables() {
  const generator = path.join(CORE, 'data', 'make_unicode_tables.py');
  const tables = path.join(WORK, 'generated', 'unicode_tables.cpp');
  const inputsTime = Math.max(fs.statSync(generator).mtimeMs, fs.statSync(UNICODE_DATA).mtimeMs);
  if (!fs.existsSync(tables) || fs.statSync(tables).mtimeMs < inputsTime) {
    fs.mkdirSync(path.dirname(tables), { recursive: true });
    execFileSync('python3', [generator, UNICODE_DATA, tables]);
  }
  return tables;
}

// Compiles each src/core/*/*.cpp that changed, and the generated Unicode tables, two at a time
// (the machine has two cores).
async function compileCore() {
  fs.mkdirSync(OBJECTS, { recursive: true });
  const headers = newestHeaderTime();
  // [source, its name for the object]
  const sources = coreFiles('.cpp').map((name) => [path.join(CORE, name), name]);
  sources.push([generateUnicodeTables(), path.join('generated', 'unicode_tables.cpp')]);
  const objects = sources.map(([, name]) => path.join(OBJECTS, name.replace(/\.cpp$/, '.o').split(path.sep).join('_')));
  const stale = sources.map(([source], i) => [source, objects[i]]).filter(([source, object]) =>
    !fs.existsSync(object) ||
    fs.statSync(object).mtimeMs < Math.max(fs.statSync(source).mtimeMs, headers));
  const queue = stale.slice();
  async function worker() {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const [source, object] = job;
      await runCompiler(CXX, [...FLAGS, '-c', source, '-o', `${object}.tmp`], { maxBuffer: 1 << 24 })
        .catch((error) => { throw new Error(`compiling ${source} failed:\n${error.stderr}`); });
      fs.renameSync(`${object}.tmp`, object);
    }
  }
  await Promise.all([worker(), worker()]);
  return objects;
}

let coreObjects = null;

test.before(async () => {
  assert.ok(fs.existsSync(path.join(EIGEN, 'Eigen', 'Core')), `Eigen not found in ${EIGEN} (apt-get install libeigen3-dev)`);
  coreObjects = await compileCore();
});

test('the documents have runnable C++ examples, and list any that are shown only', (t) => {
  assert.ok(run.length >= 2, `only ${run.length} runnable cpp blocks found`);
  t.diagnostic(`${run.length} cpp blocks run; ${shown.length} marked no-run` +
    (shown.length ? `: ${shown.map(label).join(', ')}` : ''));
});

for (const block of run) {
  test(`cpp example ${label(block)} compiles without warnings, runs and prints what it claims`, () => {
    const name = `${block.document.replace(/[/.]/g, '_')}_${block.line}`;
    const source = path.join(WORK, `${name}.cpp`);
    const program = path.join(WORK, name);
    fs.writeFileSync(source, block.code);
    try {
      execFileSync(CXX, [...FLAGS, ...WARNINGS, '-Werror', source, ...coreObjects, '-o', program],
        { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`${label(block)} does not compile:\n${error.stderr}`);
    }
    let output;
    try {
      output = execFileSync(program, [], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`${label(block)} exited with ${error.status}:\n${error.stderr}\n${error.stdout}`);
    }
    const lines = output === '' ? [] : output.replace(/\n$/, '').split('\n').map((line) => line.trimEnd());
    assert.deepEqual(lines, claimedOutput(block), `${label(block)}: printed output differs from its "// prints:" comments`);
  });
}
