// The training benchmark's models, data and JavaScript peers, shared by bench/training-node.js and
// the page bench/training.html. Each peer trains the same tiny GPT (src/core/model/transformer.h) on the
// same random batch with the same AdamW hyperparameters; the measure is training tokens per second
// (batch * seqLen tokens per step), and 6 x parameters x tokens/s as an effective GFLOP/s.
//
// A peer is {name, async setup(model, data) -> {parameters, step(), dispose()}}: step() runs one
// training step (forward, backward, clipping, the update) and returns its loss, a number. Ours
// also has values(), its parameters by name, from which crossCheck starts the tfjs model.
'use strict';

// workshop: src/core/training/recipes.cpp's workshop_recipe (its corpus has 96 token ids); larger: the
// same architecture at 8x the parameters and 2.7x the sequence length.
const MODELS = [
  { name: 'workshop', vocabSize: 96, contextLength: 24, embedDim: 64, numHeads: 4, numLayers: 2, mlp: true,
    layerNorm: true, batch: 32, seqLen: 24 },
  { name: 'larger', vocabSize: 512, contextLength: 64, embedDim: 128, numHeads: 4, numLayers: 4, mlp: true,
    layerNorm: true, batch: 16, seqLen: 64 },
];

// src/core/model/optimizer.h's AdamWOptions, at the workshop's peak learning rate, held constant.
const ADAMW = { learningRate: 3e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, clipNorm: 1 };

// Warm-up steps before timing. The workshop's 20 are also the loss check: the first loss should be
// near log(vocab) and the 20th below it.
const WARMUP_STEPS = { workshop: 20, larger: 3 };
// Timed samples of one step each (a step lasts over 25 ms here, far above a page's 0.1 ms clock):
// as many as fit in SAMPLE_BUDGET_MS, within [MIN_SAMPLES, MAX_SAMPLES].
const SAMPLE_BUDGET_MS = 15000;
const MIN_SAMPLES = 5;
const MAX_SAMPLES = 15;
const QUICK = { warmupSteps: 3, budgetMs: 2000, minSamples: 3, maxSamples: 5 };

// The model's parameters (name, shape, role), in the order of src/core/model/transformer_config.h's
// table: the tfjs peer initialises and decays by it, and every peer's count is checked against it.
function parameterTable({ vocabSize, contextLength, embedDim: d, numLayers, mlp, layerNorm }) {
  const table = [{ name: 'wte', shape: [vocabSize, d], role: 'embedding' },
    { name: 'wpe', shape: [contextLength, d], role: 'embedding' }];
  const norm = (prefix) => table.push({ name: `${prefix}.weight`, shape: [d], role: 'norm_gain' },
    { name: `${prefix}.bias`, shape: [d], role: 'norm_bias' });
  const linear = (weight, bias, rows, cols, residualProjection) => table.push(
    { name: weight, shape: [rows, cols], role: 'weight', residualProjection },
    { name: bias, shape: [cols], role: 'bias' });
  for (let layer = 0; layer < numLayers; layer += 1) {
    const h = `h.${layer}`;
    if (layerNorm) norm(`${h}.ln_1`);
    for (const which of ['q', 'k', 'v', 'o']) linear(`${h}.attn.w${which}`, `${h}.attn.b${which}`, d, d, which === 'o');
    if (mlp) {
      if (layerNorm) norm(`${h}.ln_2`);
      linear(`${h}.mlp.fc`, `${h}.mlp.fc_bias`, d, 4 * d, false);
      linear(`${h}.mlp.proj`, `${h}.mlp.proj_bias`, 4 * d, d, true);
    }
  }
  if (layerNorm) norm('ln_f');
  return table;
}

const parameterCount = (table) => table.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
const decayed = (role) => role === 'embedding' || role === 'weight';

// batch rows of seqLen + 1 random token ids from a 32-bit LCG (the same in training_bench.cpp and
// pytorch_training_bench.py, so every peer sees the same tokens): inputs are tokens 0 .. T-1 of a
// row, targets tokens 1 .. T, as a language model reads a text. No target is ignored.
function randomBatch({ vocabSize, batch, seqLen }, seed = 1) {
  let state = seed >>> 0;
  const inputs = new Int32Array(batch * seqLen);
  const targets = new Int32Array(batch * seqLen);
  for (let row = 0; row < batch; row += 1) {
    let previous = 0;
    for (let t = 0; t <= seqLen; t += 1) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const token = Math.floor(state / 2 ** 32 * vocabSize);  // exact: 32 bits times under 2^21
      if (t > 0) {
        inputs[row * seqLen + t - 1] = previous;
        targets[row * seqLen + t - 1] = token;
      }
      previous = token;
    }
  }
  return { inputs, targets };
}

// ---- this project's module -------------------------------------------------------------------------

// name: 'ours (wasm)' for the module's default kernel path (relaxed SIMD where it validates), or
// 'ours (wasm, SIMD128)' for a module created with { simd: 'simd128' }, measured beside it.
function oursPeer(M, name = 'ours (wasm)') {
  return {
    name,
    setup(model, { inputs, targets }) {
      const net = new M.TinyTransformer({
        vocabSize: model.vocabSize, contextLength: model.contextLength, embedDim: model.embedDim,
        numHeads: model.numHeads, numLayers: model.numLayers, mlp: model.mlp, layerNorm: model.layerNorm, seed: 7,
      });
      const options = Object.assign({ batch: model.batch, seqLen: model.seqLen }, ADAMW);
      return {
        parameters: net.parameterTable().reduce((sum, p) => sum + p.rows * p.cols, 0),
        values: () => net.getParameters(),
        step: () => net.trainStep(inputs, targets, options),
        dispose: () => net.delete(),
      };
    },
  };
}

// ---- TensorFlow.js: the same model in tfjs ops, its autograd, tf.train.adam -------------------------

// GPT-2's initialisation, as the core's (normal here, uniform there: the same standard deviation),
// or the values given (name -> Float32Array, the table's shape in row-major order).
function initialValue(tf, { name, shape, role, residualProjection }, numLayers, seed, given) {
  if (given) return tf.tensor(given[name], shape);
  if (role === 'norm_gain') return tf.ones(shape);
  if (role === 'bias' || role === 'norm_bias') return tf.zeros(shape);
  const std = residualProjection ? 0.02 / Math.sqrt(2 * numLayers) : 0.02;
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

// Mean cross-entropy of the next token for (batch, T) token ids (int32 tensors of batch * T).
// Shapes: N = batch T, d = d_model, H heads of d_head; x is (N, d) between the blocks.
function tfjsLoss(tf, p, model, inputIds, targetIds, causalMask) {
  const { batch: B, seqLen: T, vocabSize: V, embedDim: d, numHeads: H, numLayers } = model;
  const dHead = d / H;
  const N = B * T;
  const layerNorm = (x, prefix) => {
    if (!model.layerNorm) return x;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), p[`${prefix}.weight`]),
      p[`${prefix}.bias`]);
  };
  const linear = (x, weight, bias) => tf.add(tf.matMul(x, p[weight]), p[bias]);
  // (N, d) -> (B, H, T, d_head)
  const splitHeads = (x) => tf.transpose(tf.reshape(x, [B, T, H, dHead]), [0, 2, 1, 3]);
  // GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(
    tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))))))));

  // The embedding as a one-hot product: the wasm backend has no kernel for gather's gradient
  // (UnsortedSegmentSum).
  const tokens = tf.matMul(tf.cast(tf.oneHot(inputIds, V), 'float32'), p.wte);  // (N, d)
  let x = tf.reshape(tf.add(tf.reshape(tokens, [B, T, d]), tf.slice(p.wpe, [0, 0], [T, d])), [N, d]);
  for (let layer = 0; layer < numLayers; layer += 1) {
    const h = `h.${layer}`;
    const branch = layerNorm(x, `${h}.ln_1`);
    const [q, k, v] = ['q', 'k', 'v'].map((w) => splitHeads(linear(branch, `${h}.attn.w${w}`, `${h}.attn.b${w}`)));
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dHead)), causalMask);  // (B, H, T, T)
    const heads = tf.matMul(tf.softmax(scores), v);  // (B, H, T, d_head)
    const concatenated = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [N, d]);
    x = tf.add(x, linear(concatenated, `${h}.attn.wo`, `${h}.attn.bo`));
    if (model.mlp) {
      const hidden = gelu(linear(layerNorm(x, `${h}.ln_2`), `${h}.mlp.fc`, `${h}.mlp.fc_bias`));  // (N, 4d)
      x = tf.add(x, linear(hidden, `${h}.mlp.proj`, `${h}.mlp.proj_bias`));
    }
  }
  const logits = tf.matMul(layerNorm(x, 'ln_f'), p.wte, false, true);  // (N, V), the tied head
  return tf.losses.softmaxCrossEntropy(tf.oneHot(targetIds, V), logits);  // the mean over N
}

// backend: 'wasm' or 'cpu'. tf.train.adam has no decoupled weight decay and tfjs no gradient
// clipping: both are done here by hand, as torch.optim.AdamW and clip_grad_norm_ do them (decay
// p *= 1 - lr wd before the Adam update, on embeddings and matrices; gradients scaled by
// min(1, clip / (norm + 1e-6))), so the arithmetic is AdamW's.
function tfjsPeer(tf, backend) {
  let runs = 0;
  return {
    name: `TensorFlow.js ${tf.version.tfjs} (${backend})`,
    // initialValues: optional, name -> Float32Array (ours's getParameters(), for crossCheck).
    async setup(model, { inputs, targets }, initialValues) {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not initialise`);
      runs += 1;
      const table = parameterTable(model);
      const p = {};
      const variables = [];
      table.forEach((entry, i) => {
        const initial = initialValue(tf, entry, model.numLayers, 7 + i, initialValues);
        p[entry.name] = tf.variable(initial, true, `run${runs}/${entry.name}`);
        initial.dispose();
        variables.push({ variable: p[entry.name], decayed: decayed(entry.role) });
      });
      const T = model.seqLen;
      // 0 where a query may look, -1e9 above the diagonal: exp() of it is 0 after the max shift.
      const causalMask = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
      const optimizer = tf.train.adam(ADAMW.learningRate, ADAMW.beta1, ADAMW.beta2, ADAMW.epsilon);
      const decay = 1 - ADAMW.learningRate * ADAMW.weightDecay;
      const step = () => {
        const loss = tf.tidy(() => {
          const inputIds = tf.tensor1d(inputs, 'int32');
          const targetIds = tf.tensor1d(targets, 'int32');
          const { value, grads } = tf.variableGrads(
            () => tfjsLoss(tf, p, model, inputIds, targetIds, causalMask), variables.map((e) => e.variable));
          const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
          const scale = tf.minimum(1, tf.div(ADAMW.clipNorm, tf.add(norm, 1e-6)));
          const clipped = {};
          for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
          for (const { variable, decayed: decays } of variables) if (decays) variable.assign(tf.mul(variable, decay));
          optimizer.applyGradients(clipped);
          return value;
        });
        const value = loss.dataSync()[0];
        loss.dispose();
        return value;
      };
      return {
        parameters: variables.reduce((sum, e) => sum + e.variable.size, 0),
        step,
        dispose: () => {
          for (const { variable } of variables) variable.dispose();
          causalMask.dispose();
          optimizer.dispose();
        },
      };
    },
  };
}

// ---- the timing -------------------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Warm-up steps (the loss check), then timed samples of one step each. Returns a result row.
async function measure(run, model, { quick, now }) {
  const warmupSteps = quick ? QUICK.warmupSteps : WARMUP_STEPS[model.name];
  const losses = [];
  let last = 0;
  for (let i = 0; i < warmupSteps; i += 1) {
    const start = now();
    losses.push(await run.step());
    last = now() - start;
  }
  const [budget, least, most] = quick ? [QUICK.budgetMs, QUICK.minSamples, QUICK.maxSamples]
    : [SAMPLE_BUDGET_MS, MIN_SAMPLES, MAX_SAMPLES];
  const samples = Math.min(most, Math.max(least, Math.floor(budget / Math.max(last, 1))));
  const times = [];
  let finalLoss = 0;
  for (let i = 0; i < samples; i += 1) {
    const start = now();
    finalLoss = await run.step();
    times.push(now() - start);
  }
  return summarise(model, run.parameters, times, { warmupSteps, initialLoss: losses[0],
    lossAfterWarmup: losses[losses.length - 1], finalLoss });
}

// The row of one (peer, model): the median step, tokens/s and 6 P tokens/s.
function summarise(model, parameters, stepMs, losses) {
  const tokensPerStep = model.batch * model.seqLen;
  const medianStepMs = median(stepMs);
  const tokensPerSecond = tokensPerStep / (medianStepMs / 1000);
  return Object.assign({
    model: model.name, batch: model.batch, seqLen: model.seqLen, parameters, tokensPerStep,
    samples: stepMs.length, medianStepMs, fastestStepMs: Math.min(...stepMs), slowestStepMs: Math.max(...stepMs),
    tokensPerSecond, gflops: 6 * parameters * tokensPerSecond / 1e9, logVocab: Math.log(model.vocabSize),
  }, losses);
}

// Every model on every peer. now() is a millisecond clock, log(line) reports progress.
async function runTraining(peerList, { quick = false, now, log = () => {} }) {
  const results = [];
  for (const model of MODELS) {
    const data = randomBatch(model);
    const expected = parameterCount(parameterTable(model));
    for (const peer of peerList) {
      const row = { peer: peer.name, model: model.name };
      let run = null;
      try {
        run = await peer.setup(model, data);
        if (run.parameters !== expected) {
          throw new Error(`${run.parameters} parameters, where the table of the model has ${expected}`);
        }
        Object.assign(row, await measure(run, model, { quick, now }));
      } catch (error) {
        row.failed = String(error.message || error).split('\n')[0].slice(0, 200);
      } finally {
        if (run) run.dispose();
      }
      results.push(row);
      log(describe(row));
    }
  }
  return results;
}

// The tfjs model started from ours's initial parameters, step by step beside ours on the
// workshop's batch: the losses should agree to float rounding, which checks that both compute the
// same model, gradients, clipping and AdamW update.
async function crossCheck(M, tfjs, { steps = 20 } = {}) {
  const model = MODELS[0];
  const data = randomBatch(model);
  const ours = await oursPeer(M).setup(model, data);
  const theirs = await tfjs.setup(model, data, ours.values());
  const losses = [];
  try {
    for (let i = 0; i < steps; i += 1) losses.push([ours.step(), await theirs.step()]);
  } finally {
    ours.dispose();
    theirs.dispose();
  }
  return {
    model: model.name, peer: tfjs.name, steps, firstLosses: losses[0], lastLosses: losses[steps - 1],
    maxLossDifference: Math.max(...losses.map(([a, b]) => Math.abs(a - b))),
  };
}

function describe(row) {
  const label = `${row.model.padEnd(9)} ${row.peer.padEnd(28)}`;
  if (row.failed) return `${label} failed: ${row.failed}`;
  return `${label} ${row.tokensPerSecond.toFixed(0).padStart(7)} tokens/s ${row.gflops.toFixed(2).padStart(6)} GFLOP/s` +
    `  (step ${row.medianStepMs.toFixed(1)} ms, median of ${row.samples}; loss ${row.initialLoss.toFixed(3)}` +
    ` [log V ${row.logVocab.toFixed(3)}] -> ${row.lossAfterWarmup.toFixed(3)} after ${row.warmupSteps} steps)`;
}

module.exports = {
  MODELS, ADAMW, parameterTable, parameterCount, randomBatch, oursPeer, tfjsPeer, runTraining, crossCheck, describe,
};
