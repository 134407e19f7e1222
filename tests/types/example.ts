// Type-checks the hand-written declarations (src/wasm/attention.d.ts) against the README's usage;
// compiled with `tsc --noEmit -p tests/types`, never run.
import createAttentionModule = require('../../src/wasm/attention');

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
}

export { example, misuse };
