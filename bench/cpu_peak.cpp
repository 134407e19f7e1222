// The machine's 128-bit limits, measured natively, so the module's product speed can be read
// against them (docs/performance.md, "The products against the machine's peak"):
//   - the clock: a chain of dependent integer adds runs at one add a cycle on every x86-64 core,
//     so adds per second is cycles per second (the frequency the core really ran at, turbo included);
//   - the 128-bit fused multiply-add peak: 12 independent chains of 4-wide FMAs (enough to cover
//     the FMA latency with two FMA units), in GFLOP/s;
//   - the same with a multiply and an add instead (what WebAssembly SIMD128 without relaxed SIMD has).
// Prints one JSON object. Built by ./build.sh bench with -O2 -march=native.
#include <immintrin.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double clock_ghz() {
  constexpr std::int64_t adds = 400'000'000;
  std::uint64_t x = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < adds / 8; ++i) {
    // eight dependent adds per iteration (the loop's own increment runs beside them)
    asm volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  }
  const double elapsed = seconds_since(start);
  return static_cast<double>(adds) / elapsed / 1e9 + 0.0 * static_cast<double>(x);
}

// 12 accumulators in named variables (an array would live in memory and chain through stores).
#define SPOTLIGHT_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

template <bool Fused>
double peak_gflops() {
  constexpr std::int64_t steps = 100'000'000;
#define DECLARE(c) __m128 acc##c = _mm_set1_ps(0.001f * (c));
  SPOTLIGHT_CHAINS(DECLARE)
#undef DECLARE
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t s = 0; s < steps; ++s) {
#define STEP(c) acc##c = Fused ? _mm_fmadd_ps(acc##c, a, b) : _mm_add_ps(_mm_mul_ps(acc##c, a), b);
    SPOTLIGHT_CHAINS(STEP)
#undef STEP
  }
  const double elapsed = seconds_since(start);
  __m128 total = _mm_setzero_ps();
#define SUM(c) total = _mm_add_ps(total, acc##c);
  SPOTLIGHT_CHAINS(SUM)
#undef SUM
  float sink[4];
  _mm_storeu_ps(sink, total);
  if (sink[0] == 12345.0f) std::puts("");  // keeps the result alive
  return static_cast<double>(steps) * 12 * 8.0 / elapsed / 1e9;  // 12 chains x 4 lanes x (mul + add)
}

}  // namespace

int main() {
  const double ghz = clock_ghz();
  const double fused = peak_gflops<true>();
  const double unfused = peak_gflops<false>();
  const double ghz_after = clock_ghz();
  std::printf("{\"clockGhz\": %.3f, \"clockGhzAfter\": %.3f, \"theoreticalPeakGflops\": %.2f, "
              "\"fmaPeakGflops\": %.2f, \"mulAddPeakGflops\": %.2f}\n",
              ghz, ghz_after, 16.0 * (ghz + ghz_after) / 2, fused, unfused);
  return 0;
}
