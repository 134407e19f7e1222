#!/usr/bin/python3
"""Writes the golden fixtures that the Catch2 tests read (tests/core/attention/test_pytorch_golden.cpp and the
seed test in tests/core/attention/test_embeddings_and_random.cpp). The fixtures are committed, so CI needs no
PyTorch; rerun this only to regenerate them:

    /usr/bin/python3 tests/golden/make_fixtures.py     # Debian's python3-torch (1.13)

Two independent sources of truth:
- PyTorch, computing in float64 on float32-representable inputs: softmax attention (scaled,
  unscaled, causal, key padding, scale and temperature) and nn.MultiheadAttention with the same
  weights. PyTorch stores Linear weights (out, in); the fixtures hold our (in, out) layout.
- A Python reimplementation of the documented weight and embedding initialisation (SplitMix64,
  FNV-1a, the float construction in src/core/base/random.h), pinning seed 42 bit for bit.

File format (read by tests/core/support/test_support.cpp): "name rows cols" then rows*cols numbers, row-major.
"""
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MASK64 = (1 << 64) - 1


def write_fixture(file_name, comment, tensors):
    with open(os.path.join(HERE, file_name), "w") as out:
        out.write(f"# {comment}\n# written by tests/golden/make_fixtures.py; do not edit\n")
        for name, value in tensors.items():
            array = np.asarray(value, dtype=np.float64)
            if array.ndim == 1:
                array = array.reshape(1, -1)
            assert array.ndim == 2, name
            out.write(f"{name} {array.shape[0]} {array.shape[1]}\n")
            for row in array:
                out.write(" ".join(repr(float(x)) for x in row) + "\n")


# ---- seed 42, from the documentation of src/core/base/random.h -------------------------------------

def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        return mix64(self.state)

    def uniform_symmetric(self, limit):
        top24 = self.next() >> 40
        centred = np.float32(top24 - (1 << 23))
        step = np.float32(limit) * np.float32(2.0 ** -23)
        return np.float32(centred * step)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & MASK64
    return h


def xavier_weights(d_model, seed):
    limit = np.float32(math.sqrt(6.0 / (2 * d_model)))
    rng = SplitMix64(seed)
    return [np.array([[rng.uniform_symmetric(limit) for _ in range(d_model)]
                      for _ in range(d_model)], dtype=np.float32) for _ in range(4)]


def token_embedding(token, d_model, seed):
    """Zeros in columns 0 .. d_model//2 - 1 (left to position), then per column a sign (the top
    bit of the SplitMix64 output) times (3 * 2^21 + bits 41..62) * 2^-23, in [0.75, 1.25)."""
    rng = SplitMix64(fnv1a64(token.encode("utf-8")) ^ mix64(seed))
    first = d_model // 2
    values = [0.0] * first
    for _ in range(d_model - first):
        bits = rng.next()
        magnitude = (3 * 2 ** 21 + ((bits >> 41) & (2 ** 22 - 1))) * 2.0 ** -23
        values.append(magnitude if bits >> 63 else -magnitude)
    return np.array(values, dtype=np.float32)


def seed42():
    w_q, w_k, w_v, w_o = xavier_weights(8, 42)
    write_fixture("seed42.txt", "SimpleAttention(8, 2, 42) weights and token embeddings, seed 42", {
        "w_q": w_q, "w_k": w_k, "w_v": w_v, "w_o": w_o,
        "embed_cat": token_embedding("cat", 8, 42),
        "embed_unicode": token_embedding("日本語🙂", 8, 42),
    })


# ---- PyTorch ------------------------------------------------------------------------------------

def float32_random(generator, *shape):
    """Uniform in [-1, 1), rounded to float32 so the C++ side reads the exact same inputs."""
    return (torch.rand(*shape, generator=generator, dtype=torch.float32) * 2 - 1).double()


def softmax_attention(q, k, v, logit_scale, causal=False, key_padding=None):
    logits = (q @ k.T) * logit_scale
    if causal:  # top-left aligned lower triangle, as torch.ones(n_q, n_k).tril()
        allowed = torch.ones(q.shape[0], k.shape[0], dtype=torch.bool).tril()
        logits = logits.masked_fill(~allowed, -math.inf)
    if key_padding is not None:
        logits = logits.masked_fill(key_padding.bool().unsqueeze(0), -math.inf)
    weights = torch.softmax(logits, dim=-1)
    return weights @ v, weights


def pytorch_attention():
    g = torch.Generator().manual_seed(2024)
    q, k, v = float32_random(g, 5, 8), float32_random(g, 7, 8), float32_random(g, 7, 6)
    key_padding = torch.tensor([0, 1, 0, 0, 1, 0, 0], dtype=torch.float64)
    tensors = {"q": q, "k": k, "v": v, "key_padding": key_padding}
    cases = {
        "scaled": dict(logit_scale=1 / math.sqrt(8)),
        "unscaled": dict(logit_scale=1.0),
        "causal": dict(logit_scale=1 / math.sqrt(8), causal=True),
        "padded": dict(logit_scale=1 / math.sqrt(8), key_padding=key_padding),
        "scale_0.3_temperature_2": dict(logit_scale=0.3 / 2),
    }
    for name, arguments in cases.items():
        output, weights = softmax_attention(q, k, v, **arguments)
        tensors[f"{name}_output"], tensors[f"{name}_weights"] = output, weights
    x = float32_random(g, 6, 8)
    output, weights = softmax_attention(x, x, x, 1 / math.sqrt(8), causal=True)
    tensors.update({"self_x": x, "self_causal_output": output, "self_causal_weights": weights})
    write_fixture("pytorch_attention.txt", "softmax attention computed by PyTorch in float64", tensors)


def pytorch_multi_head():
    torch.manual_seed(7)
    d_model, n_heads = 16, 4
    mha = torch.nn.MultiheadAttention(d_model, n_heads, bias=True)
    with torch.no_grad():  # round every parameter to float32, and give the biases nonzero values
        mha.in_proj_weight.copy_(mha.in_proj_weight.float())
        mha.in_proj_bias.copy_(torch.rand(3 * d_model) - 0.5)
        mha.out_proj.bias.copy_(torch.rand(d_model) - 0.5)
    mha = mha.double().eval()

    w = mha.in_proj_weight.detach()
    b = mha.in_proj_bias.detach()
    tensors = {  # ours is (in, out): transpose PyTorch's (out, in)
        "w_q": w[:d_model].T, "w_k": w[d_model:2 * d_model].T, "w_v": w[2 * d_model:].T,
        "w_o": mha.out_proj.weight.detach().T,
        "b_q": b[:d_model], "b_k": b[d_model:2 * d_model], "b_v": b[2 * d_model:],
        "b_o": mha.out_proj.bias.detach(),
    }
    g = torch.Generator().manual_seed(99)
    x = float32_random(g, 6, d_model)
    x_q, x_kv = float32_random(g, 4, d_model), float32_random(g, 7, d_model)
    key_padding = torch.tensor([0, 0, 1, 0, 0, 1], dtype=torch.bool)
    causal = torch.ones(6, 6, dtype=torch.bool).triu(diagonal=1)  # True = not allowed
    tensors.update({"x": x, "x_q": x_q, "x_kv": x_kv, "key_padding": key_padding.double()})

    def run(name, query, key_value, **arguments):
        with torch.no_grad():
            output, weights = mha(query.unsqueeze(1), key_value.unsqueeze(1), key_value.unsqueeze(1),
                                  need_weights=True, average_attn_weights=False, **arguments)
        tensors[f"{name}_output"] = output.squeeze(1)
        # (batch=1, heads, n_q, n_k) -> (heads * n_q, n_k), head h in rows h*n_q ..
        tensors[f"{name}_weights"] = weights.squeeze(0).reshape(-1, key_value.shape[0])

    run("self", x, x)
    run("causal", x, x, attn_mask=causal)
    run("causal_padded", x, x, attn_mask=causal, key_padding_mask=key_padding.unsqueeze(0))
    run("cross", x_q, x_kv)
    write_fixture("pytorch_multi_head.txt",
                  "torch.nn.MultiheadAttention(16, 4, bias=True) in float64", tensors)


if __name__ == "__main__":
    seed42()
    pytorch_attention()
    pytorch_multi_head()
    print("fixtures written to", HERE)
