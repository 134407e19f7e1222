// GPT-2's forward pass as an ONNX graph, built with onnx-proto from a Hugging Face checkpoint
// (config.json + model.safetensors), for the onnxruntime-web peer of the GPT-2 benchmark. Node.js
// only (onnx-proto is a Node package): the browser runner builds the bytes here and serves them.
//
//   gpt2OnnxModel(onnx, files, options) -> Uint8Array, the ONNX model
//     files    {'config.json': bytes, 'model.safetensors': bytes} (Uint8Array or Buffer)
//     options  the ops that carry the attention and the GELU, the logits' product, where the
//              weights go (the defaults first; measured alike within the noise, except the plain
//              attention, 1.05-1.1x slower from n = 256: see bench/gpt2-node.js --ort-variants):
//              attention 'Attention'           com.microsoft Attention (QKV projection fused in,
//                                              unidirectional, past as (2, 1, n_heads, n_past, d_head))
//                        'MultiHeadAttention'  MatMul, Split, com.microsoft MultiHeadAttention
//                                              (bias fused in, unidirectional, past_key/past_value)
//                        'MatMul'              plain ops: MatMul, Softmax and the checkpoint's own
//                                              causal mask buffer through Where
//              gelu      'FastGelu' (com.microsoft, bias fused in) or 'Gelu' (opset 20, tanh)
//              logits    'Gemm' (transB = 1 on wte) or 'MatMul' (on Transpose(wte), which
//                        onnxruntime folds into a second constant at load)
//              weights   'external' (the initializers point into model.safetensors by offset
//                        and length, and the session gets the file as externalData, see
//                        externalDataFor: a graph of 30 KB built in under 0.1 s) or 'inline'
//                        (raw_data initializers: a 498 MB protobuf, well under its 2 GB limit,
//                        1-4 s to build, and about 1 GB more at the peak of a Node process)
//              bench/gpt2-node.js --ort-variants times them against each other.
//   readSafetensors(bytes) -> Map name -> {dtype, shape, bytes}, after safetensors' own checks
//
// The graph, with C = d_model = 768, V = vocab_size, n new tokens after n_past cached ones:
//   inputs   input_ids (1, n) int64; the key-value cache of each layer l (n_past = 0 for a plain
//            forward pass): past_<l> (2, 1, n_heads, n_past, d_head) with 'Attention', else
//            past_key_<l> and past_value_<l> (1, n_heads, n_past, d_head)
//   outputs  logits (1, n, V); present_<l> (or present_key_<l>, present_value_<l>) with
//            n_past + n positions
//   x = wte[input_ids] + wpe[n_past .. n_past + n - 1]                                    (1, n, C)
//   per layer: x += c_proj(attention(c_attn(LN_1(x)))), x += mlp.c_proj(gelu_new(c_fc(LN_2(x))))
//   logits = LN_f(x) wte^T
// Either way the weights are the safetensors bytes as they are: little-endian F32 is ONNX's
// raw_data layout, and onnxruntime reads external data at any offset (gpt2's data starts
// unaligned).
'use strict';

const DTYPE_SIZE = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4,
  U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
const MAX_HEADER = 100000000;

// u64 little-endian header length N, N bytes of JSON, the data; the checks of safetensors'
// reader (tensor.rs) before any tensor is handed out.
function readSafetensors(bytes) {
  if (bytes.length < 8) throw new Error(`safetensors: ${bytes.length} bytes, shorter than the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
    throw new Error(`safetensors: header length ${headerLength} does not fit a file of ${bytes.length} bytes`);
  }
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  delete header.__metadata__;
  const entries = Object.entries(header).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map();
  let end = 0;
  for (const [name, { dtype, shape, data_offsets: [begin, stop] }] of entries) {
    if (!(dtype in DTYPE_SIZE)) throw new Error(`safetensors: tensor ${name} has unknown dtype ${dtype}`);
    if (begin !== end || stop < begin) throw new Error(`safetensors: tensor ${name} at [${begin}, ${stop}) does not start at ${end}`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (stop - begin !== count * DTYPE_SIZE[dtype]) {
      throw new Error(`safetensors: tensor ${name} ${dtype} [${shape}] has ${stop - begin} bytes, not ${count * DTYPE_SIZE[dtype]}`);
    }
    tensors.set(name, { dtype, shape, bytes: data.subarray(begin, stop) });
    end = stop;
  }
  if (8 + headerLength + end !== bytes.length) {
    throw new Error(`safetensors: ${bytes.length} bytes, not 8 + ${headerLength} + ${end}`);
  }
  return tensors;
}

// config.json -> the sizes the graph needs, refusing what it does not build.
function gpt2Config(json) {
  const c = Object.assign({ n_inner: null, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new',
    scale_attn_weights: true, scale_attn_by_inverse_layer_idx: false }, json);
  if (c.activation_function !== 'gelu_new') throw new Error(`activation_function ${c.activation_function} is not gelu_new`);
  if (!c.scale_attn_weights || c.scale_attn_by_inverse_layer_idx) {
    throw new Error('the graph scales scores by 1 / sqrt(d_head) only (scale_attn_weights true, scale_attn_by_inverse_layer_idx false)');
  }
  if (c.n_embd % c.n_head !== 0) throw new Error(`n_embd ${c.n_embd} is not divisible by n_head ${c.n_head}`);
  return { dModel: c.n_embd, nHeads: c.n_head, dHead: c.n_embd / c.n_head, nLayers: c.n_layer,
    dInner: c.n_inner === null ? 4 * c.n_embd : c.n_inner, vocabSize: c.vocab_size, nPositions: c.n_positions,
    epsilon: c.layer_norm_epsilon };
}

const OPTIONS = { attention: ['Attention', 'MultiHeadAttention', 'MatMul'], gelu: ['FastGelu', 'Gelu'], logits: ['Gemm', 'MatMul'],
  weights: ['inline', 'external'] };
const DEFAULT_OPTIONS = { attention: 'Attention', gelu: 'FastGelu', logits: 'Gemm', weights: 'external' };
// The variants that --check verifies and --ort-variants times (bench/gpt2-node.js): the default and
// each other choice, one at a time.
const VARIANTS = [
  { label: 'Attention, FastGelu, Gemm', options: {} },
  { label: 'MultiHeadAttention', options: { attention: 'MultiHeadAttention' } },
  { label: 'MatMul + Softmax attention', options: { attention: 'MatMul' } },
  { label: 'Gelu (opset 20, tanh)', options: { gelu: 'Gelu' } },
  { label: 'MatMul on Transpose(wte)', options: { logits: 'MatMul' } },
  { label: 'weights inline (raw_data)', options: { weights: 'inline' } },
];

function gpt2OnnxModel(onnx, files, options = {}) {
  const chosen = Object.assign({}, DEFAULT_OPTIONS, options);
  for (const [key, value] of Object.entries(chosen)) {
    if (!OPTIONS[key] || !OPTIONS[key].includes(value)) throw new Error(`option ${key} = ${value}; expected one of ${OPTIONS[key]}`);
  }
  const text = (bytes) => new TextDecoder().decode(bytes);
  const c = gpt2Config(JSON.parse(text(files['config.json'])));
  const stored = readSafetensors(files['model.safetensors']);
  const prefix = stored.has('transformer.wte.weight') ? 'transformer.' : '';
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const { INT, INTS, FLOAT: FLOAT_ATTRIBUTE, STRING } = onnx.AttributeProto.AttributeType;

  const initializer = [];
  const file = files['model.safetensors'];
  // A checkpoint tensor as an initializer of the same name: its bytes as they are, or a reference
  // to them in model.safetensors (offset from the file's start, length).
  const weight = (name, shape) => {
    const tensor = stored.get(prefix + name);
    if (!tensor) throw new Error(`model.safetensors: no tensor ${prefix + name}`);
    if (tensor.dtype !== 'F32') throw new Error(`model.safetensors: ${prefix + name} is ${tensor.dtype}; the graph takes F32`);
    if (String(tensor.shape) !== String(shape)) throw new Error(`model.safetensors: ${prefix + name} has shape [${tensor.shape}], expected [${shape}]`);
    if (chosen.weights === 'inline') {
      initializer.push({ name, dims: shape, dataType: FLOAT, rawData: tensor.bytes });
    } else {
      const offset = tensor.bytes.byteOffset - file.byteOffset;
      initializer.push({ name, dims: shape, dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'model.safetensors' }, { key: 'offset', value: String(offset) },
          { key: 'length', value: String(tensor.bytes.length) }] });
    }
    return name;
  };
  const int64s = (name, values) => {
    initializer.push({ name, dims: [values.length], dataType: INT64,
      rawData: new Uint8Array(BigInt64Array.from(values, BigInt).buffer) });
    return name;
  };
  const float = (name, value) => {
    initializer.push({ name, dims: [], dataType: FLOAT, rawData: new Uint8Array(Float32Array.of(value).buffer) });
    return name;
  };

  const node = [];
  // op(type, inputs, outputs, attributes, domain): attributes {name: [type, value]}; returns the
  // first output's name.
  const field = { [INT]: 'i', [INTS]: 'ints', [FLOAT_ATTRIBUTE]: 'f', [STRING]: 's' };
  const op = (opType, input, output, attributes = {}, domain = '') => {
    const attribute = Object.entries(attributes).map(([name, [type, value]]) => (
      { name, type, [field[type]]: type === STRING ? new TextEncoder().encode(value) : value }));
    node.push({ opType, domain, input, output, attribute, name: `${opType}_${node.length}` });
    return output[0];
  };
  const io = (name, elemType, dims) => ({ name, type: { tensorType: { elemType,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });

  const { dModel: C, nHeads: H, dHead: D, nLayers: L, dInner, vocabSize: V } = c;
  const fused = chosen.attention === 'Attention';
  const cacheNames = (l) => (fused ? [`past_${l}`] : [`past_key_${l}`, `past_value_${l}`]);
  const cacheDims = fused ? [2, 1, H, 'past_sequence', D] : [1, H, 'past_sequence', D];
  const inputs = [io('input_ids', INT64, [1, 'sequence'])];
  const outputs = [io('logits', FLOAT, [1, 'sequence', V])];
  for (let l = 0; l < L; l += 1) {
    for (const name of cacheNames(l)) {
      inputs.push(io(name, FLOAT, cacheDims));
      outputs.push(io(name.replace('past', 'present'), FLOAT, cacheDims.map((d) => (d === 'past_sequence' ? 'total_sequence' : d))));
    }
  }

  // x = wte[input_ids] + wpe[n_past .. n_past + n - 1]
  const nPast = op('Shape', [cacheNames(0)[0]], ['n_past'], { start: [INT, fused ? 3 : 2], end: [INT, fused ? 4 : 3] });
  const n = op('Shape', ['input_ids'], ['n'], { start: [INT, 1], end: [INT, 2] });
  const nTotal = op('Add', [nPast, n], ['n_total']);
  const wte = weight('wte.weight', [V, C]);
  const tokens = op('Gather', [wte, 'input_ids'], ['token_embeddings']);  // (1, n, C)
  const positions = op('Slice', [weight('wpe.weight', [c.nPositions, C]), nPast, nTotal, int64s('axis_0', [0])], ['position_embeddings']);
  let x = op('Add', [tokens, positions], ['x_0']);

  const layerNorm = (input, name, output) => op('LayerNormalization',
    [input, weight(`${name}.weight`, [C]), weight(`${name}.bias`, [C])], [output], { axis: [INT, -1], epsilon: [FLOAT_ATTRIBUTE, c.epsilon] });
  const linear = (input, name, inputSize, outputSize, output) => op('Add',
    [op('MatMul', [input, weight(`${name}.weight`, [inputSize, outputSize])], [`${output}_product`]), weight(`${name}.bias`, [outputSize])], [output]);

  // The plain route's causal mask: rows n_past .. n_total - 1, keys 0 .. n_total - 1 of the
  // checkpoint's own h.0.attn.bias (1, 1, n_positions, n_positions), as transformers slices it.
  let allowed = null;
  if (chosen.attention === 'MatMul') {
    const buffer = weight('h.0.attn.bias', [1, 1, c.nPositions, c.nPositions]);
    const rows = op('Slice', [buffer, op('Concat', [nPast, int64s('zero', [0])], ['mask_starts'], { axis: [INT, 0] }),
      op('Concat', [nTotal, nTotal], ['mask_ends'], { axis: [INT, 0] }), int64s('axes_2_3', [2, 3])], ['mask_rows']);
    allowed = op('Cast', [rows], ['allowed'], { to: [INT, onnx.TensorProto.DataType.BOOL] });  // (1, 1, n, n_total)
    float('lowest', -3.4028234663852886e38);
    float('inverse_sqrt_d_head', 1 / Math.sqrt(D));
    int64s('heads_shape', [0, 0, H, D]);
    int64s('model_shape', [0, 0, C]);
  }
  if (!fused) int64s('split_qkv', [C, C, C]);  // c_attn's columns: q | k | v

  // attention(a) for layer l: (1, n, C) -> (1, n, C), with the cache in and out.
  const attention = (a, l) => {
    const h = `h.${l}.attn`;
    if (fused) {
      return op('Attention', [a, weight(`${h}.c_attn.weight`, [C, 3 * C]), weight(`${h}.c_attn.bias`, [3 * C]), '', `past_${l}`],
        [`${h}.out`, `present_${l}`], { num_heads: [INT, H], unidirectional: [INT, 1] }, 'com.microsoft');
    }
    if (chosen.attention === 'MultiHeadAttention') {
      const qkv = op('MatMul', [a, weight(`${h}.c_attn.weight`, [C, 3 * C])], [`${h}.qkv`]);
      op('Split', [qkv, 'split_qkv'], [`${h}.q`, `${h}.k`, `${h}.v`], { axis: [INT, 2] });
      return op('MultiHeadAttention', [`${h}.q`, `${h}.k`, `${h}.v`, weight(`${h}.c_attn.bias`, [3 * C]), '', '', `past_key_${l}`, `past_value_${l}`],
        [`${h}.out`, `present_key_${l}`, `present_value_${l}`], { num_heads: [INT, H], unidirectional: [INT, 1] }, 'com.microsoft');
    }
    const qkv = linear(a, `${h}.c_attn`, C, 3 * C, `${h}.qkv`);
    op('Split', [qkv, 'split_qkv'], [`${h}.q`, `${h}.k`, `${h}.v`], { axis: [INT, 2] });
    // (1, n, C) -> (1, H, n, D): head h owns columns h*D .. (h+1)*D - 1
    const heads = (name) => op('Transpose', [op('Reshape', [name, 'heads_shape'], [`${name}_split`])], [`${name}_heads`], { perm: [INTS, [0, 2, 1, 3]] });
    const q = heads(`${h}.q`);
    const k = op('Concat', [`past_key_${l}`, heads(`${h}.k`)], [`present_key_${l}`], { axis: [INT, 2] });    // (1, H, n_total, D)
    const v = op('Concat', [`past_value_${l}`, heads(`${h}.v`)], [`present_value_${l}`], { axis: [INT, 2] });
    const kTransposed = op('Transpose', [k], [`${h}.k_t`], { perm: [INTS, [0, 1, 3, 2]] });  // (1, H, D, n_total)
    const scores = op('Mul', [op('MatMul', [q, kTransposed], [`${h}.qk`]), 'inverse_sqrt_d_head'], [`${h}.scores`]);
    const weights = op('Softmax', [op('Where', [allowed, scores, 'lowest'], [`${h}.masked`])], [`${h}.weights`], { axis: [INT, -1] });
    const attended = op('Transpose', [op('MatMul', [weights, v], [`${h}.attended_heads`])], [`${h}.attended`], { perm: [INTS, [0, 2, 1, 3]] });
    return op('Reshape', [attended, 'model_shape'], [`${h}.out`]);
  };
  for (let l = 0; l < L; l += 1) {
    const h = `h.${l}`;
    const attended = attention(layerNorm(x, `${h}.ln_1`, `${h}.ln_1_out`), l);
    x = op('Add', [x, linear(attended, `${h}.attn.c_proj`, C, C, `${h}.attn.projected`)], [`x_${l}_attended`]);
    const fc = op('MatMul', [layerNorm(x, `${h}.ln_2`, `${h}.ln_2_out`), weight(`${h}.mlp.c_fc.weight`, [C, dInner])], [`${h}.mlp.fc`]);
    const fcBias = weight(`${h}.mlp.c_fc.bias`, [dInner]);
    const activated = chosen.gelu === 'FastGelu'
      ? op('FastGelu', [fc, fcBias], [`${h}.mlp.gelu`], {}, 'com.microsoft')
      : op('Gelu', [op('Add', [fc, fcBias], [`${h}.mlp.fc_biased`])], [`${h}.mlp.gelu`], { approximate: [STRING, 'tanh'] });
    x = op('Add', [x, linear(activated, `${h}.mlp.c_proj`, dInner, C, `${h}.mlp.out`)], [`x_${l + 1}`]);
  }
  const final = layerNorm(x, 'ln_f', 'ln_f_out');
  if (chosen.logits === 'Gemm') {
    const rows = op('Reshape', [final, int64s('rows_shape', [-1, C])], ['ln_f_rows']);  // (n, C)
    const product = op('Gemm', [rows, wte], ['logits_rows'], { transB: [INT, 1] });  // (n, V)
    op('Reshape', [product, int64s('logits_shape', [1, -1, V])], ['logits']);
  } else {
    op('MatMul', [final, op('Transpose', [wte], ['wte_transposed'], { perm: [INTS, [1, 0]] })], ['logits']);
  }

  const model = onnx.ModelProto.create({
    irVersion: 9, producerName: 'attention-spotlight bench/gpt2-onnx.js',  // IR 9: opset 20's
    opsetImport: [{ domain: '', version: 20 }, { domain: 'com.microsoft', version: 1 }],
    graph: { name: 'gpt2', node, initializer, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}

// onnxruntime-web's externalData session option for a graph built with these options: the
// checkpoint's own file when the weights stay there, else none.
function externalDataFor(options, files) {
  const weights = Object.assign({}, DEFAULT_OPTIONS, options).weights;
  return weights === 'external' ? [{ path: 'model.safetensors', data: files['model.safetensors'] }] : [];
}

module.exports = { gpt2OnnxModel, externalDataFor, readSafetensors, gpt2Config, OPTIONS, DEFAULT_OPTIONS, VARIANTS };
