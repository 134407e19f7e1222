// Does this toolchain's relaxed-SIMD fused multiply-add run in today's engines? One f32x4 FMA
// (__builtin_wasm_fma_f32x4, clang's name for relaxed_madd) in a function exported to JS.
// Built and run by bench/relaxed_simd_probe.sh.
#include <wasm_simd128.h>

__attribute__((export_name("fma_lane0"))) float fma_lane0(float x) {
  const v128_t a = wasm_f32x4_splat(x);
  return wasm_f32x4_extract_lane(__builtin_wasm_fma_f32x4(a, a, a), 0);
}
