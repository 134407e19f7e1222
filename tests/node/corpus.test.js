// What the page trains on, through the JavaScript API: the recipes of the native command, the
// workshop corpus (its vocabulary, its splits and the three experiments), induction sequences,
// vocabularies built from tokens, and the tokenizers; then their invalid calls, each an Error with
// the core's or the API's message, after which the module still works.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule } = require('./module');

function assertError(call, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `not a plain Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

// A small corpus, for the tests that do not need the recipe's 8,000 sentences.
const SMALL_CORPUS = { trainSentences: 300, evalSentences: 60 };

const sentenceText = (sentence) => sentence.words.join(' ');

// ---- recipes ---------------------------------------------------------------------------------------

test('recipes: the numbers of src/core/training/recipes.cpp, the model configs ready for TinyTransformer', async (t) => {
  const M = await loadModule();
  const recipes = M.recipes();
  const adamw = { weightDecay: 0.1, clipNorm: 1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8 };
  assert.deepEqual(recipes.workshop, {
    config: { vocabSize: 96, contextLength: 24, embedDim: 64, numHeads: 4, numLayers: 2, mlp: true, layerNorm: true,
              seed: 7 },
    training: Object.assign({ batch: 32, seqLen: 0, learningRate: 0.003, warmupSteps: 100, totalSteps: 1500,
                              finalFraction: 0.1, dataSeed: 1 }, adamw),
    trainSequences: 8000, evalSequences: 600, inductionSymbols: 0, shortestPeriod: 0, longestPeriod: 0,
    textVocabulary: 0,
  });
  assert.deepEqual(recipes.induction, {
    config: { vocabSize: 26, contextLength: 33, embedDim: 64, numHeads: 4, numLayers: 2, mlp: false, layerNorm: true,
              seed: 7 },
    training: Object.assign({ batch: 32, seqLen: 0, learningRate: 0.003, warmupSteps: 50, totalSteps: 3000,
                              finalFraction: 0.1, dataSeed: 1 }, adamw),
    trainSequences: 20000, evalSequences: 200, inductionSymbols: 24, shortestPeriod: 8, longestPeriod: 16,
    textVocabulary: 0,
  });
  // Own text: the vocabulary's size comes from the text, so the config leaves it out.
  assert.deepEqual(recipes.text, {
    config: { contextLength: 32, embedDim: 64, numHeads: 4, numLayers: 2, mlp: true, layerNorm: true, seed: 7 },
    training: Object.assign({ batch: 16, seqLen: 0, learningRate: 0.003, warmupSteps: 50, totalSteps: 1000,
                              finalFraction: 0.1, dataSeed: 1 }, adamw),
    trainSequences: 0, evalSequences: 0, inductionSymbols: 0, shortestPeriod: 0, longestPeriod: 0,
    textVocabulary: 512,
  });
  recipes.workshop.config.embedDim = 8;
  assert.equal(M.recipes().workshop.config.embedDim, 64, 'each call gives a fresh copy');
  const model = new M.TinyTransformer(M.recipes().workshop.config);
  t.after(() => model.delete());
  assert.deepEqual(model.config, M.recipes().workshop.config);
  assert.equal(M.workshopCorpus({ trainSentences: 0, evalSentences: 0 }).vocabulary.length,
    model.config.vocabSize, 'the workshop config fits its vocabulary');
});

// ---- the workshop corpus ---------------------------------------------------------------------------

test('workshopCorpus: a vocabulary of 96 words, <unk> and <bos> first; every sentence <bos> then its words\' ids', async () => {
  const M = await loadModule();
  const corpus = M.workshopCorpus(SMALL_CORPUS);
  assert.equal(corpus.vocabulary.length, 96);
  assert.deepEqual(corpus.vocabulary.slice(0, 2), ['<unk>', '<bos>']);
  assert.equal(new Set(corpus.vocabulary).size, 96, 'no word twice');
  assert.equal(corpus.training.length, 300);
  assert.equal(corpus.heldOut.length, 60);
  assert.equal(corpus.novel.length, 60);
  assert.equal(corpus.experiments.length, 3);
  const families = new Set();
  for (const split of ['training', 'heldOut', 'novel', 'experiments']) {
    for (const sentence of corpus[split]) {
      const { words, tokens, relations } = sentence;
      assert.ok(tokens instanceof Int32Array, split);
      assert.equal(tokens.length, words.length + 1);
      assert.equal(tokens[0], 1, 'tokens start with <bos>');
      assert.ok(words.length <= 20, `${split}: ${words.length} words`);
      words.forEach((word, i) => assert.equal(tokens[i + 1], corpus.vocabulary.indexOf(word), word));
      assert.ok(tokens.every((id) => id >= 1 && id < 96), 'no <unk>');
      assert.equal(relations.length, 1, sentenceText(sentence));
      const [{ name, query, key }] = relations;
      assert.ok(key >= 1 && key < query && query < tokens.length, `${name} ${key} -> ${query}`);
      families.add(name);
    }
  }
  assert.deepEqual([...families].sort(), ['agreement', 'coreference', 'relative_clause']);
});

test('workshopCorpus: the three experiments, with it -> cat, are -> dogs, was -> book at their token positions', async () => {
  const M = await loadModule();
  const { vocabulary, experiments } = M.workshopCorpus({ trainSentences: 0, evalSentences: 0 });
  const expected = [
    ['the cat sat on the mat because it was tired', 'coreference', 'it', 8, 'cat', 2],
    ['the dogs in the park are playing', 'agreement', 'are', 6, 'dogs', 2],
    ['the book that i bought yesterday was interesting', 'relative_clause', 'was', 7, 'book', 2],
  ];
  assert.equal(experiments.length, 3);
  expected.forEach(([text, name, queryWord, query, keyWord, key], i) => {
    const sentence = experiments[i];
    assert.equal(sentenceText(sentence), text);
    assert.deepEqual(sentence.relations, [{ name, query, key }]);
    assert.equal(vocabulary[sentence.tokens[query]], queryWord);
    assert.equal(vocabulary[sentence.tokens[key]], keyWord);
    assert.equal(sentence.words[query - 1], queryWord, 'words are one position behind tokens (no <bos>)');
  });
});

test('workshopCorpus: the same seed gives the same corpus, another seed another; the defaults are the recipe\'s', async () => {
  const M = await loadModule();
  const first = M.workshopCorpus(Object.assign({ seed: 5 }, SMALL_CORPUS));
  assert.deepEqual(M.workshopCorpus(Object.assign({ seed: 5 }, SMALL_CORPUS)), first);
  const other = M.workshopCorpus(Object.assign({ seed: 6 }, SMALL_CORPUS));
  assert.notDeepEqual(other.training.map(sentenceText), first.training.map(sentenceText));
  assert.deepEqual(other.experiments, first.experiments, 'the experiments do not depend on the seed');
  const recipe = M.recipes().workshop;
  const defaults = M.workshopCorpus();
  assert.equal(defaults.training.length, recipe.trainSequences);
  assert.equal(defaults.heldOut.length, recipe.evalSequences);
  assert.equal(defaults.novel.length, recipe.evalSequences);
  assert.deepEqual(defaults.training.slice(0, 50),
    M.workshopCorpus({ seed: recipe.training.dataSeed, trainSentences: 50, evalSentences: 0 }).training,
    'a corpus of fewer sentences is the start of a longer one');
});

test('workshopCorpus: held-out sentences are never training sentences; novel ones are longer-range', async () => {
  const M = await loadModule();
  const corpus = M.workshopCorpus();
  const training = new Set(corpus.training.map(sentenceText));
  for (const sentence of corpus.heldOut) assert.ok(!training.has(sentenceText(sentence)), sentenceText(sentence));
  for (const sentence of corpus.novel) assert.ok(!training.has(sentenceText(sentence)), sentenceText(sentence));
  // The novel shapes put one more phrase between key and query than the trained grammar does.
  const meanDistance = (sentences) => sentences.reduce((total, s) => total + s.relations[0].query - s.relations[0].key, 0) /
    sentences.length;
  assert.ok(meanDistance(corpus.novel) > meanDistance(corpus.heldOut),
    `${meanDistance(corpus.novel)} vs ${meanDistance(corpus.heldOut)}`);
});

// ---- induction sequences ---------------------------------------------------------------------------

test('inductionCorpus: <bos>, a period of distinct symbols, the same again; deterministic per seed', async () => {
  const M = await loadModule();
  const corpus = M.inductionCorpus({ seed: 3, count: 200, symbols: 10, shortestPeriod: 3, longestPeriod: 7 });
  assert.deepEqual(corpus.vocabulary, ['<unk>', '<bos>', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  assert.equal(corpus.sequences.length, 200);
  assert.equal(corpus.periods.length, 200);
  corpus.sequences.forEach((sequence, s) => {
    const period = corpus.periods[s];
    assert.ok(sequence instanceof Int32Array);
    assert.ok(period >= 3 && period <= 7, `period ${period}`);
    assert.equal(sequence.length, 1 + 2 * period);
    assert.equal(sequence[0], 1);
    const half = Array.from(sequence.subarray(1, 1 + period));
    assert.deepEqual(Array.from(sequence.subarray(1 + period)), half);
    assert.equal(new Set(half).size, period, 'distinct symbols');
    assert.ok(half.every((id) => id >= 2 && id < 12));
  });
  assert.deepEqual(new Set(corpus.periods), new Set([3, 4, 5, 6, 7]), 'every period occurs');
  assert.deepEqual(M.inductionCorpus({ seed: 3, count: 200, symbols: 10, shortestPeriod: 3, longestPeriod: 7 }), corpus);
  assert.notDeepEqual(M.inductionCorpus({ seed: 4, count: 200, symbols: 10, shortestPeriod: 3, longestPeriod: 7 }).sequences,
    corpus.sequences);
  const recipe = M.recipes().induction;
  const defaults = M.inductionCorpus();
  assert.equal(defaults.sequences.length, recipe.trainSequences);
  assert.equal(defaults.vocabulary.length, recipe.config.vocabSize);
  assert.ok(defaults.periods.every((period) => period >= recipe.shortestPeriod && period <= recipe.longestPeriod));
  assert.deepEqual(M.inductionCorpus({ count: 5 }).sequences, defaults.sequences.slice(0, 5));
});

// ---- vocabularies and tokenizers -------------------------------------------------------------------

test('buildVocabulary: <unk>, <bos>, then the most frequent tokens, ties in order of first appearance', async () => {
  const M = await loadModule();
  const tokens = ['the', 'cat', 'sat', 'on', 'the', 'mat', 'the', 'cat', '<bos>', '<unk>', 'mat'];
  assert.deepEqual(M.buildVocabulary(tokens, 100), ['<unk>', '<bos>', 'the', 'cat', 'mat', 'sat', 'on']);
  assert.deepEqual(M.buildVocabulary(tokens, 4), ['<unk>', '<bos>', 'the', 'cat']);
  assert.deepEqual(M.buildVocabulary(tokens, 2), ['<unk>', '<bos>']);
  assert.deepEqual(M.buildVocabulary([], 10), ['<unk>', '<bos>']);
  assert.deepEqual(M.buildVocabulary(['猫', '🙂', '猫']), ['<unk>', '<bos>', '猫', '🙂'], 'maxSize defaults to 512');
  const many = Array.from({ length: 600 }, (_, i) => `w${i}`);
  assert.equal(M.buildVocabulary(many).length, M.recipes().text.textVocabulary);
});

test('encode: each word\'s id, words outside the vocabulary as <unk> (0)', async () => {
  const M = await loadModule();
  const vocabulary = M.buildVocabulary(['the', 'cat', 'the', 'dog'], 10);
  assert.deepEqual(M.encode(vocabulary, ['the', 'dog', 'bird', '<bos>', 'cat']), Int32Array.of(2, 4, 0, 1, 3));
  assert.deepEqual(M.encode(vocabulary, []), new Int32Array(0));
  const { vocabulary: workshop, experiments } = M.workshopCorpus({ trainSentences: 0, evalSentences: 0 });
  assert.deepEqual(M.encode(workshop, experiments[0].words), experiments[0].tokens.subarray(1));
});

test('splitWords and splitCharacters: the rules of src/core/data/tokenizer.h', async () => {
  const M = await loadModule();
  assert.deepEqual(M.splitWords("The cat's toy, e.g. 3.14 or 1,000 - don't stop_now! dogs'"),
    ['The', "cat's", 'toy', ',', 'e', '.', 'g', '.', '3.14', 'or', '1,000', '-', "don't", 'stop_now', '!', 'dogs', "'"]);
  assert.deepEqual(M.splitWords('The CAT sat', true), ['the', 'cat', 'sat']);
  assert.deepEqual(M.splitWords('  \n\t '), []);
  assert.deepEqual(M.splitWords('café ...'), ['café', '.', '.', '.']);
  assert.deepEqual(M.splitCharacters('Ab c\nd\té'), ['A', 'b', '␣', 'c', 'd', 'é']);
  assert.deepEqual(M.splitCharacters('AB', true), ['a', 'b']);
  assert.deepEqual(M.splitCharacters(''), []);
  assert.deepEqual(M.splitCharacters('猫🙂'), ['猫', '🙂'], 'one token per code point');
});

// ---- errors ----------------------------------------------------------------------------------------

test('corpus errors: sizes bounded before anything is drawn, bad periods, bad vocabularies and texts', async () => {
  const M = await loadModule();
  const before = M.memoryStats().allocatedBytes;
  assertError(() => M.workshopCorpus({ trainSentences: 100001 }), /trainSentences must be at most 100000, got 100001/);
  assertError(() => M.workshopCorpus({ evalSentences: 2 ** 31 - 1 }), /evalSentences must be at most 100000, got 2147483647/);
  assertError(() => M.workshopCorpus({ trainSentences: -1 }), /trainSentences must be an integer >= 0, got number -1/);
  assertError(() => M.workshopCorpus({ seed: -1 }), /seed must be an integer from 0 to 9007199254740991, got number -1/);
  assertError(() => M.workshopCorpus({ trainsentences: 5 }), /workshopCorpus: unknown option "trainsentences"/);
  assertError(() => M.workshopCorpus('big'), /workshopCorpus: options must be an object/);
  assertError(() => M.inductionCorpus({ count: 100001 }), /count must be at most 100000, got 100001/);
  assertError(() => M.inductionCorpus({ symbols: 20000, longestPeriod: 20000 }),
    /symbols must be at most 16382 \(a model's largest vocabulary less <unk> and <bos>\), got 20000/);
  assertError(() => M.inductionCorpus({ count: 100000, symbols: 200, longestPeriod: 200 }),
    /count\*\(1 \+ 2\*longestPeriod\) = 100000\*401 tokens is more than the 16777216 an induction corpus may hold/);
  assertError(() => M.inductionCorpus({ symbols: 1, shortestPeriod: 1, longestPeriod: 1 }), /induction data needs n_symbols in \[2, /);
  assertError(() => M.inductionCorpus({ shortestPeriod: 9, longestPeriod: 8 }),
    /induction data needs periods with 1 <= shortest <= longest <= n_symbols = 24, got 9 and 8/);
  assertError(() => M.inductionCorpus({ longestPeriod: 25 }), /got 8 and 25/);
  assertError(() => M.buildVocabulary(['a'], 1), /max_size 1 leaves no room for the 2 reserved words <unk> and <bos>/);
  assertError(() => M.buildVocabulary(['a', ''], 5), /token 1 is empty/);
  assertError(() => M.buildVocabulary(['a', 3], 5), /tokens\[1\] must be a string, got number 3/);
  assertError(() => M.buildVocabulary('a b', 5), /tokens must be an array of strings, got the string "a b"/);
  assertError(() => M.buildVocabulary(['\ud800'], 5), /tokens\[0\] has a lone surrogate \(0xd800\)/);
  assertError(() => M.buildVocabulary(['a'], 0), /maxSize must be a positive integer, got number 0/);
  assertError(() => M.encode(['the', 'cat'], ['the']),
    /vocabulary must start with "<unk>", "<bos>" \(ids 0 and 1, as buildVocabulary returns it\), got "the", "cat" first/);
  assertError(() => M.encode([], ['the']), /vocabulary must start with .* got none first/);
  // The core counts the words from the first after <bos> (id 2): word 1 is id 3.
  assertError(() => M.encode(['<unk>', '<bos>', 'the', 'the'], ['the']), /vocabulary word 1 "the" is already id 2/);
  assertError(() => M.encode(['<unk>', '<bos>', 'a'], 'a'), /words must be an array of strings/);
  assertError(() => M.splitWords(3), /text must be a string, got number 3/);
  assertError(() => M.splitWords('a', 'yes'), /lowercase must be a boolean, got the string "yes"/);
  assertError(() => M.splitCharacters('a\udc00'), /text has a lone surrogate \(0xdc00\) at index 1/);
  assert.equal(M.memoryStats().allocatedBytes, before, 'the rejected calls left nothing behind');
  assert.equal(M.workshopCorpus({ trainSentences: 3, evalSentences: 1 }).training.length, 3, 'still usable');
});
