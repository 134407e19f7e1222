// Type-checks the declarations shipped beside the module (web/generated/attention.d.ts, a copy of
// src/wasm/attention.d.ts made by the build) against the README's usage;
// compiled with `tsc --noEmit -p tests/types`, never run.
import createAttentionModule = require('../../web/generated/attention');

async function example(): Promise<number> {
  const M = await createAttentionModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const x: Float32Array = M.embedTokens(['the', 'cat', 'sat'], 64, 42, { positional: true });
  const y: Float32Array = attn.selfAttention(x, 3, { causal: true });
  const { output, weights } = attn.forward(x, 3, { causal: false, returnWeights: true });
  const t = attn.trace(x, 3, { causal: true });
  const shape: number[] = t.weights.shape;
  const { wq, wk, wv, wo } = attn.getWeights();
  attn.setWeights({ wq, wk, wv, wo });
  attn.setWeights({ bq: [0, 0, 0] });
  const cross = attn.crossAttention(x, 3, x, 3, { returnWeights: true });
  const single = M.scaledDotProductAttention(x, x, x, {
    nq: 3, nk: 3, dk: 64, dv: 64, causal: true, scale: 0.125, temperature: 2,
    keyPaddingMask: [0, 0, 1], returnWeights: true,
  });
  const plain = M.dotProductAttention([1, 0], [1, 0], [1, 2], { nq: 1, nk: 1, dk: 2, dv: 2 });
  const heap: number = M.memoryStats().heapBytes;
  attn.designHead(1, 'previous_token');
  attn.designHead(2, 'local_window', { window: 3 });
  const study = M.scalingStudy(64, 32, 1);
  const mha = M.multiHeadAttention(x, x, x, { nq: 3, nk: 3, dModel: 64, numHeads: 4, causal: true });
  const mhaOut: Float32Array = mha.output;
  const saturated: boolean = study.unscaled.maxWeight > study.scaled.maxWeight;
  const rowSums: Float32Array = t.rowSum.data;
  attn.delete();
  return y.length + output.length + (weights?.length ?? 0) + shape.length + (cross.weights?.length ?? 0) +
    single.output.length + plain.output.length + heap + (saturated ? 1 : 0) + rowSums.length + mhaOut.length;
}

// The tiny transformer, as the issue writes it.
async function transformerExample(): Promise<number> {
  const M = await createAttentionModule();
  const model = new M.TinyTransformer({ vocabSize: 50, contextLength: 16, embedDim: 32, numHeads: 4,
    numLayers: 2, mlp: true, layerNorm: true, seed: 7 });
  const config: createAttentionModule.FullTransformerConfig = model.config;
  const table: createAttentionModule.ParameterInfo[] = model.parameterTable();
  const role: createAttentionModule.ParameterRole = table[0].role;
  const parameters = model.getParameters();
  const w: Float32Array = parameters['h.0.attn.wq'];
  model.setParameters({ 'h.0.attn.wq': w, 'h.0.attn.bq': [0, 0] });
  const batch = 2;
  const seqLen = 8;
  const inputs = new Int32Array(batch * seqLen);
  const targets: number[] = Array(batch * seqLen).fill(-1);
  const { loss, gradients } = model.lossAndGradients(inputs, targets, { batch, seqLen });
  const loss1: number = model.trainStep(inputs, targets, { batch, seqLen, learningRate: 3e-3, beta1: 0.9,
    beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, clipNorm: 1 });
  const { logits, attention } = model.forward([1, 2, 3], { seqLen: 3 });
  const attentionShape: number[] = attention.shape;
  const generated: Int32Array = model.generate([1], 5, { temperature: 0.8, topK: 10, seed: 1 });
  const bytes: Uint8Array = model.save({ vocabulary: ['a', 'b'], tokenizer: 'word', metadata: '{}',
    includeOptimizer: true });
  const again = M.TinyTransformer.load(bytes);
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  const fromBuffer = M.TinyTransformer.load(buffer);
  const vocabulary: readonly string[] = again.vocabulary;
  const metadata: string = again.metadata;
  const scores = M.scoreHeads([attention], [[1, 2, 3]]);
  const induction: Float64Array = scores.induction;
  const relation = M.scoreRelation([attention], [[{ name: 'coreference', query: 2, key: 0 }]], 'coreference');
  const accuracy: Float64Array = relation.accuracy;
  const steps: number = model.optimizerStep + model.lastGradientNorm;
  again.delete();
  fromBuffer.delete();
  model.delete();
  return config.embedDim + role.length + loss + loss1 + Object.keys(gradients).length + logits.data.length +
    attentionShape.length + generated.length + vocabulary.length + metadata.length + induction.length +
    accuracy.length + steps + (model.isDeleted() ? 1 : 0);
}

// Training in the module, as the page's worker does it.
async function trainingExample(): Promise<number> {
  const M = await createAttentionModule();
  const recipes: createAttentionModule.Recipes = M.recipes();
  const corpus = M.workshopCorpus({ seed: 1, trainSentences: 8000, evalSentences: 600 });
  const sentence: createAttentionModule.Sentence = corpus.heldOut[0];
  const tokens: Int32Array = sentence.tokens;
  const model = new M.TinyTransformer(recipes.workshop.config);
  const trainer = new M.Trainer({ task: 'workshop', trainSentences: 2000 }, recipes.workshop.training);
  const fromSequences = new M.Trainer({ sequences: corpus.training.map((s) => s.tokens), vocabSize: 96 },
    { batch: 8, seqLen: 0, learningRate: 1e-2, warmupSteps: 10, totalSteps: 100, finalFraction: 0.1, dataSeed: 2 });
  const loss: number = trainer.step(model);
  const losses: Float64Array = trainer.steps(model, 10);
  const rate: number = trainer.learningRate + trainer.stepsDone + trainer.options.totalSteps;
  const report: createAttentionModule.WorkshopReport = M.workshopReport(model, { evalSentences: 200 });
  const chosen: string = report.relations[0].chosen;
  const heads = M.scoreModelHeads(model, corpus.heldOut.map((s) => s.tokens));
  const relations: createAttentionModule.RelationScores[] = M.scoreModelRelations(model, corpus.heldOut);
  const induction = M.inductionCorpus({ count: 100, symbols: 24, shortestPeriod: 8, longestPeriod: 16 });
  const inductionTrainer = new M.Trainer({ task: 'induction', count: 100 });
  const words: string[] = M.splitWords('The cat sat.', true);
  const characters: string[] = M.splitCharacters('The cat');
  const vocabulary: string[] = M.buildVocabulary(words, 64);
  const ids: Int32Array = M.encode(vocabulary, words);
  const textTrainer = new M.Trainer({ task: 'text', tokens: words, vocabulary }, { batch: 4 });
  for (const t of [trainer, fromSequences, inductionTrainer, textTrainer]) t.delete();
  model.delete();
  return loss + losses.length + rate + tokens.length + chosen.length + heads.induction.length + relations.length +
    induction.periods.length + characters.length + ids.length + (report.goalsMet ? 1 : 0);
}

// Misuse the declarations must reject.
async function misuse(): Promise<void> {
  const M = await createAttentionModule();
  const attn = new M.SimpleAttention(64, 4);
  // @ts-expect-error: seqLen is required
  attn.forward(new Float32Array(64));
  // @ts-expect-error: no such option
  attn.forward(new Float32Array(64), 1, { casual: true });
  // @ts-expect-error: tokens are strings
  M.embedTokens([1, 2], 64);
  // @ts-expect-error: the single-head functions need their shapes
  M.scaledDotProductAttention([1], [1], [1], {});
  // @ts-expect-error: not a pattern
  attn.designHead(0, 'next_token');
  // @ts-expect-error: no such config key
  new M.TinyTransformer({ embed_dim: 8 });
  const model = new M.TinyTransformer();
  // @ts-expect-error: trainStep needs the batch's shape
  model.trainStep([1], [2]);
  // @ts-expect-error: seqLen is required with batch
  model.lossAndGradients([1], [2], { batch: 1 });
  // @ts-expect-error: token ids are numbers
  model.forward(['the', 'cat']);
  // @ts-expect-error: the config is read-only
  model.config = { vocabSize: 3 };
  // @ts-expect-error: checkpoints are bytes
  M.TinyTransformer.load('SPOTLGPT');
  // @ts-expect-error: no such sampling option
  model.generate([1], 3, { top_k: 2 });
  // @ts-expect-error: not a task
  new M.Trainer({ task: 'poetry' });
  // @ts-expect-error: sequences need their vocabulary's size
  new M.Trainer({ sequences: [[1, 2]] });
  // @ts-expect-error: no such training option
  new M.Trainer({ task: 'workshop' }, { lr: 1e-3 });
  const trainer = new M.Trainer({ task: 'workshop' });
  // @ts-expect-error: a trainer steps a model, not token ids
  trainer.step([1, 2, 3]);
  // @ts-expect-error: steps needs the count
  trainer.steps(model);
  // @ts-expect-error: stepsDone is read-only
  trainer.stepsDone = 3;
  // @ts-expect-error: no such corpus option
  M.workshopCorpus({ sentences: 10 });
  // @ts-expect-error: text, not tokens
  M.splitWords(['the', 'cat']);
  // @ts-expect-error: the report needs a model
  M.workshopReport({ evalSentences: 10 });
}

export { example, misuse, trainingExample, transformerExample };
