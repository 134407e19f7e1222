#!/usr/bin/python3
"""PyTorch on one CPU thread, on the benchmark's shapes: JSON lines on stdout, one per case, in the
Node runner's fields. Debian's python3-torch (1.13) has no scaled_dot_product_attention, so the
attention is the usual batched matmul - softmax - matmul; the layer is nn.MultiheadAttention.

    /usr/bin/python3 bench/pytorch_bench.py [--quick]      (./build.sh bench runs it)
"""
import json
import math
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
QUICK = "--quick" in sys.argv
SHAPES = [(16, 64, 4), (128, 256, 4)] + ([] if QUICK else [(512, 512, 8), (1024, 768, 12), (4096, 512, 8)])
MAX_WEIGHT_BYTES = 256 * 2 ** 20


def median_ms(run, repeats):
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def attention(q, k, v, heads, causal, return_weights):
    n, d = q.shape
    d_head = d // heads
    split = lambda t: t.view(n, heads, d_head).transpose(0, 1)  # (heads, n, d_head)
    scores = torch.bmm(split(q), split(k).transpose(1, 2)) / math.sqrt(d_head)
    if causal:
        scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = torch.bmm(weights, split(v)).transpose(0, 1).reshape(n, d)
    return (out, weights) if return_weights else out


def main():
    for n, d, heads in SHAPES:
        g = torch.Generator().manual_seed(1)
        q, k, v, x = (torch.rand(n, d, generator=g) - 0.5 for _ in range(4))
        layer = torch.nn.MultiheadAttention(d, heads, bias=False).eval()
        repeats = 3 if n >= 1024 else (5 if n >= 512 else 15)
        causal_mask = torch.ones(n, n, dtype=torch.bool).triu(1)
        for operation in ("attention", "layer"):
            for causal in (False, True):
                for return_weights in (False, True):
                    if return_weights and heads * n * n * 4 > MAX_WEIGHT_BYTES:
                        continue
                    with torch.no_grad():
                        if operation == "attention":
                            run = lambda: attention(q, k, v, heads, causal, return_weights)
                        else:
                            xb = x.unsqueeze(1)
                            run = lambda: layer(xb, xb, xb, need_weights=return_weights,
                                                attn_mask=causal_mask if causal else None,
                                                average_attn_weights=False)
                        ms = median_ms(run, repeats)
                    flops = 4 * n * n * d + (0 if operation == "attention" else 8 * n * d * d)
                    print(json.dumps({"n": n, "d": d, "heads": heads, "operation": operation, "causal": causal,
                                      "returnWeights": return_weights, "peer": "PyTorch CPU (1 thread)",
                                      "medianMs": ms, "gflops": flops / ms / 1e6}), flush=True)


if __name__ == "__main__":
    main()
