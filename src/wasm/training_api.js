// The training API over the raw bindings of src/wasm/training_bindings.cpp, appended after api.js
// with --post-js, whose helpers it uses (attentionApi): the recipes of the native command, the
// corpora and vocabularies, the Trainer, the workshop report and the head detectors run on a model.
// As in api.js, types are checked here and values and sizes by the C++ core, whose messages come
// back as Errors unchanged; src/wasm/attention.d.ts documents every default and shape.
//
// Names: recipes, workshopCorpus, inductionCorpus, buildVocabulary, encode, splitWords,
// splitCharacters, Trainer, workshopReport, scoreModelHeads, scoreModelRelations.

/* global Module, attentionApi */
(function installTrainingApi(module, api) {
  'use strict';

  const {
    bindings, describe, fail, readOptions, toIndex, toSize, toText, toTexts, toSequences,
    TinyTransformer,
  } = api;

  // ---- recipes (src/core/training/recipes.h) ----------------------------------------------------------------

  // {workshop, induction, text}, fresh each call: the numbers of the native command
  // (src/cli/spotlight_train.cpp), so that the page trains the same models.
  function recipes() {
    return bindings().recipes();
  }

  // The corpus options and their defaults, taken from the recipes.
  function workshopCorpusDefaults() {
    const recipe = recipes().workshop;
    return { seed: recipe.training.dataSeed, trainSentences: recipe.trainSequences,
             evalSentences: recipe.evalSequences };
  }

  function inductionCorpusDefaults() {
    const recipe = recipes().induction;
    return { seed: recipe.training.dataSeed, count: recipe.trainSequences, symbols: recipe.inductionSymbols,
             shortestPeriod: recipe.shortestPeriod, longestPeriod: recipe.longestPeriod };
  }

  // Every numeric option by its kind, after readOptions has checked that it is a number: a seed
  // (a safe integer >= 0), a size (an integer >= 1) or a count (an integer >= 0), each within what
  // the bindings take; the others, rates and fractions, go to the core as they are, which checks
  // their ranges.
  const seedOf = (name) => (value) => api.toSeed(value, name);
  const sizeOf = (name) => (value) => toSize(name, value);
  const countOf = (name) => (value) => toIndex(name, value);
  const CONVERSIONS = {
    seed: seedOf('seed'), dataSeed: seedOf('dataSeed'), batch: sizeOf('batch'), vocabSize: sizeOf('vocabSize'),
    trainSentences: countOf('trainSentences'), evalSentences: countOf('evalSentences'), count: countOf('count'),
    symbols: countOf('symbols'), shortestPeriod: countOf('shortestPeriod'), longestPeriod: countOf('longestPeriod'),
    seqLen: countOf('seqLen'), warmupSteps: countOf('warmupSteps'), totalSteps: countOf('totalSteps'),
  };

  function converted(options) {
    const result = {};
    for (const key of Object.keys(options)) {
      const conversion = CONVERSIONS[key];
      result[key] = conversion ? conversion(options[key]) : options[key];
    }
    return result;
  }

  // ---- corpora (src/core/data/corpus.h) -----------------------------------------------------------------

  // The sentences of one packed split (training_bindings.cpp, pack_sentences): {words, tokens
  // (<bos> first), relations (positions in tokens)} each.
  function unpackSentences(packed, vocabulary) {
    const sentences = [];
    for (let s = 0; s + 1 < packed.offsets.length; s += 1) {
      const tokens = packed.tokens.slice(packed.offsets[s], packed.offsets[s + 1]);
      const words = [];
      for (let i = 1; i < tokens.length; i += 1) words.push(vocabulary[tokens[i]]);
      const relations = [];
      for (let r = packed.relationOffsets[s]; r < packed.relationOffsets[s + 1]; r += 1) {
        relations.push({ name: packed.relationNames[packed.relations[3 * r]], query: packed.relations[3 * r + 1],
                         key: packed.relations[3 * r + 2] });
      }
      sentences.push({ words, tokens, relations });
    }
    return sentences;
  }

  function workshopCorpus(options) {
    const o = converted(readOptions(options, workshopCorpusDefaults(), 'workshopCorpus'));
    const packed = bindings().workshopCorpus(o.seed, o.trainSentences, o.evalSentences);
    const vocabulary = packed.vocabulary;
    return {
      vocabulary, training: unpackSentences(packed.training, vocabulary),
      heldOut: unpackSentences(packed.heldOut, vocabulary), novel: unpackSentences(packed.novel, vocabulary),
      experiments: unpackSentences(packed.experiments, vocabulary),
    };
  }

  function inductionCorpus(options) {
    const o = converted(readOptions(options, inductionCorpusDefaults(), 'inductionCorpus'));
    const packed = bindings().inductionCorpus(o.seed, o.count, o.symbols, o.shortestPeriod, o.longestPeriod);
    const sequences = [];
    for (let s = 0; s + 1 < packed.offsets.length; s += 1) {
      sequences.push(packed.tokens.slice(packed.offsets[s], packed.offsets[s + 1]));
    }
    return { vocabulary: packed.vocabulary, sequences, periods: Array.from(packed.periods) };
  }

  // ---- vocabularies and tokenizers (src/core/data/vocabulary.h, tokenizer.h) ----------------------------

  function buildVocabulary(tokens, maxSize) {
    const size = maxSize === undefined ? recipes().text.textVocabulary : toSize('maxSize', maxSize);
    return bindings().buildVocabulary(toTexts('tokens', tokens), size);
  }

  function encode(vocabulary, words) {
    return bindings().encode(toTexts('vocabulary', vocabulary), toTexts('words', words));
  }

  function toLowercase(value) {
    return value === undefined ? false : api.toBoolean('lowercase', value);
  }

  function splitWords(text, lowercase) {
    return bindings().splitWords(toText('text', text), toLowercase(lowercase));
  }

  function splitCharacters(text, lowercase) {
    return bindings().splitCharacters(toText('text', text), toLowercase(lowercase));
  }

  // ---- the Trainer (src/core/training/trainer.h) ------------------------------------------------------------

  // The raw handle of a TinyTransformer that has not been deleted.
  function liveModel(model) {
    if (!(model instanceof TinyTransformer)) fail(`model must be a TinyTransformer, got ${describe(model)}`);
    return model._live();
  }

  const TASKS = ['workshop', 'induction', 'text'];
  const DATA_CHECKS = {
    task: (value) => value,
    sequences: (value) => toSequences('sequences', value),
    tokens: (value) => toTexts('tokens', value),
    vocabulary: (value) => toTexts('vocabulary', value),
  };

  // The Trainer's data in the canonical form of training_bindings.cpp (to_training_set), and the
  // recipe whose training options are its defaults: {sequences, vocabSize} takes the text recipe's
  // (any token stream), a task its own.
  function trainingData(data) {
    if (!api.isPlainObject(data)) {
      fail(`Trainer: data must be an object, {sequences, vocabSize} or {task: 'workshop' | 'induction' | 'text', ...}, ` +
           `got ${describe(data)}`);
    }
    const all = recipes();
    if (data.task === undefined) {
      const o = readOptions(data, { sequences: undefined, vocabSize: undefined },
                            'Trainer data without a task ({sequences, vocabSize})', DATA_CHECKS);
      return { recipe: all.text,
               data: { kind: 'sequences', sequences: o.sequences, vocabSize: toSize('vocabSize', o.vocabSize) } };
    }
    if (!TASKS.includes(data.task)) {
      fail(`Trainer data: task must be 'workshop', 'induction' or 'text', got ${describe(data.task)}`);
    }
    const task = data.task;
    const defaults = {
      workshop: () => ({ task, seed: all.workshop.training.dataSeed, trainSentences: all.workshop.trainSequences }),
      induction: () => Object.assign({ task }, inductionCorpusDefaults()),
      text: () => ({ task, tokens: undefined, vocabulary: undefined }),
    }[task]();
    const o = converted(readOptions(data, defaults, `Trainer data (task '${task}')`, DATA_CHECKS));
    const canonical = Object.assign({ kind: task }, o);
    delete canonical.task;
    return { recipe: all[task], data: canonical };
  }

  // Trains models on one training set: the order of its batches (from dataSeed) and the learning
  // rate's schedule. It never keeps a model; step and steps take one each call.
  class Trainer extends api.WasmObject {
    constructor(data, options) {
      const resolved = trainingData(data);
      const o = converted(readOptions(options, resolved.recipe.training, 'Trainer'));
      super('Trainer', new (bindings().Trainer)(resolved.data, o));
      this._options = o;
    }

    get options() { this._live(); return Object.assign({}, this._options); }

    get stepsDone() { return this._live().stepsDone; }

    get learningRate() { return this._live().learningRate; }

    get vocabSize() { return this._live().vocabSize; }

    get sequenceCount() { return this._live().sequences; }

    step(model) {
      const raw = this._live();
      return raw.step(liveModel(model));
    }

    steps(model, count) {
      const raw = this._live();
      return raw.steps(liveModel(model), toIndex('count', count));
    }
  }

  // ---- measurements (src/core/training/workshop_report.h, trainer.h) ----------------------------------------

  function workshopReport(model, options) {
    const raw = liveModel(model);
    const o = converted(readOptions(options, workshopCorpusDefaults(), 'workshopReport'));
    return bindings().workshopReport(raw, o.seed, o.trainSentences, o.evalSentences);
  }

  function scoreModelHeads(model, sequences) {
    const raw = liveModel(model);
    return bindings().scoreModelHeads(raw, toSequences('sequences', sequences));
  }

  // sentences: {tokens, relations} each, as the corpora return them (other keys, such as words,
  // are not read).
  function scoreModelRelations(model, sentences) {
    const raw = liveModel(model);
    const checked = api.toArrayOf('sentences', sentences, '{tokens, relations} (as workshopCorpus returns them)', (where, sentence) => {
      if (sentence === null || typeof sentence !== 'object' || Array.isArray(sentence)) {
        fail(`${where} must be an object {tokens, relations}, got ${describe(sentence)}`);
      }
      return { tokens: api.toTokens(`${where}.tokens`, sentence.tokens),
               relations: api.toRelations(`${where}.relations`, sentence.relations) };
    });
    return bindings().scoreModelRelations(raw, checked);
  }

  module.recipes = recipes;
  module.workshopCorpus = workshopCorpus;
  module.inductionCorpus = inductionCorpus;
  module.buildVocabulary = buildVocabulary;
  module.encode = encode;
  module.splitWords = splitWords;
  module.splitCharacters = splitCharacters;
  module.Trainer = Trainer;
  module.workshopReport = workshopReport;
  module.scoreModelHeads = scoreModelHeads;
  module.scoreModelRelations = scoreModelRelations;
}(Module, attentionApi));
