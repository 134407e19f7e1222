// Hand-written TypeScript declarations for the module built from src/wasm (web/generated/attention.js).
// Emscripten 3.1.6 cannot emit them; tests/types/example.ts checks them with `tsc --noEmit`.
//
// Shapes: arrays are flat, row-major. x is (seqLen, embedDim); weights are (heads, n_q, n_k).

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
  }

  interface ModuleOptions {
    /** The wasm bytes, if they are not embedded. */
    wasmBinary?: ArrayBuffer | Uint8Array;
  }
}

declare function createAttentionModule(
  options?: createAttentionModule.ModuleOptions): Promise<createAttentionModule.AttentionModule>;

export = createAttentionModule;
