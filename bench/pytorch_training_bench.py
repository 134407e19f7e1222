#!/usr/bin/python3
"""The training benchmark in PyTorch on one CPU thread: the tiny GPT of src/core/model/transformer.h in
plain torch ops (F.embedding, F.layer_norm, matmuls, GELU tanh, a tied head, cross_entropy),
torch.optim.AdamW with nanoGPT's parameter groups and clip_grad_norm_, on the models, tokens and
hyperparameters of bench/training-peers.js. One JSON line per model on stdout, in its fields.

    /usr/bin/python3 bench/pytorch_training_bench.py [--quick]      (./build.sh bench runs it)
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
QUICK = "--quick" in sys.argv

# training-peers.js: MODELS, ADAMW, WARMUP_STEPS, SAMPLE_BUDGET_MS, MIN_SAMPLES, MAX_SAMPLES, QUICK.
MODELS = [
    dict(name="workshop", vocab_size=96, context_length=24, d_model=64, n_heads=4, n_layers=2,
         batch=32, seq_len=24, warmup_steps=20),
    dict(name="larger", vocab_size=512, context_length=64, d_model=128, n_heads=4, n_layers=4,
         batch=16, seq_len=64, warmup_steps=3),
]
LEARNING_RATE, BETAS, EPSILON, WEIGHT_DECAY, CLIP_NORM = 3e-3, (0.9, 0.95), 1e-8, 0.1, 1.0
BUDGET_MS, LEAST, MOST = (2000, 3, 5) if QUICK else (15000, 5, 15)


def random_batch(vocab_size, batch, seq_len, seed=1):
    """training-peers.js's randomBatch: a 32-bit LCG, inputs tokens 0 .. T-1 of a row, targets 1 .. T."""
    state = seed
    rows = []
    for _ in range(batch):
        row = []
        for _ in range(seq_len + 1):
            state = (state * 1664525 + 1013904223) % 2 ** 32
            row.append((state * vocab_size) >> 32)
        rows.append(row)
    tokens = torch.tensor(rows, dtype=torch.long)  # (batch, T + 1)
    return tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()


def make_parameters(m):
    """The core's parameter table: name -> (tensor, decayed), matrices (in, out) as y = x W + b;
    GPT-2's initialisation (normal, std 0.02; residual projections by 1/sqrt(2 n_layers))."""
    d, layers = m["d_model"], m["n_layers"]
    g = torch.Generator().manual_seed(7)
    params = {}

    def add(name, shape, role, residual=False):
        if role == "gain":
            value = torch.ones(shape)
        elif role in ("bias", "norm_bias"):
            value = torch.zeros(shape)
        else:
            std = 0.02 / math.sqrt(2 * layers) if residual else 0.02
            value = torch.randn(shape, generator=g) * std
        params[name] = (value.requires_grad_(), role in ("embedding", "weight"))

    add("wte", (m["vocab_size"], d), "embedding")
    add("wpe", (m["context_length"], d), "embedding")
    for layer in range(layers):
        h = f"h.{layer}"
        add(f"{h}.ln_1.weight", (d,), "gain")
        add(f"{h}.ln_1.bias", (d,), "norm_bias")
        for which in "qkvo":
            add(f"{h}.attn.w{which}", (d, d), "weight", residual=which == "o")
            add(f"{h}.attn.b{which}", (d,), "bias")
        add(f"{h}.ln_2.weight", (d,), "gain")
        add(f"{h}.ln_2.bias", (d,), "norm_bias")
        add(f"{h}.mlp.fc", (d, 4 * d), "weight")
        add(f"{h}.mlp.fc_bias", (4 * d,), "bias")
        add(f"{h}.mlp.proj", (4 * d, d), "weight", residual=True)
        add(f"{h}.mlp.proj_bias", (d,), "bias")
    add("ln_f.weight", (d,), "gain")
    add("ln_f.bias", (d,), "norm_bias")
    return params


def loss_of(p, m, inputs, targets, causal):
    """Mean next-token cross-entropy of inputs (B, T); x is (B, T, d) between the blocks."""
    B, T = inputs.shape
    d, heads = m["d_model"], m["n_heads"]
    d_head = d // heads
    norm = lambda x, name: F.layer_norm(x, (d,), p[f"{name}.weight"], p[f"{name}.bias"], 1e-5)
    split = lambda x: x.view(B, T, heads, d_head).transpose(1, 2)  # (B, H, T, d_head)
    x = F.embedding(inputs, p["wte"]) + p["wpe"][:T]
    for layer in range(m["n_layers"]):
        h = f"h.{layer}"
        branch = norm(x, f"{h}.ln_1")
        q, k, v = (split(branch @ p[f"{h}.attn.w{w}"] + p[f"{h}.attn.b{w}"]) for w in "qkv")
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d_head)  # (B, H, T, T)
        scores = scores.masked_fill(causal[:T, :T], float("-inf"))
        heads_out = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, d)
        x = x + heads_out @ p[f"{h}.attn.wo"] + p[f"{h}.attn.bo"]
        hidden = F.gelu(norm(x, f"{h}.ln_2") @ p[f"{h}.mlp.fc"] + p[f"{h}.mlp.fc_bias"], approximate="tanh")
        x = x + hidden @ p[f"{h}.mlp.proj"] + p[f"{h}.mlp.proj_bias"]
    logits = norm(x, "ln_f") @ p["wte"].t()  # (B, T, V), the tied head
    return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


def main():
    for m in MODELS:
        warmup_steps = 3 if QUICK else m["warmup_steps"]
        inputs, targets = random_batch(m["vocab_size"], m["batch"], m["seq_len"])
        table = make_parameters(m)
        p = {name: tensor for name, (tensor, _) in table.items()}
        groups = [{"params": [t for t, decays in table.values() if decays], "weight_decay": WEIGHT_DECAY},
                  {"params": [t for t, decays in table.values() if not decays], "weight_decay": 0.0}]
        optimizer = torch.optim.AdamW(groups, lr=LEARNING_RATE, betas=BETAS, eps=EPSILON)
        causal = torch.ones(m["context_length"], m["context_length"], dtype=torch.bool).triu(1)

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(p, m, inputs, targets, causal)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(p.values(), CLIP_NORM)
            optimizer.step()
            return loss.item()

        losses, last_ms = [], 1.0
        for _ in range(warmup_steps):
            start = time.perf_counter()
            losses.append(step())
            last_ms = (time.perf_counter() - start) * 1000
        samples = min(MOST, max(LEAST, int(BUDGET_MS / max(last_ms, 1.0))))
        times, final_loss = [], 0.0
        for _ in range(samples):
            start = time.perf_counter()
            final_loss = step()
            times.append((time.perf_counter() - start) * 1000)
        median_ms = sorted(times)[len(times) // 2]  # as the JS and C++ runs take it
        tokens_per_step = m["batch"] * m["seq_len"]
        tokens_per_second = tokens_per_step / (median_ms / 1000)
        parameters = sum(t.numel() for t in p.values())
        print(json.dumps({
            "peer": "PyTorch CPU (1 thread)", "model": m["name"], "batch": m["batch"], "seqLen": m["seq_len"],
            "parameters": parameters, "tokensPerStep": tokens_per_step, "samples": samples,
            "medianStepMs": median_ms, "fastestStepMs": min(times), "slowestStepMs": max(times),
            "tokensPerSecond": tokens_per_second, "gflops": 6 * parameters * tokens_per_second / 1e9,
            "logVocab": math.log(m["vocab_size"]), "warmupSteps": warmup_steps, "initialLoss": losses[0],
            "lossAfterWarmup": losses[-1], "finalLoss": final_loss, "torch": torch.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
