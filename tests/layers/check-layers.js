// The layers of src/core (src/core/README.md): each folder's README.md says, on its "May include:"
// line, which other folders its files may include; this checks every #include against those
// lines, that the lines name folders that exist and run one way (no cycle), that every source file
// lies in a layer's folder, and that no file of the core reaches Emscripten.
//
//   node tests/layers/check-layers.js [CORE_DIR]     (default: src/core of this repository)
//
// Prints one line per problem and exits 1 if there is any, else prints the layers and exits 0.
'use strict';

const fs = require('fs');
const path = require('path');

const SOURCE = /\.(h|hpp|cpp|cc)$/;

// The folder's README.md: the names on its "May include:" line ("nothing" names none).
function readAllowed(coreDir, layer, problems) {
  const readme = path.join(coreDir, layer, 'README.md');
  if (!fs.existsSync(readme)) {
    problems.push(`${layer}/: no README.md saying what the folder holds and what it may include`);
    return [];
  }
  const line = fs.readFileSync(readme, 'utf8').split('\n').slice(0, 5).find((l) => l.startsWith('May include:'));
  if (!line) {
    problems.push(`${layer}/README.md: no "May include:" line among its first lines`);
    return [];
  }
  const names = line.slice('May include:'.length).split(/[.(]/)[0].split(',').map((s) => s.trim()).filter(Boolean);
  return names.filter((name) => name !== 'nothing');
}

// A cycle among the allowed edges, as a list of layers, or null.
function findCycle(allowed) {
  const state = new Map();  // layer -> 'visiting' | 'done'
  const stack = [];
  const visit = (layer) => {
    if (state.get(layer) === 'done') return null;
    if (state.get(layer) === 'visiting') return stack.slice(stack.indexOf(layer)).concat(layer);
    state.set(layer, 'visiting');
    stack.push(layer);
    for (const next of allowed.get(layer) || []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(layer, 'done');
    return null;
  };
  for (const layer of allowed.keys()) {
    const cycle = visit(layer);
    if (cycle) return cycle;
  }
  return null;
}

function walk(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else files.push(full);
  }
  return files;
}

// Returns { problems: [string], layers: Map(layer -> allowed layers) }.
function checkLayers(coreDir) {
  const problems = [];
  const layers = fs.readdirSync(coreDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const allowed = new Map();
  for (const layer of layers) allowed.set(layer, readAllowed(coreDir, layer, problems));
  for (const [layer, names] of allowed) {
    for (const name of names) {
      if (name === layer) problems.push(`${layer}/README.md: the folder names itself on its "May include:" line`);
      else if (!allowed.has(name)) problems.push(`${layer}/README.md: may include "${name}", which is not a folder of src/core (folders: ${layers.join(', ')})`);
    }
  }
  const cycle = findCycle(allowed);
  if (cycle) problems.push(`the "May include:" lines make a cycle: ${cycle.join(' -> ')}; the layers must run one way`);

  for (const file of walk(coreDir)) {
    const relative = path.relative(coreDir, file).split(path.sep).join('/');
    if (!SOURCE.test(file)) continue;
    const parts = relative.split('/');
    if (parts.length !== 2) {
      problems.push(`${relative}: a source file outside the layers' folders (each lies in one folder: ${layers.join(', ')})`);
      continue;
    }
    const own = parts[0];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      const where = `${relative}:${index + 1}`;
      const angled = /^\s*#\s*include\s*<([^>]+)>/.exec(text);
      if (angled && /^emscripten/.test(angled[1])) {
        problems.push(`${where}: includes <${angled[1]}>; the core is plain C++ (Emscripten belongs in src/wasm)`);
      }
      const quoted = /^\s*#\s*include\s*"([^"]+)"/.exec(text);
      if (!quoted) return;
      const target = quoted[1];
      const [folder, name, ...rest] = target.split('/');
      if (name === undefined || rest.length > 0) {
        problems.push(`${where}: includes "${target}"; name a core header by its folder, as "folder/file.h"`);
        return;
      }
      if (!allowed.has(folder)) {
        problems.push(`${where}: includes "${target}", and "${folder}" is not a folder of src/core`);
        return;
      }
      if (!fs.existsSync(path.join(coreDir, folder, name))) {
        problems.push(`${where}: includes "${target}", which does not exist`);
        return;
      }
      if (folder !== own && !allowed.get(own).includes(folder)) {
        const may = allowed.get(own).length ? allowed.get(own).join(', ') : 'nothing';
        problems.push(`${where}: includes "${target}": layer ${own} may include ${may} (${own}/README.md), not ${folder}`);
      }
    });
  }
  return { problems, layers: allowed };
}

if (require.main === module) {
  const coreDir = path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'src', 'core'));
  const { problems, layers } = checkLayers(coreDir);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`src/core/${problem}`);
    console.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} with the layers of ${coreDir}`);
    process.exit(1);
  }
  for (const [layer, names] of layers) console.log(`${layer}: may include ${names.length ? names.join(', ') : 'nothing'}`);
  console.log('every #include of src/core runs down the layers');
}

module.exports = { checkLayers };
