// The GPT-2 benchmark's report: reads build/bench/gpt2-*.jsonl, prints markdown tables and writes
// them to build/bench/gpt2-report.md.
//   node bench/gpt2-report.js      (./build.sh bench runs it, BENCH_ONLY=gpt2)
//
// The files, one JSON object a line:
//   gpt2-<peer>-<engine>.jsonl   a peer's rows in one engine (bench/gpt2-peers.js resultFileName:
//                                gpt2-onnxruntime-web-node.jsonl, gpt2-onnxruntime-web-chromium.jsonl,
//                                gpt2-pytorch-1-thread-native.jsonl, gpt2-ours-node.jsonl, ...)
//   gpt2-bandwidth.jsonl         bench/bandwidth-probe.js's rows
//   gpt2-check.jsonl             bench/gpt2-node.js --check's rows
//   gpt2-ort-variants-node.jsonl bench/gpt2-node.js --ort-variants's rows (each with `pair`)
// Every row has peer (the column's name), engine ('node', 'chromium', 'native') and kind, and
// optionally engine_version, cpu, quick (true for a --quick run). By kind, times in ms:
//   {"kind":"forward","n":256,"median_ms":..,"min_ms":..,"runs":5,"times_ms":[..],"difference_from_first":..}
//        forward(ids) of n random ids, the logits returned; difference_from_first: max |logit
//        difference| from the first peer of the same run, relative to its largest logit
//   {"kind":"load","ms":..,"graph_build_ms":..,"session_ms":..}
//        load(files) from the files' bytes in memory (reading them is not counted); the parts
//        are the peer's own (onnxruntime-web: building the ONNX graph, creating the session)
//   {"kind":"generate","prompt":16,"new_tokens":32,"median_ms":..,"first_token_ms":..,
//    "tokens_per_s":..,"decode_tokens_per_s":..,"same_tokens_as_first":true,"bandwidth_gb_per_s":..}
//        greedy tokens with a key-value cache; tokens_per_s = new_tokens / median_ms;
//        decode_tokens_per_s = (new_tokens - 1) / (median_ms - first_token_ms); bandwidth_gb_per_s:
//        the median of the bandwidth probe's best, run once between the runs (when built)
//   {"kind":"memory","n":1024,"measure":"...","files_read_bytes":..,"loaded_bytes":..,"peak_bytes":..}
//        resident memory of a fresh process (Node.js, Python) or of the page's renderer process
//        (Chromium): after the files are read, after load, and the peak after a forward pass at n
//   {"kind":"bandwidth","bytes":..,"passes":10,"best_gb_per_s":..,"median_gb_per_s":..}
//        bench/bandwidth_probe.c: a float array summed with 128-bit vectors, GB = 1e9 bytes
//   {"kind":"check","checkpoint":"gpt2_depth","max_abs_difference":..,"tolerance":..,
//    "greedy_matches":true,"passed":true}
'use strict';
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '..', 'build', 'bench');
const LENGTHS = [16, 64, 256, 1024];
// The columns every report has, in order; "ours" and any other peer found come after.
const FIXED_COLUMNS = [['onnxruntime-web', 'node'], ['onnxruntime-web', 'chromium'], ['PyTorch (1 thread)', 'native']];
const OURS = 'ours';
const ENGINE_NAMES = { node: 'Node.js', chromium: 'Chromium', native: 'native' };

// GPT-2 small's parameters (gpt2: 768 wide, 12 layers, 50,257 tokens, 1,024 positions) and the
// bytes one generated token reads: every weight but the position table, of which one row is read
// (the embedding's wte is read whole, by the logits' product), plus the key-value cache.
const PARAMETERS = 124439808;
const WEIGHT_BYTES_PER_TOKEN = 4 * (PARAMETERS - 1024 * 768 + 768);
const CACHE_BYTES_PER_POSITION = 4 * 12 * 2 * 768;  // keys and values of 12 layers

function load() {
  const rows = [];
  if (!fs.existsSync(DIR)) return rows;
  for (const file of fs.readdirSync(DIR).filter((name) => /^gpt2-.*\.jsonl$/.test(name))) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) rows.push(Object.assign({ file }, JSON.parse(line)));
  }
  return rows;
}

const ms = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const columnName = ([peer, engine]) => (engine === null ? peer : `${peer}, ${ENGINE_NAMES[engine] || engine}`);
const table = (header, body) => [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`,
  ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');

function report(rows) {
  const results = rows.filter((row) => row.file !== 'gpt2-ort-variants-node.jsonl' && row.kind !== 'check' && row.kind !== 'bandwidth');
  const find = (peer, engine, kind, extra = () => true) => results.find((row) => row.peer === peer && row.engine === engine && row.kind === kind && extra(row));
  const seen = [...new Map(results.map((row) => [`${row.peer}|${row.engine}`, [row.peer, row.engine]])).values()];
  const ours = seen.filter(([peer]) => peer === OURS);
  const others = seen.filter(([peer, engine]) => peer !== OURS && !FIXED_COLUMNS.some(([p, e]) => p === peer && e === engine));
  const columns = FIXED_COLUMNS.concat(ours.length ? ours : [[OURS, null]], others);
  const lines = [];
  const cpu = (rows.find((row) => row.cpu) || {}).cpu;
  lines.push('# GPT-2 small: forward pass, load, memory and generation, one thread', '');
  lines.push(`Checkpoint: gpt2's shapes and layout with random weights (bench/gpt2_random_checkpoint.py), ` +
    `${(PARAMETERS / 1e6).toFixed(1)} M parameters in F32. CPU: ${cpu || 'unknown'}. ` +
    'Medians; the peers of one engine ran alternating call by call in one process (PyTorch in its own).');
  if (rows.some((row) => row.quick)) lines.push('', '**Some rows come from a --quick run (fewer lengths and runs).**');

  lines.push('', '## forward(ids): logits for n tokens (ms, median)', '');
  const cell = (column, n) => {
    const [peer, engine] = column;
    if (engine === null) return 'not measured';
    const row = find(peer, engine, 'forward', (r) => r.n === n);
    if (!row) return '-';
    let text = `${ms(row.median_ms)} (${row.runs} runs)`;
    const ort = peer === OURS && find('onnxruntime-web', engine, 'forward', (r) => r.n === n);
    if (ort) text += `, onnxruntime-web / ours ${(ort.median_ms / row.median_ms).toFixed(2)}x`;
    return text;
  };
  lines.push(table(['n'].concat(columns.map(columnName)), LENGTHS.map((n) => [String(n)].concat(columns.map((column) => cell(column, n))))));
  const differences = results.filter((row) => row.kind === 'forward' && row.difference_from_first > 0);
  if (differences.length) {
    lines.push('', 'Cross-check within a run (max \\|logit difference\\| / largest logit, against the run\'s first peer): ' +
      differences.map((row) => `${columnName([row.peer, row.engine])} n=${row.n} ${row.difference_from_first.toExponential(1)}`).join('; '));
  }

  lines.push('', '## Load and memory', '');
  lines.push(table(['peer, engine', 'load (ms)', 'of which', 'memory at peak', 'after load', 'files alone', 'measured as'],
    columns.filter(([, engine]) => engine !== null).map(([peer, engine]) => {
      const loaded = find(peer, engine, 'load');
      const memory = find(peer, engine, 'memory');
      const parts = loaded && loaded.session_ms !== undefined
        ? `graph build ${ms(loaded.graph_build_ms)}${loaded.graph_built_in ? ` (in ${loaded.graph_built_in})` : ''}, session ${ms(loaded.session_ms)}` : '';
      return [columnName([peer, engine]), loaded ? ms(loaded.ms) : '-', parts,
        memory ? `${mib(memory.peak_bytes)} (forward at n = ${memory.n})` : '-', memory ? mib(memory.loaded_bytes) : '-',
        memory && memory.files_read_bytes ? mib(memory.files_read_bytes) : '-', memory ? memory.measure : '-'];
    })));

  const bandwidth = rows.filter((row) => row.kind === 'bandwidth');
  const generated = results.filter((row) => row.kind === 'generate');
  const prompt = generated.length ? generated[0].prompt : 16;
  const count = generated.length ? generated[0].new_tokens : 32;
  const bytesPerToken = WEIGHT_BYTES_PER_TOKEN + CACHE_BYTES_PER_POSITION * (prompt + count / 2);
  lines.push('', `## Generation: ${count} greedy tokens after ${prompt}, with a key-value cache`, '');
  lines.push(table(['peer, engine', 'ms (median)', 'tokens/s', 'decoding alone, tokens/s', 'bound: read bandwidth / bytes a token reads'],
    columns.filter(([, engine]) => engine !== null).map(([peer, engine]) => {
      const row = find(peer, engine, 'generate');
      const probe = bandwidth.find((b) => b.engine === engine);
      const rate = row && row.bandwidth_gb_per_s ? row.bandwidth_gb_per_s : probe && probe.best_gb_per_s;
      const bound = rate ? `${(rate * 1e9 / bytesPerToken).toFixed(1)} tokens/s (${rate.toFixed(1)} GB/s` +
        `${row && row.bandwidth_gb_per_s ? ', measured between the runs' : ', the probe\'s best'})` : '-';
      if (!row) return [columnName([peer, engine]), '-', '-', '-', bound];
      return [columnName([peer, engine]), ms(row.median_ms), row.tokens_per_s.toFixed(1), row.decode_tokens_per_s.toFixed(1) +
        (row.same_tokens_as_first === false ? ' (tokens differ from the first peer\'s)' : ''), bound];
    })));
  lines.push('', `"Decoding alone" leaves out the prompt's pass: (${count} - 1) / (time of ${count} tokens - time of 1). ` +
    `The bound: each decoded token reads ${(bytesPerToken / 1e6).toFixed(1)} MB (every weight once - wte whole for the logits, ` +
    'one row of wpe - and the key-value cache at the generation\'s middle) at the read bandwidth of the engine\'s probe, ' +
    'run between the generation runs in the same process (PyTorch: the native probe between its runs); the machine\'s load ' +
    'moves that bandwidth by 2x within minutes.');

  lines.push('', '## Memory read bandwidth (bench/bandwidth_probe.c, one thread, 128-bit vectors)', '');
  lines.push(bandwidth.length ? table(['engine', 'array', 'best GB/s', 'median GB/s', 'generation bound (tokens/s)'],
    bandwidth.map((row) => [`${ENGINE_NAMES[row.engine] || row.engine} (${row.engine_version})`, mib(row.bytes),
      row.best_gb_per_s.toFixed(2), row.median_gb_per_s.toFixed(2), (row.best_gb_per_s * 1e9 / bytesPerToken).toFixed(1)]))
    : 'not measured (bench/bandwidth_probe.sh)');

  const checks = rows.filter((row) => row.kind === 'check');
  lines.push('', '## Correctness against the float64 reference (tests/golden/make_gpt2_checkpoints.py)', '');
  lines.push(checks.length ? table(['peer, engine', 'checkpoint', 'max \\|logit difference\\|', 'tolerance', 'greedy tokens', 'result'],
    checks.map((row) => [columnName([row.peer, row.engine]), row.checkpoint, row.max_abs_difference.toExponential(2),
      row.tolerance.toExponential(2), row.greedy_matches === null ? 'not run' : row.greedy_matches ? 'equal' : 'differ', row.passed ? 'passed' : '**FAILED**']))
    : 'not run (node bench/gpt2-node.js --check)');

  const variants = rows.filter((row) => row.file === 'gpt2-ort-variants-node.jsonl' && row.kind === 'forward');
  if (variants.length) {
    lines.push('', '## onnxruntime-web graph variants (Node.js, each against the default in its own pair, alternating)', '');
    const pairs = [...new Set(variants.map((row) => row.pair))];
    const reference = variants.find((row) => row.peer !== row.pair).peer;
    const lengths = [...new Set(variants.map((row) => row.n))];
    lines.push(table(['variant'].concat(lengths.map((n) => `n = ${n}: variant / default`)), pairs.map((pair) => [pair].concat(lengths.map((n) => {
      const mine = variants.find((row) => row.pair === pair && row.peer === pair && row.n === n);
      const theirs = variants.find((row) => row.pair === pair && row.peer === reference && row.n === n);
      return mine && theirs ? `${ms(mine.median_ms)} / ${ms(theirs.median_ms)} ms = ${(mine.median_ms / theirs.median_ms).toFixed(2)}` : '-';
    })))));
    lines.push('', `Default: ${reference}.`);
  }
  return lines.join('\n') + '\n';
}

const text = report(load());
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(path.join(DIR, 'gpt2-report.md'), text);
process.stdout.write(text);
