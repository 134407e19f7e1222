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

  // ---- the tiny GPT (src/core/transformer.h) ----

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
    /** The count (0 .. 4096) new tokens, not the prompt; the model sees the last contextLength
     *  tokens. */
    generate(prompt: TokenInput, count: number, options?: SamplingOptions): Int32Array;
    /** The checkpoint's bytes (src/core/checkpoint.h). */
    save(options?: SaveOptions): Uint8Array;
    /** Frees the wasm memory; the object is unusable afterwards. */
    delete(): void;
    isDeleted(): boolean;
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
    /** The sqrt(d) experiment for random unit-variance q, k of shape (n, d). */
    scalingStudy(d: number, n: number, seed?: number): ScalingPoint;
    TinyTransformer: typeof TinyTransformer;
    /** attention[s] and tokens[s] belong to sequence s (head_scores.h explains each score). */
    scoreHeads(attention: readonly AttentionMapsInput[], tokens: readonly TokenInput[]): HeadScores;
    /** relations[s]: sequence s's relations; those named `name` are scored. */
    scoreRelation(attention: readonly AttentionMapsInput[], relations: readonly (readonly Relation[])[],
                  name: string): RelationScores;
  }

  interface ModuleOptions {
    /** The wasm bytes, if they are not embedded. */
    wasmBinary?: ArrayBuffer | Uint8Array;
  }
}

declare function createAttentionModule(
  options?: createAttentionModule.ModuleOptions): Promise<createAttentionModule.AttentionModule>;

export = createAttentionModule;
