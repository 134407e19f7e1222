// GPT-2-family checkpoints through the JavaScript API (loadPretrained, openPretrained,
// PretrainedModel): the project's PyTorch reference writes one small checkpoint per variant of the
// published layout with its logits, attention maps and greedy tokens
// (tests/golden/make_gpt2_checkpoints.py, run by CTest into build/native/gpt2-fixtures before this
// stage), and the module must agree with them as the native core does; then GPT-2's tokenizer on
// text with the spans of each token, pieces of any size, and every bad file set, each an Error
// naming the problem, after which the module still works.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadModule } = require('./module');

const FIXTURES = path.join(__dirname, '..', '..', 'build', 'native', 'gpt2-fixtures');

function variantFiles(variant) {
  const dir = path.join(FIXTURES, variant);
  const files = {};
  for (const name of fs.readdirSync(dir)) {
    if (name !== 'reference.txt') files[name] = new Uint8Array(fs.readFileSync(path.join(dir, name)));
  }
  return files;
}

// reference.txt: "name rows cols" then the values, lines opening with # are comments
// (tests/core/support/test_support.h's format).
function readReference(variant) {
  const lines = fs.readFileSync(path.join(FIXTURES, variant, 'reference.txt'), 'utf8').split('\n');
  const words = lines.filter((line) => !line.startsWith('#')).join(' ').split(/\s+/).filter(Boolean);
  const tensors = {};
  for (let i = 0; i < words.length;) {
    const name = words[i];
    const rows = Number(words[i + 1]);
    const cols = Number(words[i + 2]);
    const values = new Float64Array(rows * cols);
    for (let j = 0; j < values.length; j += 1) values[j] = Number(words[i + 3 + j]);
    tensors[name] = { rows, cols, values };
    i += 3 + values.length;
  }
  return tensors;
}

function maxAbs(values) {
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  return largest;
}

function assertClose(actual, expected, margin, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i += 1) {
    if (!(Math.abs(actual[i] - expected[i]) <= margin)) {
      assert.fail(`${what}[${i}] is ${actual[i]}, the reference ${expected[i]} (margin ${margin})`);
    }
  }
}

const VARIANTS = ['plain', 'prefixed', 'f16', 'bf16', 'no_buffers', 'n_inner', 'unaligned',
  'inverse_layer_scale', 'tokenizer_json', 'tokenizer_json_pairs', 'real_vocab', 'gpt2_depth'];

test('pretrained: every variant agrees with PyTorch: logits, every map, greedy tokens', async () => {
  const M = await loadModule();
  for (const variant of VARIANTS) {
    const reference = readReference(variant);
    const model = M.loadPretrained(variantFiles(variant));
    const ids = Int32Array.from(reference.tokens.values);
    const { logits } = model.forward(ids);
    assert.deepEqual(logits.shape, [ids.length, model.config.vocabSize]);
    const largest = maxAbs(reference.logits.values);
    assertClose(logits.data, reference.logits.values, 1e-5 * largest, `${variant} logits`);
    for (let layer = 0; layer < model.config.numLayers; layer += 1) {
      const maps = model.attention(ids, layer);
      assert.deepEqual(maps.shape, [model.config.numHeads, ids.length, ids.length]);
      assertClose(maps.data, reference[`attention.${layer}`].values, 1e-5, `${variant} attention.${layer}`);
    }
    const greedy = model.generate(ids, 8, { temperature: 0 });
    assert.deepEqual(Array.from(greedy.ids), Array.from(reference.greedy.values), `${variant} greedy`);
    model.delete();
  }
});

test('pretrained: GPT-2\'s tokenizer gives its ids and the text each token covers', async () => {
  const M = await loadModule();
  const model = M.loadPretrained(variantFiles('real_vocab'));
  assert.equal(model.config.endOfText, 50256);
  assert.deepEqual(Array.from(model.encode('Hello world').ids), [15496, 995]);
  const text = 'The cat sat on the mat because it was tired 🐈‍⬛!';
  const { ids, tokens } = model.encode(text);
  assert.equal(tokens.map((t) => t.text).join(''), text, 'the tokens tile the text');
  assert.equal(tokens[1].text, ' cat');
  assert.equal(model.decode(ids), text);
  // A lone surrogate is U+FFFD, as TextEncoder makes it; its token covers the surrogate.
  const lone = model.encode('a\ud800b');
  assert.equal(lone.tokens.map((t) => t.text).join(''), 'a\ud800b');
  assert.equal(model.decode(lone.ids), 'a\ufffdb');
  const top = model.topNext(ids, { k: 5 });
  assert.equal(top.length, 5);
  for (let i = 1; i < top.length; i += 1) assert.ok(top[i].probability <= top[i - 1].probability);
  model.delete();
});

test('pretrained: fed in pieces of any size, the same model; the generated tokens repeat', async () => {
  const M = await loadModule();
  const files = variantFiles('f16');
  const whole = M.loadPretrained(files);
  const bytes = files['model.safetensors'];
  for (const piece of [1, 7, 1000]) {
    const loader = M.openPretrained(files, bytes.length);
    for (let at = 0; at < bytes.length; at += piece) loader.feed(bytes.subarray(at, at + piece));
    assert.equal(loader.bytesRead, bytes.length);
    const model = loader.finish();
    const ids = [1, 2, 3, 4, 5];
    assert.deepEqual(model.forward(ids).logits.data, whole.forward(ids).logits.data);
    model.delete();
  }
  const options = { temperature: 0.8, topK: 20, topP: 0.9, seed: 7, attention: true };
  const first = whole.generate([5, 6, 7], 6, options);
  assert.deepEqual(whole.generate([5, 6, 7], 6, options), first);
  assert.equal(first.attention.length, 6);
  assert.deepEqual(first.attention[0].shape, [whole.config.numLayers * whole.config.numHeads, 3]);
  whole.delete();
});

test('pretrained: the overview is every map reduced, one layer in full and the next tokens, from one pass', async () => {
  const M = await loadModule();
  const model = M.loadPretrained(variantFiles('gpt2_depth'));
  const { numLayers, numHeads } = model.config;
  const ids = Array.from({ length: 30 }, (_, i) => (i * 37 + 11) % model.config.vocabSize);
  const n = ids.length;
  const whole = model.overview(ids, { layer: 4, side: 64 });
  assert.equal(whole.side, n);
  assert.deepEqual(whole.reduced.shape, [numLayers * numHeads, n, n]);
  assert.deepEqual(whole.layerMaps.shape, [numHeads, n, n]);
  const layer4 = model.attention(ids, 4).data;
  let worst = 0;
  for (let i = 0; i < layer4.length; i += 1) {
    worst = Math.max(worst, Math.abs(whole.layerMaps.data[i] - layer4[i]),
      Math.abs(whole.reduced.data[4 * numHeads * n * n + i] - layer4[i]));
  }
  assert.ok(worst < 1e-5, `the overview's maps differ from attention()'s by ${worst}`);
  const top = model.topNext(ids);
  assert.deepEqual(whole.top.map((t) => t.id), top.map((t) => t.id));
  // Reduced to 8 x 8: 30 tokens in blocks of 3 or 4, each cell its block's largest weight.
  const small = model.overview(ids, { layer: 0, side: 8, k: 3 });
  assert.equal(small.side, 8);
  assert.equal(small.top.length, 3);
  const layer0 = model.attention(ids, 0).data;
  for (const [a, b] of [[0, 0], [7, 7], [7, 0], [5, 2]]) {
    let largest = 0;
    for (let i = Math.floor(a * n / 8); i < Math.floor((a + 1) * n / 8); i += 1) {
      for (let j = Math.floor(b * n / 8); j < Math.floor((b + 1) * n / 8); j += 1) largest = Math.max(largest, layer0[i * n + j]);
    }
    assert.ok(Math.abs(small.reduced.data[a * 8 + b] - largest) < 1e-6, `cell ${a}, ${b}`);
  }
  assert.throws(() => model.overview(ids, { layer: numLayers }), /layer 12 does not exist/);
  assert.throws(() => model.overview(ids, { side: 0 }), /side must be a positive integer, got number 0/);
  assert.throws(() => model.overview(ids, { sides: 3 }), /sides/);
  model.delete();
});

test('pretrained: the workshop\'s relations in every head, in pieces or whole; sentences past the context are counted', async () => {
  const M = await loadModule();
  const model = M.loadPretrained(variantFiles('real_vocab'));
  const whole = model.workshopRelations({ set: 'heldOut', first: 0, count: 600 });
  assert.equal(whole.total, 600);
  assert.equal(whole.skipped, 0);
  // In order of first appearance in the sentences.
  assert.deepEqual(whole.relations.map((r) => r.name).sort(), ['agreement', 'coreference', 'relative_clause']);
  const coreference = whole.relations.find((r) => r.name === 'coreference');
  assert.equal(coreference.accuracy.length, model.config.numLayers * model.config.numHeads);
  // Two pieces summed by their instances: the whole's accuracy in every head.
  const piece = (first, count) => model.workshopRelations({ set: 'heldOut', first, count }).relations
    .find((r) => r.name === 'coreference');
  const a = piece(0, 250);
  const b = piece(250, 1000);
  assert.equal(a.instances + b.instances, coreference.instances);
  for (let k = 0; k < coreference.accuracy.length; k += 1) {
    const summed = (a.accuracy[k] * a.instances + b.accuracy[k] * b.instances) / coreference.instances;
    assert.ok(Math.abs(summed - coreference.accuracy[k]) < 1e-12, `head ${k}`);
  }
  assert.equal(model.workshopRelations({ set: 'novel', first: 600, count: 5 }).relations.length, 0);
  assert.throws(() => model.workshopRelations({ set: 'train' }), /set must be "heldOut" or "novel", got "train"/);
  assert.throws(() => model.workshopRelations({ first: 601 }), /first must be between 0 and 600, got 601/);
  model.delete();
  // A byte-level tokenizer of few merges makes longer sentences than a context of 32 holds.
  const small = M.loadPretrained(variantFiles('gpt2_depth'));
  const some = small.workshopRelations({ set: 'heldOut', first: 0, count: 50 });
  assert.ok(some.skipped > 0 && some.skipped <= 50, `skipped ${some.skipped}`);
  small.delete();
});

test('pretrained: saved and loaded again, the same logits', async () => {
  const M = await loadModule();
  const files = variantFiles('n_inner');
  const model = M.loadPretrained(files);
  const saved = model.save();
  const again = M.loadPretrained(Object.assign({}, files, saved));
  const ids = [3, 1, 4, 1, 5, 9, 2, 6];
  assert.deepEqual(again.forward(ids).logits.data, model.forward(ids).logits.data);
  model.delete();
  again.delete();
});

test('pretrained: bad file sets are Errors naming the problem; the module still works', async () => {
  const M = await loadModule();
  const files = variantFiles('plain');
  const text = (bytes) => Buffer.from(bytes).toString('utf8');
  const config = JSON.parse(text(files['config.json']));
  const withConfig = (changes) => Object.assign({}, files,
    { 'config.json': JSON.stringify(Object.assign({}, config, changes)) });
  const cases = [
    [{ 'config.json': files['config.json'] }, /model\.safetensors is missing/],
    [Object.assign({}, files, { 'vocab.json': undefined }), /the tokenizer is missing/],
    [withConfig({ model_type: 'llama' }), /model_type "llama" is not supported/],
    [withConfig({ n_embd: 32, n_head: 4 }), /has shape \[\d+, 16\], but config\.json \(n_embd 32/],
    // gpt2-large's shape: 774 M parameters, 3.1 GB.
    [withConfig({ n_embd: 1280, n_head: 20, n_layer: 36, vocab_size: 50257, n_positions: 1024, n_ctx: 1024 }),
      /774030080 parameters .* need \d+ bytes, more than the module's memory limit/],
    [Object.assign({}, files, { 'model.safetensors': files['model.safetensors'].subarray(0, 5000) }),
      /model\.safetensors ends after 5000 of its 5000|the data section|past the end/],
    [Object.assign({}, files, { 'merges.txt': 'not a merges file' }), /merges\.txt/],
    [Object.assign({}, files, { 'vocab.json': '{"a": 0}' }), /vocab\.json/],
    [null, /files must be an object/],
  ];
  for (const [set, message] of cases) {
    assert.throws(() => M.loadPretrained(set), (error) => {
      assert.ok(error instanceof Error, `an Error, got ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
  const model = M.loadPretrained(files);
  assert.throws(() => model.attention([1, 2], 9), /layer 9 does not exist/);
  assert.throws(() => model.forward([]), /ids is empty/);
  assert.throws(() => model.forward([1, 100000]), /outside the vocabulary/);
  assert.throws(() => model.generate([1], 2, { topP: 0 }), /top_p must be in \(0, 1\]/);
  assert.equal(model.forward([1, 2, 3]).logits.shape[0], 3);
  model.delete();
  assert.throws(() => model.forward([1]), /this PretrainedModel was deleted/);
});
