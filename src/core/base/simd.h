// A 4-wide float vector over the target's SIMD, for the hand-written kernels (gemm.h):
//   WebAssembly SIMD128 when compiled with -msimd128 (Eigen 3.4.0 has no wasm SIMD path, so
//   without these kernels the wasm build's products run scalar);
//   SSE on x86-64, with fused multiply-add when the compiler targets FMA (-march=native);
//   four plain floats otherwise, or when SPOTLIGHT_SCALAR_SIMD is defined - the sanitizer build
//   defines it so that the native tests cover this path too.
// With -mrelaxed-simd (the second kernel module of the wasm build, gemm_kernel.h), multiply_add is
// relaxed SIMD's f32x4.relaxed_madd: fused where the CPU has FMA (one rounding), else mul + add.
// Loads and stores are unaligned.
#pragma once

#if defined(__wasm_simd128__) && !defined(SPOTLIGHT_SCALAR_SIMD)
#include <wasm_simd128.h>
#define SPOTLIGHT_SIMD_WASM 1
#elif defined(__SSE2__) && !defined(SPOTLIGHT_SCALAR_SIMD)
#include <immintrin.h>
#define SPOTLIGHT_SIMD_SSE 1
#else
#include <cmath>
#endif

namespace spotlight::simd {

#if defined(SPOTLIGHT_SIMD_WASM)

struct Float4 {
  v128_t v;
};
inline Float4 load(const float* p) { return {wasm_v128_load(p)}; }
inline void store(float* p, Float4 x) { wasm_v128_store(p, x.v); }
inline Float4 broadcast(float s) { return {wasm_f32x4_splat(s)}; }
inline Float4 multiply_add(Float4 a, Float4 b, Float4 sum) {
#if defined(__wasm_relaxed_simd__)
  return {__builtin_wasm_relaxed_madd_f32x4(a.v, b.v, sum.v)};  // a * b + sum
#else
  return {wasm_f32x4_add(sum.v, wasm_f32x4_mul(a.v, b.v))};
#endif
}
// One lane, for the ragged edges (no buffer in memory: the relaxed module has no stack).
template <int Lane>
inline float lane(Float4 x) {
  return wasm_f32x4_extract_lane(x.v, Lane);
}
inline Float4 add(Float4 a, Float4 b) { return {wasm_f32x4_add(a.v, b.v)}; }
inline Float4 subtract(Float4 a, Float4 b) { return {wasm_f32x4_sub(a.v, b.v)}; }
inline Float4 multiply(Float4 a, Float4 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
// pmax (b > a ? b : a), one maxps on x86, where f32x4.max's NaN and -0 rules cost V8 about eight
// instructions. The operands here are never NaN (the inputs are checked finite).
inline Float4 max(Float4 a, Float4 b) { return {wasm_f32x4_pmax(a.v, b.v)}; }
inline Float4 round_to_integer(Float4 x) { return {wasm_f32x4_nearest(x.v)}; }
// 2^n for integral n in [-126, 127], by writing n + 127 into the exponent bits. n + 1.5 * 2^23 holds
// n in its low mantissa bits, which avoids i32x4.trunc_sat_f32x4 (a long sequence on x86).
inline Float4 power_of_two(Float4 n) {
  constexpr float shifter = 12582912.0f;  // 1.5 * 2^23, bits 0x4B400000
  const v128_t shifted = wasm_f32x4_add(n.v, wasm_f32x4_splat(shifter));
  const v128_t biased = wasm_i32x4_sub(shifted, wasm_i32x4_splat(0x4B400000 - 127));
  return {wasm_i32x4_shl(biased, 23)};
}
// value where x >= limit, else 0
inline Float4 zero_below(Float4 x, float limit, Float4 value) {
  return {wasm_v128_and(wasm_f32x4_ge(x.v, wasm_f32x4_splat(limit)), value.v)};
}
inline Float4 divide(Float4 a, Float4 b) { return {wasm_f32x4_div(a.v, b.v)}; }
inline Float4 abs(Float4 x) { return {wasm_f32x4_abs(x.v)}; }
// x < limit ? below : otherwise, lane by lane
inline Float4 select_below(Float4 x, float limit, Float4 below, Float4 otherwise) {
  return {wasm_v128_bitselect(below.v, otherwise.v, wasm_f32x4_lt(x.v, wasm_f32x4_splat(limit)))};
}
// |magnitude| with the sign of sign (magnitude is >= 0 here)
inline Float4 copy_sign(Float4 magnitude, Float4 sign) {
  return {wasm_v128_bitselect(sign.v, magnitude.v, wasm_i32x4_splat(static_cast<int>(0x80000000u)))};
}
#if defined(__wasm_relaxed_simd__)
constexpr const char* name = "wasm-relaxed-simd";
#else
constexpr const char* name = "wasm-simd128";
#endif

#elif defined(SPOTLIGHT_SIMD_SSE)

struct Float4 {
  __m128 v;
};
inline Float4 load(const float* p) { return {_mm_loadu_ps(p)}; }
inline void store(float* p, Float4 x) { _mm_storeu_ps(p, x.v); }
inline Float4 broadcast(float s) { return {_mm_set1_ps(s)}; }
inline Float4 multiply_add(Float4 a, Float4 b, Float4 sum) {
#if defined(__FMA__)
  return {_mm_fmadd_ps(a.v, b.v, sum.v)};
#else
  return {_mm_add_ps(sum.v, _mm_mul_ps(a.v, b.v))};
#endif
}
template <int Lane>
inline float lane(Float4 x) {
  return _mm_cvtss_f32(_mm_shuffle_ps(x.v, x.v, _MM_SHUFFLE(Lane, Lane, Lane, Lane)));
}
inline Float4 add(Float4 a, Float4 b) { return {_mm_add_ps(a.v, b.v)}; }
inline Float4 subtract(Float4 a, Float4 b) { return {_mm_sub_ps(a.v, b.v)}; }
inline Float4 multiply(Float4 a, Float4 b) { return {_mm_mul_ps(a.v, b.v)}; }
inline Float4 max(Float4 a, Float4 b) { return {_mm_max_ps(a.v, b.v)}; }
// _mm_cvtps_epi32 rounds to nearest even under the default rounding mode.
inline Float4 round_to_integer(Float4 x) { return {_mm_cvtepi32_ps(_mm_cvtps_epi32(x.v))}; }
inline Float4 power_of_two(Float4 n) {
  const __m128i biased = _mm_add_epi32(_mm_cvtps_epi32(n.v), _mm_set1_epi32(127));
  return {_mm_castsi128_ps(_mm_slli_epi32(biased, 23))};
}
inline Float4 zero_below(Float4 x, float limit, Float4 value) {
  return {_mm_and_ps(_mm_cmpge_ps(x.v, _mm_set1_ps(limit)), value.v)};
}
inline Float4 divide(Float4 a, Float4 b) { return {_mm_div_ps(a.v, b.v)}; }
inline Float4 abs(Float4 x) { return {_mm_andnot_ps(_mm_set1_ps(-0.0f), x.v)}; }
inline Float4 select_below(Float4 x, float limit, Float4 below, Float4 otherwise) {
  const __m128 mask = _mm_cmplt_ps(x.v, _mm_set1_ps(limit));
  return {_mm_or_ps(_mm_and_ps(mask, below.v), _mm_andnot_ps(mask, otherwise.v))};
}
inline Float4 copy_sign(Float4 magnitude, Float4 sign) {
  const __m128 sign_bit = _mm_set1_ps(-0.0f);
  return {_mm_or_ps(_mm_and_ps(sign_bit, sign.v), _mm_andnot_ps(sign_bit, magnitude.v))};
}
constexpr const char* name = "sse";

#else

struct Float4 {
  float v[4];
};
inline Float4 load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
inline void store(float* p, Float4 x) {
  for (int i = 0; i < 4; ++i) p[i] = x.v[i];
}
inline Float4 broadcast(float s) { return {{s, s, s, s}}; }
inline Float4 multiply_add(Float4 a, Float4 b, Float4 sum) {
  for (int i = 0; i < 4; ++i) sum.v[i] += a.v[i] * b.v[i];
  return sum;
}
template <int Lane>
inline float lane(Float4 x) {
  return x.v[Lane];
}
template <typename Op>
inline Float4 each(Float4 a, Float4 b, Op op) {
  for (int i = 0; i < 4; ++i) a.v[i] = op(a.v[i], b.v[i]);
  return a;
}
inline Float4 add(Float4 a, Float4 b) { return each(a, b, [](float x, float y) { return x + y; }); }
inline Float4 subtract(Float4 a, Float4 b) { return each(a, b, [](float x, float y) { return x - y; }); }
inline Float4 multiply(Float4 a, Float4 b) { return each(a, b, [](float x, float y) { return x * y; }); }
inline Float4 max(Float4 a, Float4 b) { return each(a, b, [](float x, float y) { return x > y ? x : y; }); }
inline Float4 round_to_integer(Float4 x) {
  for (float& value : x.v) value = std::nearbyint(value);
  return x;
}
inline Float4 power_of_two(Float4 n) {
  for (float& value : n.v) value = std::ldexp(1.0f, static_cast<int>(value));
  return n;
}
inline Float4 zero_below(Float4 x, float limit, Float4 value) {
  for (int i = 0; i < 4; ++i) value.v[i] = x.v[i] >= limit ? value.v[i] : 0.0f;
  return value;
}
inline Float4 divide(Float4 a, Float4 b) { return each(a, b, [](float x, float y) { return x / y; }); }
inline Float4 abs(Float4 x) {
  for (float& value : x.v) value = std::fabs(value);
  return x;
}
inline Float4 select_below(Float4 x, float limit, Float4 below, Float4 otherwise) {
  for (int i = 0; i < 4; ++i) otherwise.v[i] = x.v[i] < limit ? below.v[i] : otherwise.v[i];
  return otherwise;
}
inline Float4 copy_sign(Float4 magnitude, Float4 sign) {
  for (int i = 0; i < 4; ++i) magnitude.v[i] = std::copysign(magnitude.v[i], sign.v[i]);
  return magnitude;
}
constexpr const char* name = "scalar";

#endif

}  // namespace spotlight::simd

namespace spotlight::simd {

// exp(x) for x <= 0, four at a time, with exp(-inf) and anything below -87 exactly 0 (so masked
// logits give exact zeros, as the softmax's contract requires). Range reduction
// x = n ln2 + r with |r| <= ln2/2 (ln2 split in two parts for precision), then e^r by its Taylor
// polynomial of degree 6 (relative error below 1.3e-7, about one float ulp), times 2^n.
inline Float4 exp_nonpositive(Float4 x) {
  constexpr float lowest = -87.0f;  // exp(-87) ~ 1.6e-38, still a normal float
  const Float4 clamped = max(x, broadcast(lowest));
  const Float4 n = round_to_integer(multiply(clamped, broadcast(1.44269504088896341f)));
  Float4 r = subtract(clamped, multiply(n, broadcast(0.693359375f)));
  r = subtract(r, multiply(n, broadcast(-2.12194440e-4f)));
  Float4 p = broadcast(1.0f / 720.0f);
  p = multiply_add(p, r, broadcast(1.0f / 120.0f));
  p = multiply_add(p, r, broadcast(1.0f / 24.0f));
  p = multiply_add(p, r, broadcast(1.0f / 6.0f));
  p = multiply_add(p, r, broadcast(0.5f));
  p = multiply_add(p, r, broadcast(1.0f));
  p = multiply_add(p, r, broadcast(1.0f));
  return zero_below(x, lowest, multiply(p, power_of_two(n)));
}

// tanh(u), four at a time, and 1 - tanh^2(u) (its derivative), for GELU (transformer_ops.cpp).
// Where |u| >= 1/8: with e = exp(-2|u|) in (0, 1], tanh|u| = (1 - e) / (1 + e) and
// 1 - tanh^2 = 4 e / (1 + e)^2 (from e directly, so it keeps its relative precision where tanh is
// near 1 and 1 - tanh^2 would cancel). Below 1/8, where 1 - e would cancel: the Taylor series
// u - u^3/3 + 2u^5/15 - 17u^7/315 (next term under 2e-10 there). |u| = inf gives exactly +-1 and 0.
inline Float4 tanh(Float4 u, Float4* one_minus_square = nullptr) {
  const Float4 one = broadcast(1.0f);
  const Float4 a = abs(u);
  const Float4 e = exp_nonpositive(multiply(a, broadcast(-2.0f)));
  const Float4 denominator = add(one, e);
  const Float4 large = divide(subtract(one, e), denominator);
  const Float4 a2 = multiply(a, a);
  Float4 p = broadcast(-17.0f / 315.0f);
  p = multiply_add(p, a2, broadcast(2.0f / 15.0f));
  p = multiply_add(p, a2, broadcast(-1.0f / 3.0f));
  p = multiply_add(p, a2, one);
  const Float4 small = multiply(a, p);
  const Float4 magnitude = select_below(a, 0.125f, small, large);
  if (one_minus_square != nullptr) {
    const Float4 large_derivative =
        divide(multiply(broadcast(4.0f), e), multiply(denominator, denominator));
    *one_minus_square =
        select_below(a, 0.125f, subtract(one, multiply(small, small)), large_derivative);
  }
  return copy_sign(magnitude, u);
}

}  // namespace spotlight::simd
