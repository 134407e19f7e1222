#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz_core into tests/fuzz/corpus/core/seeds/ (and those of
fuzz_training into tests/fuzz/corpus/training/seeds/): one small input per entry
point and edge case, in the byte format of tests/fuzz/fuzz_input.h (keep the two in step).

    python3 tests/fuzz/make_seeds.py

Values left out at the end of an input come from the target's own generator (ordinary numbers),
so a seed spells out only the fields and the cells it is about.
"""
import pathlib
import shutil
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus" / "core" / "seeds"

# Entry points, the first byte.
ATTENTION, MULTI_HEAD, LAYER, SOFTMAX, EMBEDDINGS, DESIGNED_HEAD, SCALING_STUDY, GEMM = range(8)

# Value codes: the palette of fuzz_input.cpp, then raw bits, then ordinary numbers.
NAN, INF, NEG_INF, BIG, NEG_BIG, FLT_MAX, NEG_FLT_MAX, DENORM_MIN, NEG_DENORM_MIN, FLT_MIN, \
    DENORMAL, ZERO, NEG_ZERO, E30, NEG_E30, E18, NEG_E18, ONE, NEG_ONE, E_MINUS_30 = range(20)
RAW_BITS = 20

# Magnitude codes of a matrix's ordinary numbers.
MAG_1, MAG_E18, MAG_E30, MAG_E_MINUS_30, MAG_DENORMAL, MAG_E15, MAG_E19, MAG_E37, MAG_TINY = (
    0, 8, 9, 10, 11, 12, 13, 14, 15)

# Attention flags.
CAUSAL, SCALE, MASK, UNSCALED, KERNELS = 1, 2, 4, 8, 16

# Layer flags.
CROSS, SET_WEIGHT, SET_BIAS, SET_HEAD, TRACE, WIDE_X_Q = 1, 2, 4, 8, 16, 32

# Designed head patterns.
PREVIOUS_TOKEN, SAME_TOKEN, FIRST_TOKEN, LOCAL_WINDOW, UNIFORM = range(5)


def number(x):
    """The value code of an ordinary number x in [-7.3, 7.3] (a multiple of 1/16)."""
    code = 138 + round(16 * x)
    assert 21 <= code <= 255, x
    return [code]


def raw(bits):
    return [RAW_BITS] + list(struct.pack("<I", bits))


def temperature_power(power):
    """Temperature 10^power for power in -6 .. 6."""
    return [power + 6]


TEMPERATURE_1 = [255]


def word(value):
    return list(struct.pack("<I", value & 0xFFFFFFFF))


def attention_case(flags=0, scale=None, temperature=TEMPERATURE_1, mask=None, mask_too_long=False,
                   tiles=(128, 256)):
    case = [flags]
    if flags & SCALE:
        case += scale
    case += temperature
    if flags & MASK:
        case += [7 if mask_too_long else 0] + mask
    return case + [(tiles[0] - 1) % 70, (tiles[1] - 1) % 70]


def attention(n_q, n_k, d_k, d_v, case, magnitudes=(MAG_1, MAG_1, MAG_1), values=(), fault=0):
    return [ATTENTION, n_q, n_k, d_k, d_v, fault] + case + list(magnitudes) + list(values)


def ordinary(count, start=0.25):
    return sum((number(((start + 0.375 * i) % 7) - 3.5) for i in range(count)), [])


def cell_at(row, col, cols, code, before=None):
    """Values up to cell (row, col) of a matrix with `cols` columns, that cell being `code`."""
    count = row * cols + col
    return (before if before is not None else ordinary(count)) + code


SEEDS = {
    # attention: ordinary input, both paths and the reference
    "attention-plain": attention(4, 5, 8, 3, attention_case()),
    "attention-causal-mask-kernels": attention(
        7, 7, 4, 4, attention_case(CAUSAL | MASK | KERNELS, mask=[0, 1, 0, 0, 1, 0, 0], tiles=(3, 2))),
    "attention-every-key-masked": attention(
        3, 3, 2, 2, attention_case(MASK | KERNELS, mask=[1, 1, 1], tiles=(1, 1))),
    "attention-cross-causal": attention(9, 4, 6, 5, attention_case(CAUSAL | KERNELS, tiles=(2, 3))),
    "attention-unscaled": attention(5, 5, 16, 4, attention_case(UNSCALED)),
    "attention-explicit-scale-zero": attention(6, 6, 4, 4, attention_case(SCALE, scale=[ZERO])),
    "attention-simd-tails": attention(33, 37, 5, 7, attention_case(KERNELS, tiles=(16, 17))),
    # attention: non-finite input is an error naming the cell
    "attention-nan-in-q": attention(3, 3, 4, 2, attention_case(), values=cell_at(2, 3, 4, [NAN])),
    "attention-inf-in-k": attention(2, 3, 2, 2, attention_case(),
                                    values=ordinary(4) + cell_at(1, 0, 2, [INF])),
    "attention-minus-inf-in-v": attention(2, 2, 2, 2, attention_case(),
                                          values=ordinary(8) + [NEG_INF]),
    "attention-signalling-nan-bits": attention(2, 2, 2, 2, attention_case(),
                                               values=raw(0x7F800001)),
    "attention-nan-scale": attention(2, 2, 2, 2, attention_case(SCALE, scale=[NAN])),
    "attention-zero-temperature": attention(2, 2, 2, 2, attention_case(temperature=[13, ZERO])),
    "attention-denormal-temperature": attention(
        2, 2, 2, 2, attention_case(temperature=[13, DENORM_MIN])),
    # attention: shapes
    "attention-empty-queries": attention(0, 3, 4, 4, attention_case()),
    "attention-zero-width": attention(3, 3, 0, 4, attention_case()),
    "attention-k-wider-than-q": attention(3, 3, 4, 4, attention_case(), fault=1),
    "attention-v-longer-than-k": attention(3, 3, 4, 4, attention_case(), fault=2),
    "attention-mask-too-long": attention(3, 3, 4, 4, attention_case(MASK, mask=[0, 0, 0, 0],
                                                                   mask_too_long=True)),
    # attention: numerics
    "attention-scores-1e30-temperature-1e-6": attention(
        6, 6, 2, 3, attention_case(temperature=temperature_power(-6)), (MAG_E15, MAG_E15, MAG_1)),
    "attention-scores-1e30-temperature-1e6": attention(
        6, 6, 2, 3, attention_case(CAUSAL, temperature=temperature_power(6)),
        (MAG_E15, MAG_E15, MAG_1)),
    "attention-huge-embeddings": attention(8, 8, 64, 8, attention_case(), (MAG_E18, MAG_E18, MAG_E18)),
    "attention-huge-embeddings-cold": attention(
        8, 8, 64, 8, attention_case(temperature=temperature_power(-6)), (MAG_E18, MAG_E18, MAG_1)),
    "attention-products-overflow-before-scale": attention(
        8, 8, 16, 4, attention_case(KERNELS, temperature=temperature_power(6)),
        (MAG_E19, MAG_E19, MAG_1)),
    "attention-scale-overflows": attention(3, 3, 2, 2, attention_case(
        SCALE, scale=[NEG_FLT_MAX], temperature=temperature_power(-6))),
    "attention-v-1e37-many-keys": attention(4, 64, 4, 4, attention_case(), (MAG_1, MAG_1, MAG_E37)),
    "attention-v-float-max": attention(
        2, 2, 2, 2, attention_case(), values=ordinary(8) + [FLT_MAX, FLT_MAX, FLT_MAX, FLT_MAX]),
    "attention-denormals": attention(5, 5, 4, 4, attention_case(KERNELS),
                                     (MAG_DENORMAL, MAG_TINY, MAG_DENORMAL)),
    "attention-signed-zeros": attention(2, 2, 2, 2, attention_case(),
                                        values=[ZERO, NEG_ZERO] * 6),
    # multi-head attention
    "multi-head-eight-heads": [MULTI_HEAD, 16, 16, 64, 9, 0] + attention_case(CAUSAL) + [0, 0, 0],
    "multi-head-zero-heads": [MULTI_HEAD, 4, 4, 8, 1, 0] + attention_case() + [0, 0, 0],
    "multi-head-negative-heads": [MULTI_HEAD, 4, 4, 8, 0, 0] + attention_case() + [0, 0, 0],
    "multi-head-not-a-divisor": [MULTI_HEAD, 4, 4, 10, 5, 0] + attention_case() + [0, 0, 0],
    "multi-head-huge-per-head": [MULTI_HEAD, 6, 6, 12, 4, 0] + attention_case(MASK, mask=[1, 0, 0, 0, 0, 1])
    + [MAG_E18, MAG_E18, MAG_E37],
    # the layer
    "layer-forward-trace": [LAYER, 16, 3, *word(42), TRACE, 5] + attention_case(CAUSAL),
    "layer-cross-trace": [LAYER, 12, 4, *word(7), CROSS | TRACE, 3, 8] + attention_case(MASK, mask=[0, 1] * 4),
    "layer-indivisible-heads": [LAYER, 10, 5, *word(1), 0, 3] + attention_case(),
    "layer-wrong-width": [LAYER, 8, 3, *word(1), WIDE_X_Q, 3] + attention_case(),
    "layer-nan-weight": [LAYER, 4, 2, *word(1), SET_WEIGHT, 2] + attention_case() + [1, 0, MAG_1, NAN],
    "layer-bias-count-wrong": [LAYER, 4, 2, *word(1), SET_BIAS, 2] + attention_case() + [3, 7, MAG_1],
    "layer-designed-local-window": [LAYER, 32, 3, *word(3), SET_HEAD | TRACE, 9] + attention_case()
    + [1, LOCAL_WINDOW, 2],
    "layer-designed-huge-window": [LAYER, 32, 2, *word(3), SET_HEAD, 9] + attention_case()
    + [0, LOCAL_WINDOW, 200, *word(0x7FFFFFFF)],
    "layer-huge-input-trace": [LAYER, 16, 2, *word(5), TRACE, 6] + attention_case()
    + [MAG_E19, MAG_E19],
    "layer-input-overflows-projection": [LAYER, 16, 2, *word(5), 0, 6] + attention_case()
    + [MAG_E37, MAG_E37],
    # softmax
    "softmax-wide-rows": [SOFTMAX, 3, 255, MAG_1],
    "softmax-masked-and-extremes": [SOFTMAX, 2, 7, MAG_1, NEG_INF, FLT_MAX, NEG_FLT_MAX, BIG, ZERO,
                                    DENORM_MIN, NEG_E30, NEG_INF, NEG_INF, NEG_INF, NEG_INF, NEG_INF,
                                    NEG_INF, NEG_INF],
    "softmax-huge-logits": [SOFTMAX, 4, 9, MAG_E37],
    # embeddings
    "embeddings-sentence": [EMBEDDINGS, 64, *word(1), 0, 6]
    + sum(([len(t)] + list(t) for t in (b"the", b"cat", b"sat", b"on", b"the", b"mat")), []),
    "embeddings-utf8-tokens-only": [EMBEDDINGS, 17, *word(9), 2, 3]
    + sum(([len(t)] + list(t) for t in ("é".encode(), "日本".encode(), b"\x00\xff")), []),
    "embeddings-positions-only": [EMBEDDINGS, 8, *word(9), 1, 2, 1, 97, 1, 98],
    "embeddings-no-tokens": [EMBEDDINGS, 8, *word(9), 0, 0],
    "embeddings-zero-width": [EMBEDDINGS, 0, *word(9), 0, 1, 1, 97],
    # designed heads
    **{f"designed-{name}": [DESIGNED_HEAD, pattern, 64, 16, 2, len(name)] + list(name.encode())
       for name, pattern in (("previous_token", PREVIOUS_TOKEN), ("same_token", SAME_TOKEN),
                             ("first_token", FIRST_TOKEN), ("local_window", LOCAL_WINDOW),
                             ("uniform", UNIFORM))},
    "designed-window-int-max": [DESIGNED_HEAD, LOCAL_WINDOW, 64, 16, 200, *word(0x7FFFFFFF), 0],
    "designed-window-negative": [DESIGNED_HEAD, LOCAL_WINDOW, 64, 16, 200, *word(-3), 0],
    "designed-head-wider-than-model": [DESIGNED_HEAD, PREVIOUS_TOKEN, 8, 16, 2, 7] + list(b"unknown"),
    # scaling study
    "scaling-study": [SCALING_STUDY, 64, 32, *word(42)],
    "scaling-study-one-token": [SCALING_STUDY, 8, 1, *word(42)],
    # gemm
    "gemm-transposed-accumulate": [GEMM, 5, 7, 19, 3] + number(0.5) + [MAG_1, MAG_1, MAG_1],
    "gemm-empty-depth": [GEMM, 3, 0, 4, 2] + number(1) + [MAG_1, MAG_1, MAG_1],
    "gemm-float-max-times-zero-alpha": [GEMM, 2, 3, 2, 1, ZERO, MAG_1, MAG_1, MAG_1,
                                       FLT_MAX, FLT_MAX],
}


# fuzz_training (tests/fuzz/fuzz_training.cpp): config bytes (vocab 2 + b % 15, context 1 + b % 12,
# heads 1 + b % 4, d_head 1 + b % 8, layers 1 + b % 3, flags: 1 mlp, 2 layer norm, 4 indivisible),
# the seed word, replacements (count, then table index, magnitude, values), steps (count, then
# batch, seq_len, tokens, targets, learning-rate code, decay and clip codes), generation.
MLP, LAYER_NORM, INDIVISIBLE = 1, 2, 4


def training_step(batch, seq_len, tokens, targets, lr_code=0):
    return [batch - 1, seq_len] + tokens + targets + [lr_code, 0, 0]


TRAINING_SEEDS = {
    "training-full-model-two-steps": [8, 7, 1, 3, 1, MLP | LAYER_NORM, *word(7), 0, 2]
    + training_step(2, 4, [1, 2, 3, 4, 5, 6, 7, 8], [2, 3, 4, 5, 6, 7, 8, 1])
    + training_step(1, 5, [1, 3, 5, 7, 9], [3, 5, 7, 9, 1]) + [0, 0, 1, 0, 0, 0, 3],
    "training-attention-only-ignored-targets": [4, 5, 0, 7, 0, 0, *word(3), 0, 1]
    + training_step(1, 6, [1, 2, 3, 1, 2, 3], [3, 4, 1, 1, 0, 0]),
    "training-huge-weights": [4, 5, 1, 3, 0, MLP, *word(1), 1, 3, MAG_E30, 1]
    + training_step(1, 3, [1, 2, 3], [2, 3, 4]),
    "training-indivisible-heads": [4, 5, 1, 3, 0, MLP | INDIVISIBLE, *word(1), 0, 0],
    "training-sequence-past-context": [4, 2, 0, 1, 0, 0, *word(1), 0, 1]
    + training_step(1, 4, [1, 1, 1, 1], [2, 2, 2, 2]),
    "training-nan-learning-rate": [4, 5, 0, 1, 0, 0, *word(1), 0, 1]
    + training_step(1, 2, [1, 2], [2, 3], lr_code=1) + [NAN],
}

HERE = pathlib.Path(__file__).resolve().parent


def write(directory, seeds):
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for name, data in seeds.items():
        assert all(0 <= b <= 255 for b in data), name
        (directory / name).write_bytes(bytes(data))
    print(f"wrote {len(seeds)} seeds to {directory}")


def main():
    write(CORPUS, SEEDS)
    write(HERE / "corpus" / "training" / "seeds", TRAINING_SEEDS)


if __name__ == "__main__":
    main()
