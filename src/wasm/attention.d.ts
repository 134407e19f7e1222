// Hand-written TypeScript declarations for the module built from src/wasm (web/generated/attention.js).
// Emscripten 3.1.6 cannot emit them; tests/types/example.ts checks them with `tsc --noEmit`.
//
// Shapes: arrays are flat, row-major. x is (seqLen, embedDim); weights are (heads, n_q, n_k).
// The tiny transformer: logits (seqLen, vocabSize), attention (numLayers, numHeads, seqLen, seqLen),
// matrices (in, out) as SimpleAttention's; token ids are int32.

declare namespace createAttentionModule {
  /** A Float32Array, or any array of numbers (converted on the way in). */
  type FloatInput = Float32Array | ArrayLike<number>;

  interface AttentionOptions {
    /** Query i sees keys j <= i (top-left aligned when n_q != n_k, as PyTorch). Default false. */
    causal?: boolean;
    /** Replaces the factor on q.k (1/sqrt(d_k), or 1 unscaled). Default null: the usual factor. */
    scale?: number | null;
    /** Logits are divided by it; finite and > 0. Default 1. */
    temperature?: number;
    /** One entry per key; nonzero or true = ignore that key. */
    keyPaddingMask?: ArrayLike<number | boolean> | null;
  }

  interface ForwardOptions extends AttentionOptions {
    /** Return the (heads, n_q, n_k) weights; without them attention runs tiled. Default true. */
    returnWeights?: boolean;
  }

  interface ForwardResult {
    /** (n_q, embedDim) */
    output: Float32Array;
    /** (heads, n_q, n_k), or null when returnWeights is false. */
    weights: Float32Array | null;
  }

  interface Tensor {
    data: Float32Array;
    shape: number[];
  }

  interface Trace {
    /** The factor actually applied to q.k: (scale or 1/sqrt(d_head)) / temperature. */
    scale: number;
    /** (heads, n_q, d_head) */ q: Tensor;
    /** (heads, n_k, d_head) */ k: Tensor;
    /** (heads, n_k, d_head) */ v: Tensor;
    /** q k^T, (heads, n_q, n_k) */ rawScores: Tensor;
    /** rawScores * scale, (heads, n_q, n_k) */ scaledScores: Tensor;
    /** scaledScores with -Infinity where masked, (heads, n_q, n_k) */ maskedScores: Tensor;
    /** max of each row of maskedScores, (heads, n_q) */ rowMax: Tensor;
    /** exp(maskedScores - rowMax), (heads, n_q, n_k) */ expScores: Tensor;
    /** sum of each row of expScores, (heads, n_q) */ rowSum: Tensor;
    /** softmax of each row, (heads, n_q, n_k) */ weights: Tensor;
    /** weights v, (heads, n_q, d_head) */ headOutputs: Tensor;
    /** heads side by side, (n_q, embedDim) */ concat: Tensor;
    /** concat W_o + b_o, (n_q, embedDim) */ output: Tensor;
  }

  /** (in, out) row-major: Q = X W. */
  interface Weights {
    wq: Float32Array; wk: Float32Array; wv: Float32Array; wo: Float32Array;
    bq: Float32Array; bk: Float32Array; bv: Float32Array; bo: Float32Array;
  }

  type WeightsInput = Partial<Record<keyof Weights, FloatInput>>;

  class SimpleAttention {
    constructor(embedDim: number, numHeads: number, seed?: number);
    readonly embedDim: number;
    readonly numHeads: number;
    readonly headDim: number;
    selfAttention(x: FloatInput, seqLen: number, options?: AttentionOptions): Float32Array;
    forward(x: FloatInput, seqLen: number, options?: ForwardOptions): ForwardResult;
    crossAttention(xq: FloatInput, nq: number, xkv: FloatInput, nk: number,
                   options?: ForwardOptions): ForwardResult;
    trace(x: FloatInput, seqLen: number, options?: AttentionOptions): Trace;
    getWeights(): Weights;
    /** Any subset; all are checked before any is set. */
    setWeights(weights: WeightsInput): void;
    /** Replaces one head's W_q, W_k, b_q, b_k by a designed pattern (docs: designed heads). */
    designHead(head: number, pattern: HeadPattern, options?: { window?: number }): void;
    /** Frees the wasm memory; the object is unusable afterwards. */
    delete(): void;
    isDeleted(): boolean;
  }

  type HeadPattern = 'previous_token' | 'same_token' | 'first_token' | 'local_window' | 'uniform';

  interface SoftmaxSummary {
    /** Mean over rows of the largest weight (1 = one-hot). */
    maxWeight: number;
    /** Mean over rows of the entropy in bits (log2(n) = uniform). */
    entropyBits: number;
    /** Median over rows of the Frobenius norm of the softmax Jacobian (0 = no gradient). */
    gradientNorm: number;
  }

  interface ScalingPoint {
    d: number;
    rawScoreVariance: number;
    scaledScoreVariance: number;
    unscaled: SoftmaxSummary;
    scaled: SoftmaxSummary;
  }

  interface EmbedOptions {
    /** Add the sinusoidal positional encoding. Default true. */
    positional?: boolean;
    /** Include the per-token vector. Default true. */
    tokenVectors?: boolean;
  }

  interface SingleHeadOptions extends ForwardOptions {
    nq: number;
    nk: number;
    dk: number;
    dv: number;
  }

  interface MultiHeadOptions extends ForwardOptions {
    nq: number;
    nk: number;
    dModel: number;
    numHeads: number;
  }

  // ---- the tiny GPT (src/core/model/transformer.h) ----

  /** Token ids: an Int32Array, or any array of integers in int32's range (converted on the way
   *  in). The core checks them against the vocabulary (targets may also be -1: ignored). */
  type TokenInput = Int32Array | ArrayLike<number>;

  /** Every key optional; the core checks the bounds and says which is wrong. */
  interface TransformerConfig {
    /** Token ids 0 .. vocabSize - 1; 1 .. 16384. Default 50. */
    vocabSize?: number;
    /** The longest sequence (learned positions); 1 .. 512. Default 16. */
    contextLength?: number;
    /** d_model; 1 .. 1024, divisible by numHeads. Default 32. */
    embedDim?: number;
    /** n_heads; 1 .. 64. Default 4. */
    numHeads?: number;
    /** n_layers; 1 .. 16. Default 2. */
    numLayers?: number;
    /** The MLP of each block; false: attention-only blocks. Default true. */
    mlp?: boolean;
    /** ln_1, ln_2 and ln_f; false: none. Default true. */
    layerNorm?: boolean;
    /** The initial weights' seed (SplitMix64), 0 .. 2^53 - 1. Default 7. */
    seed?: number;
  }

  /** A model's config with every default filled in. */
  type FullTransformerConfig = Required<TransformerConfig>;

  /** embedding (wte, wpe) and weight are decayed by AdamW; the others are not. */
  type ParameterRole = 'embedding' | 'weight' | 'bias' | 'norm_gain' | 'norm_bias';

  /** One entry of the parameter table; the parameter holds rows*cols floats, row-major. */
  interface ParameterInfo {
    /** wte (vocab, d), wpe (context, d), h.L.ln_1.weight / .bias (1, d), h.L.attn.wq / wk / wv /
     *  wo (d, d), h.L.attn.bq / bk / bv / bo (1, d), h.L.ln_2.weight / .bias, h.L.mlp.fc (d, 4d),
     *  h.L.mlp.fc_bias (1, 4d), h.L.mlp.proj (4d, d), h.L.mlp.proj_bias (1, d), ln_f.weight /
     *  .bias; those of disabled parts absent. */
    name: string;
    rows: number;
    cols: number;
    role: ParameterRole;
  }

  /** {name: values} in the parameter table's order. */
  type Parameters = Record<string, Float32Array>;

  /** Any subset of the parameters, by name. */
  type ParametersInput = Record<string, FloatInput>;

  /** inputs and targets hold batch*seqLen ids each, sequence after sequence; seqLen <=
   *  contextLength. */
  interface BatchShape {
    batch: number;
    seqLen: number;
  }

  /** AdamW (torch.optim.AdamW's arithmetic) with gradient-norm clipping. */
  interface AdamWOptions {
    /** Finite, in (0, 10]. Default 3e-3. */
    learningRate?: number;
    /** In [0, 1). Default 0.9. */
    beta1?: number;
    /** In [0, 1). Default 0.95. */
    beta2?: number;
    /** Finite, > 0. Default 1e-8. */
    epsilon?: number;
    /** Decoupled decay of embeddings and matrices, >= 0. Default 0.1. */
    weightDecay?: number;
    /** The gradients' norm is clipped to it; 0: no clipping. Default 1. */
    clipNorm?: number;
  }

  interface TrainStepOptions extends BatchShape, AdamWOptions {}

  interface LossAndGradients {
    /** Mean cross-entropy over the targets that are not -1. */
    loss: number;
    /** One per parameter, by name. */
    gradients: Parameters;
  }

  interface TransformerOutput {
    /** shape [seqLen, vocabSize] */
    logits: Tensor;
    /** shape [numLayers, numHeads, seqLen, seqLen]: (l, h, i, j) is the weight query i gives key
     *  j; 0 for j > i (causal), each row sums to 1. */
    attention: Tensor;
  }

  interface TransformerForwardOptions {
    /** The tokens' count (the default, or null); given, it must equal it. */
    seqLen?: number | null;
  }

  interface SamplingOptions {
    /** 0: greedy (the most likely token); else finite and > 0. Default 1. */
    temperature?: number;
    /** Draw among the topK most likely tokens; 0: all of them. Default 0. */
    topK?: number;
    /** The draws' seed, 0 .. 2^53 - 1. Default 0. */
    seed?: number;
  }

  /** A checkpoint's texts default to the model's own (those it was loaded with, or none). */
  interface SaveOptions {
    /** The token strings by id: none, or vocabSize distinct ones. */
    vocabulary?: readonly string[];
    /** 'word' or 'char' with a vocabulary, '' without. */
    tokenizer?: string;
    /** Free text (at most 64 KiB of UTF-8), e.g. JSON saying what the model learned from. */
    metadata?: string;
    /** Also save AdamW's state, so that training resumes exactly. Default false. */
    includeOptimizer?: boolean;
  }

  /** A GPT-2-style language model at toy scale, trained in the module. */
  class TinyTransformer {
    constructor(config?: TransformerConfig);
    /** A model from a checkpoint's bytes (save()'s); an Error with the reason when they are not
     *  one (truncated, damaged, another format). */
    static load(bytes: Uint8Array | ArrayBuffer): TinyTransformer;
    readonly config: FullTransformerConfig;
    /** The checkpoint's, for a loaded model; else empty. */
    readonly vocabulary: readonly string[];
    readonly tokenizer: string;
    readonly metadata: string;
    /** The gradients' norm before clipping, of the last trainStep (0 before the first). */
    readonly lastGradientNorm: number;
    /** AdamW steps taken (or loaded with the optimizer state). */
    readonly optimizerStep: number;
    parameterTable(): ParameterInfo[];
    getParameters(): Parameters;
    /** Any subset; all are checked (names, sizes, finite values) before any is set. */
    setParameters(values: ParametersInput): void;
    lossAndGradients(inputs: TokenInput, targets: TokenInput, shape: BatchShape): LossAndGradients;
    /** One AdamW step; returns the loss before it. A step that would make anything non-finite
     *  throws and changes nothing. */
    trainStep(inputs: TokenInput, targets: TokenInput, options: TrainStepOptions): number;
    forward(tokens: TokenInput, options?: TransformerForwardOptions): TransformerOutput;
    /** Every intermediate of one layer's causal attention on one sequence: the layer's input
     *  (after ln_1) and its heads' q, k, v, scores, weights and outputs. Its weights equal
     *  forward's attention maps of that layer. */
    trace(tokens: TokenInput, layer: number): LayerTrace;
    /** The count (0 .. 4096) new tokens, not the prompt; the model sees the last contextLength
     *  tokens. */
    generate(prompt: TokenInput, count: number, options?: SamplingOptions): Int32Array;
    /** The checkpoint's bytes (src/core/model/checkpoint.h). */
    save(options?: SaveOptions): Uint8Array;
    /** Frees the wasm memory; the object is unusable afterwards. */
    delete(): void;
    isDeleted(): boolean;
  }

  /** TinyTransformer.trace's result: Trace's members for the layer's heads, and the input they
   *  were computed from. */
  interface LayerTrace extends Trace {
    layer: number;
    /** shape [seqLen, dModel]: ln_1 of the residual stream (the stream itself without LayerNorm). */
    input: Tensor;
  }

  /** One sequence's attention maps, as forward returns them: shape [numLayers, numHeads, seqLen,
   *  seqLen]. */
  interface AttentionMapsInput {
    data: FloatInput;
    shape: readonly number[];
  }

  /** Scores of every head, layer-major: head (l, h) at l * numHeads + h. */
  interface HeadScores {
    numLayers: number;
    numHeads: number;
    sequences: number;
    /** Queries i >= 2, behind previousToken and firstToken. */
    positionalQueries: number;
    /** Queries with an induction key, behind induction. */
    inductionQueries: number;
    /** Mean weight on the previous token. */
    previousToken: Float64Array;
    /** Mean weight on token 0 (the attention sink). */
    firstToken: Float64Array;
    /** Mean weight on the tokens after earlier occurrences of the query's token. */
    induction: Float64Array;
    /** Mean weight on the earlier occurrences themselves (over the induction queries). */
    duplicateToken: Float64Array;
  }

  /** In one sequence: the query's row is right when its largest weight is on key (key <= query). */
  interface Relation {
    name: string;
    query: number;
    key: number;
  }

  /** One relation's scores of every head, layer-major. */
  interface RelationScores {
    name: string;
    numLayers: number;
    numHeads: number;
    /** Sequences holding the relation. */
    sequences: number;
    /** Instances scored. */
    instances: number;
    /** Share of instances whose row's largest weight is on the key. */
    accuracy: Float64Array;
    /** Mean weight on the key. */
    meanWeight: Float64Array;
  }

  // ---- training in the module (src/core/training/recipes.h, corpus.h, trainer.h, workshop_report.h) ----

  /** A recipe's model: TinyTransformer's config with every key; vocabSize only where the recipe's
   *  data fixes it (the workshop's 96 words, the induction symbols and <unk>, <bos>), not for own
   *  text, whose vocabulary the text decides. */
  type RecipeConfig = Omit<FullTransformerConfig, 'vocabSize'> & { vocabSize?: number };

  /** How a Trainer trains. Each key is optional; the defaults are the training options of the
   *  recipe of the data's task (Recipes: workshop, induction), for {sequences, vocabSize} those of
   *  the text recipe. The core checks the values and names the one that is wrong. */
  interface TrainingOptions {
    /** Sequences a batch, >= 1 (at most 2^24 tokens a batch). Recipes: 32, 32, 16. */
    batch?: number;
    /** Tokens a sequence of the batch, <= the model's contextLength; 0: the model's contextLength
     *  (each model's, at each step). Longer sequences are cut into windows at random offsets;
     *  shorter ones padded (the padding is not learned). Recipes: 0. */
    seqLen?: number;
    /** The peak of the schedule: finite, in (0, 10]. Recipes: 0.003. */
    learningRate?: number;
    /** Steps of linear warm-up from learningRate/warmupSteps to learningRate, >= 0. Recipes: 100,
     *  50, 50. */
    warmupSteps?: number;
    /** Where the cosine decay ends (it stays at finalFraction*learningRate after), >= 1. Recipes:
     *  1500, 3000, 1000. */
    totalSteps?: number;
    /** The last rate as a share of the peak, in [0, 1]. Recipes: 0.1. */
    finalFraction?: number;
    /** AdamW's decoupled decay of embeddings and matrices, >= 0. Recipes: 0.1. */
    weightDecay?: number;
    /** The gradients' norm is clipped to it; 0: no clipping. Recipes: 1. */
    clipNorm?: number;
    /** In [0, 1). Recipes: 0.9. */
    beta1?: number;
    /** In [0, 1). Recipes: 0.95. */
    beta2?: number;
    /** Finite, > 0. Recipes: 1e-8. */
    epsilon?: number;
    /** The order of the batches (SplitMix64), 0 .. 2^53 - 1. Recipes: 1. */
    dataSeed?: number;
  }

  /** One of src/core/training/recipes.cpp's, the numbers of the native command (spotlight_train). The
   *  counts a recipe does not use are 0. */
  interface Recipe {
    config: RecipeConfig;
    training: Required<TrainingOptions>;
    /** Training sentences (workshop: 8000) or induction sequences (20000). */
    trainSequences: number;
    /** Held-out sentences, and as many of the novel shapes (workshop: 600); induction: 200. */
    evalSequences: number;
    /** Induction: 24 symbols, periods from 8 to 16. */
    inductionSymbols: number;
    shortestPeriod: number;
    longestPeriod: number;
    /** Own text: the largest vocabulary, 512. */
    textVocabulary: number;
  }

  interface Recipes {
    /** The workshop corpus with MLP and LayerNorm: the page's trained model. */
    workshop: Recipe;
    /** Two attention-only layers on repeated random sequences: induction heads. */
    induction: Recipe;
    /** The user's own text, word or character level. */
    text: Recipe;
  }

  /** A sentence of the workshop corpus, as the model reads it. */
  interface Sentence {
    /** Its words, without <bos>. */
    words: string[];
    /** <bos> (1), then each word's id: tokens[i + 1] is words[i]'s. */
    tokens: Int32Array;
    /** Positions in tokens: {name: 'coreference' | 'agreement' | 'relative_clause', query, key}. */
    relations: Relation[];
  }

  /** At most 100000 sentences in each of training and heldOut (and novel). */
  interface WorkshopCorpusOptions {
    /** Of the draws, 0 .. 2^53 - 1; held-out and novel sentences are drawn from seeds derived
     *  from it. Default 1 (the workshop recipe's dataSeed). */
    seed?: number;
    /** Default 8000 (the recipe's trainSequences). */
    trainSentences?: number;
    /** Held-out sentences, and as many of the novel shapes. Default 600 (evalSequences). */
    evalSentences?: number;
  }

  interface WorkshopCorpus {
    /** By id, 96 words: "<unk>", "<bos>", then the grammar's words (src/core/data/corpus.h). */
    vocabulary: string[];
    /** Sentences of the trained grammar. */
    training: Sentence[];
    /** Of the trained grammar, none of them a training sentence. */
    heldOut: Sentence[];
    /** Of shapes the grammar never makes: one more phrase between key and query. */
    novel: Sentence[];
    /** The workshop's three: "the cat sat on the mat because it was tired" (it -> cat), "the dogs
     *  in the park are playing" (are -> dogs), "the book that i bought yesterday was
     *  interesting" (was -> book). */
    experiments: Sentence[];
  }

  /** Bounded: count <= 100000, symbols <= 16382, count*(1 + 2*longestPeriod) <= 2^24 tokens.
   *  The defaults are the induction recipe's. */
  interface InductionCorpusOptions {
    /** 0 .. 2^53 - 1. Default 1. */
    seed?: number;
    /** Sequences. Default 20000. */
    count?: number;
    /** Distinct symbols, >= 2 (ids 2 .. symbols + 1, named a .. z, a1, ...). Default 24. */
    symbols?: number;
    /** 1 <= shortestPeriod <= longestPeriod <= symbols. Default 8. */
    shortestPeriod?: number;
    /** Default 16. */
    longestPeriod?: number;
  }

  interface InductionCorpus {
    /** "<unk>", "<bos>", then the symbols. */
    vocabulary: string[];
    /** Each 1 + 2 P tokens: <bos>, P distinct symbols, the same P again. */
    sequences: Int32Array[];
    /** P of each sequence. */
    periods: number[];
  }

  /** What a Trainer trains on: any token sequences, or a task's corpus made in the module. */
  type TrainingData =
    /** Token ids < vocabSize, each sequence >= 2 tokens; for own text one long sequence (<bos>
     *  first), which the trainer cuts into windows. Defaults: the text recipe's options. */
    | { sequences: readonly TokenInput[]; vocabSize: number }
    /** workshopCorpus's training sentences (vocabulary of 96); defaults seed 1,
     *  trainSentences 8000. */
    | { task: 'workshop'; seed?: number; trainSentences?: number }
    /** inductionCorpus's sequences (InductionCorpusOptions' defaults). */
    | ({ task: 'induction' } & InductionCorpusOptions)
    /** Own text: <bos>, then the tokens' ids in the vocabulary (buildVocabulary's), unknown ones
     *  as <unk>. */
    | { task: 'text'; tokens: readonly string[]; vocabulary: readonly string[] };

  /** Trains models on one training set: the order of its batches and the learning rate's
   *  schedule, so a run is a deterministic function of the model's seed, the data and the
   *  options (the native command's runs included). It never keeps a model: each step takes one,
   *  so a model and a trainer may be deleted in either order. */
  class Trainer {
    constructor(data: TrainingData, options?: TrainingOptions);
    /** With every default filled in. */
    readonly options: Required<TrainingOptions>;
    /** Steps taken, a diverged one included (its batch was used). */
    readonly stepsDone: number;
    /** The schedule's rate for the next step. */
    readonly learningRate: number;
    /** The training set's vocabulary size: a model needs at least as many tokens. */
    readonly vocabSize: number;
    /** The training set's sequences (1 for own text). */
    readonly sequenceCount: number;
    /** One AdamW step of the model on the next batch; the loss before it. A step that diverges
     *  throws and leaves the model as it was. */
    step(model: TinyTransformer): number;
    /** count (0 .. 1000000) steps in one call, as count calls of step would take them, bit for
     *  bit; their losses. A step that throws ends the call: the model keeps the steps before it. */
    steps(model: TinyTransformer, count: number): Float64Array;
    /** Frees the wasm memory; the object is unusable afterwards. */
    delete(): void;
    isDeleted(): boolean;
  }

  /** The workshop data to measure on, drawn as workshopCorpus draws it. */
  interface WorkshopReportOptions extends WorkshopCorpusOptions {}

  /** One relation's best head on the held-out sentences, and what it does on the rest. */
  interface RelationReport {
    name: 'coreference' | 'agreement' | 'relative_clause';
    layer: number;
    head: number;
    /** Share of held-out sentences whose query row's largest weight is on the key. */
    heldOutAccuracy: number;
    /** Mean weight on the key there. */
    heldOutMeanWeight: number;
    /** The same head's accuracy on the novel shapes. */
    novelAccuracy: number;
    /** The experiment's query and key words: "it", "cat". */
    query: string;
    key: string;
    /** Where the head's largest weight in the query's row falls in the experiment. */
    chosen: string;
    /** The head's weight on the key there. */
    keyWeight: number;
  }

  /** evaluate_workshop's measurement (src/core/training/workshop_report.h). */
  interface WorkshopReport {
    /** Mean next-token loss on the held-out sentences. */
    heldOutLoss: number;
    heldOutSentences: number;
    novelSentences: number;
    /** Every relation: held-out >= 95%, novel >= 90%, the experiment's chosen word its key. */
    goalsMet: boolean;
    /** { heldOutAccuracy: 0.95, novelAccuracy: 0.9 } */
    goals: { heldOutAccuracy: number; novelAccuracy: number };
    /** coreference, agreement, relative_clause. */
    relations: RelationReport[];
    /** The head detectors on the held-out sentences. */
    headScores: HeadScores;
  }

  /** A sentence to score: its tokens and relations (other keys, such as words, are ignored). */
  interface ScoredSentence {
    tokens: TokenInput;
    relations: readonly Relation[];
  }

  type SimdPath = 'relaxed-simd' | 'simd128';

  interface MatmulOptions {
    m: number;
    k: number;
    n: number;
    /** b is (n, k) and op(b) its transpose; default false. */
    transposeB?: boolean;
    /** Default 1. */
    alpha?: number;
    /** (m, n) values the product is added to; default null (none). */
    c?: FloatInput | null;
  }

  interface MemoryStats {
    /** Size of the wasm memory in bytes. */
    heapBytes: number;
    /** Bytes malloc has handed out and not freed. */
    allocatedBytes: number;
  }

  interface AttentionModule {
    SimpleAttention: typeof SimpleAttention;
    /** (tokens.length, embedDim) */
    embedTokens(tokens: string[], embedDim: number, seed?: number, options?: EmbedOptions): Float32Array;
    /** softmax(q k^T / sqrt(dk)) v for q (nq, dk), k (nk, dk), v (nk, dv). */
    scaledDotProductAttention(q: FloatInput, k: FloatInput, v: FloatInput,
                              options: SingleHeadOptions): ForwardResult;
    /** Attention on projected q (nq, dModel), k and v (nk, dModel): split into heads, attend,
     *  concatenate (no W_o). */
    multiHeadAttention(q: FloatInput, k: FloatInput, v: FloatInput,
                       options: MultiHeadOptions): ForwardResult;
    /** softmax(q k^T) v, no scaling. */
    dotProductAttention(q: FloatInput, k: FloatInput, v: FloatInput,
                        options: SingleHeadOptions): ForwardResult;
    memoryStats(): MemoryStats;
    /** alpha a (m, k) op(b) (+ c): op(b) = b (k, n), or b^T when transposeB (b is (n, k)); the
     *  module's own product, on the path `simd` names. */
    matmul(a: FloatInput, b: FloatInput, options: MatmulOptions): Float32Array;
    /** The kernel of the matrix products, chosen at load: relaxed SIMD's fused multiply-add where
     *  the engine validates it, else SIMD128 (multiply, then add). */
    readonly simd: SimdPath;
    /** Whether WebAssembly.validate accepted the relaxed-SIMD kernel in this engine. */
    readonly relaxedSimdSupported: boolean;
    /** Why `simd` is what it is, in words. */
    readonly simdReason: string;
    /** The sqrt(d) experiment for random unit-variance q, k of shape (n, d). */
    scalingStudy(d: number, n: number, seed?: number): ScalingPoint;
    TinyTransformer: typeof TinyTransformer;
    /** attention[s] and tokens[s] belong to sequence s (head_scores.h explains each score). */
    scoreHeads(attention: readonly AttentionMapsInput[], tokens: readonly TokenInput[]): HeadScores;
    /** relations[s]: sequence s's relations; those named `name` are scored. */
    scoreRelation(attention: readonly AttentionMapsInput[], relations: readonly (readonly Relation[])[],
                  name: string): RelationScores;
    /** The recipes of the native command, a fresh copy each call. */
    recipes(): Recipes;
    workshopCorpus(options?: WorkshopCorpusOptions): WorkshopCorpus;
    inductionCorpus(options?: InductionCorpusOptions): InductionCorpus;
    /** "<unk>", "<bos>", then the most frequent tokens (ties: first appearance first), maxSize
     *  (>= 2) in all. Default maxSize 512 (the text recipe's textVocabulary). */
    buildVocabulary(tokens: readonly string[], maxSize?: number): string[];
    /** Each word's id in the vocabulary (by id, "<unk>", "<bos>" first); unknown words 0. No
     *  <bos> is added. */
    encode(vocabulary: readonly string[], words: readonly string[]): Int32Array;
    /** Words as src/core/data/tokenizer.h splits them (the page's Intl.Segmenter rules for ASCII);
     *  lowercase (A-Z only), default false. */
    splitWords(text: string, lowercase?: boolean): string[];
    /** One token per code point, a space as "␣", newlines and tabs dropped; lowercase default
     *  false. */
    splitCharacters(text: string, lowercase?: boolean): string[];
    Trainer: typeof Trainer;
    /** The model must have the workshop vocabulary (vocabSize 96), and every sentence must fit
     *  its context (a sentence has at most 21 tokens, the recipe's context 24). Defaults: the workshop recipe's corpus (seed 1, 8000 training sentences, to keep the
     *  held-out ones apart from, and 600 held-out and novel ones). */
    workshopReport(model: TinyTransformer, options?: WorkshopReportOptions): WorkshopReport;
    /** scoreHeads over the model's attention on each sequence (each cut to its context), without
     *  copying the maps out. */
    scoreModelHeads(model: TinyTransformer, sequences: readonly TokenInput[]): HeadScores;
    /** scoreRelation of every relation name the sentences hold (in order of first appearance),
     *  over the model's attention; each sentence must fit the context. */
    scoreModelRelations(model: TinyTransformer, sentences: readonly ScoredSentence[]): RelationScores[];
    /** A GPT-2-family model from Hugging Face's files; throws an Error naming a missing, damaged
     *  or contradictory file, or the memory a model too large for the module needs. */
    loadPretrained(files: PretrainedFiles): PretrainedModel;
    /** The same, model.safetensors (of `size` bytes) fed piece by piece. */
    openPretrained(files: PretrainedFiles, size: number): PretrainedLoader;
  }

  // ---- pretrained models (src/wasm/pretrained_api.js) ----------------------------------------

  /** A model's files by name: config.json, model.safetensors, and vocab.json + merges.txt or
   *  tokenizer.json; bytes, or text for the text files. Other names are not read. */
  type PretrainedFiles = { [name: string]: Uint8Array | ArrayBuffer | string };

  interface PretrainedConfig {
    vocabSize: number;
    contextLength: number;
    embedDim: number;
    numHeads: number;
    numLayers: number;
    /** The MLP's hidden width (n_inner; 4 * embedDim by default). */
    mlpWidth: number;
    layerNormEpsilon: number;
    scaleAttention: boolean;
    scaleAttentionByLayer: boolean;
    parameters: number;
    /** The id of <|endoftext|>, or -1. */
    endOfText: number;
    /** The tokenizer's ids: 0 .. tokenizerSize - 1 (at most vocabSize). */
    tokenizerSize: number;
  }

  interface PretrainedToken {
    id: number;
    /** text.slice(start, end): a character belongs to the token holding its first UTF-8 byte, so
     *  a token made of a character's later bytes covers "". */
    text: string;
    start: number;
    end: number;
  }

  interface GenerateOptions {
    /** 0: greedy. Default 1. */
    temperature?: number;
    /** 0: every token. Default 0. */
    topK?: number;
    /** In (0, 1]; 1: every token. Default 1. */
    topP?: number;
    seed?: number;
    /** Keep where each head looked for each new token. Default false. */
    attention?: boolean;
  }

  interface Generated {
    ids: Int32Array;
    /** Each token's probability under the options. */
    probabilities: Float32Array;
    /** Per new token, shape [numLayers * numHeads, keys]: the last position's attention row in
     *  each head (layer-major) when the model chose it; null unless asked for. */
    attention: Tensor[] | null;
  }

  class PretrainedModel {
    private constructor();
    readonly config: PretrainedConfig;
    /** GPT-2's ids of any text, each with the part of the text it covers. */
    encode(text: string): { ids: Int32Array; tokens: PretrainedToken[] };
    decode(ids: TokenInput): string;
    tokenBytes(id: number): Uint8Array;
    /** logits shape [n - firstPosition, vocabSize]; no attention map is computed. */
    forward(ids: TokenInput, options?: { firstPosition?: number }): { logits: Tensor };
    /** shape [numHeads, n, n]: one layer's maps, nothing past that layer computed. */
    attention(ids: TokenInput, layer: number): Tensor;
    /** shape [numHeads, query + 1]. */
    attentionRow(ids: TokenInput, layer: number, query: number): Tensor;
    /** Every intermediate of the layer's attention, as TinyTransformer.trace gives it. */
    trace(ids: TokenInput, layer: number): LayerTrace;
    /** In one pass over the model: every head's map reduced to at most side x side (cell a, b the
     *  largest weight of its block of queries and keys; the map itself when n <= side), `layer`'s
     *  maps in full, and the k likeliest tokens after the last position. Defaults: layer 0,
     *  side 64, k 10. */
    overview(ids: TokenInput, options?: { layer?: number; side?: number; k?: number }): {
      /** min(n, side) */
      side: number;
      /** shape [numLayers * numHeads, side, side], layer-major */
      reduced: Tensor;
      /** shape [numHeads, n, n] */
      layerMaps: Tensor;
      top: { id: number; probability: number }[];
    };
    /** The k (default 10) likeliest tokens after `position` (default the last), likeliest first. */
    topNext(ids: TokenInput, options?: { position?: number; k?: number }): { id: number; probability: number }[];
    generate(ids: TokenInput, count: number, options?: GenerateOptions): Generated;
    /** The detectors on R random tokens after <|endoftext|>, then the same R again. Defaults:
     *  repeatLength 50, sequences 10, seed 1. */
    detectHeads(options?: { repeatLength?: number; sequences?: number; seed?: number }): HeadScores;
    /** The workshop's relations in the heads (as `spotlight_gpt2 inspect` measures them): on
     *  sentences first .. first + count - 1 of the workshop report's held-out (600) or novel (600)
     *  sentences, each read as English after <|endoftext|>, each word at its last token.
     *  Defaults: set 'heldOut', first 0, count 600. Measure a set in pieces and sum by instances.
     *  A sentence longer than the model's context is left out (skipped counts them). */
    workshopRelations(options?: { set?: 'heldOut' | 'novel'; first?: number; count?: number }): {
      total: number;
      skipped: number;
      relations: RelationScores[];
    };
    save(options?: { dtype?: 'F32' | 'F16' | 'BF16' }): { 'config.json': string; 'model.safetensors': Uint8Array };
    delete(): void;
    isDeleted(): boolean;
  }

  /** Loading piece by piece: model.safetensors's bytes in order, in pieces of any size. */
  class PretrainedLoader {
    private constructor();
    readonly size: number;
    readonly bytesRead: number;
    feed(bytes: Uint8Array | ArrayBuffer): void;
    finish(): PretrainedModel;
    delete(): void;
    isDeleted(): boolean;
  }

  interface ModuleOptions {
    /** The wasm bytes, if they are not embedded. */
    wasmBinary?: ArrayBuffer | Uint8Array;
    /** The products' kernel: 'auto' (default) takes relaxed SIMD where the engine validates it;
     *  'relaxed-simd' requires it (the promise rejects where it is missing); 'simd128' forces the
     *  plain SIMD128 kernel. */
    simd?: 'auto' | SimdPath;
  }
}

declare function createAttentionModule(
  options?: createAttentionModule.ModuleOptions): Promise<createAttentionModule.AttentionModule>;

export = createAttentionModule;
