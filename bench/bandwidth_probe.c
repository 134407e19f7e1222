// The machine's memory read bandwidth, one thread: sums a float array far larger than the caches
// (1 GiB by default) with 128-bit vectors, best of several passes. The bound it gives: generating
// one GPT-2 token reads every weight once (124.4 M floats, 498 MB), so tokens/s <= bandwidth / 498 MB.
// One source for both builds (bench/bandwidth_probe.sh): natively with cc -O2 (SSE), and with emcc
// -msimd128 (f32x4), run in Node.js and headless Chromium. Prints one JSON object.
//   bandwidth_probe [MiB] [passes]
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
static double now_seconds(void) { return emscripten_get_now() / 1000.0; }
#else
#include <time.h>
static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
#endif

// Four floats in one 128-bit register: SSE natively, f32x4 in WebAssembly SIMD128.
typedef float f32x4 __attribute__((vector_size(16), may_alias));

// values: count floats, 16-byte aligned, count a multiple of 32. Eight independent sums, so that
// the adds' latency hides behind the loads and memory is the limit.
static float sum_floats(const float *values, size_t count) {
  const f32x4 *v = (const f32x4 *)values;
  f32x4 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0}, s5 = {0}, s6 = {0}, s7 = {0};
  for (size_t i = 0; i < count / 4; i += 8) {
    s0 += v[i];
    s1 += v[i + 1];
    s2 += v[i + 2];
    s3 += v[i + 3];
    s4 += v[i + 4];
    s5 += v[i + 5];
    s6 += v[i + 6];
    s7 += v[i + 7];
  }
  const f32x4 s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  return (s[0] + s[1]) + (s[2] + s[3]);
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const size_t mebibytes = argc > 1 ? (size_t)atol(argv[1]) : 1024;
  const int passes = argc > 2 ? atoi(argv[2]) : 10;
  const size_t bytes = mebibytes << 20;
  const size_t count = bytes / sizeof(float);
  float *values = aligned_alloc(64, bytes);
  if (values == NULL || passes < 1 || passes > 100) {
    fprintf(stderr, "bandwidth_probe: cannot allocate %zu MiB (or %d passes is not 1..100)\n", mebibytes, passes);
    return 1;
  }
  // Small integers keep every partial sum exact; writing every page maps it before the timing.
  for (size_t i = 0; i < count; ++i) values[i] = (float)(i % 4);
  double rates[100];
  float checksum = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const double start = now_seconds();
    checksum += sum_floats(values, count);
    rates[pass] = (double)bytes / (now_seconds() - start) / 1e9;
  }
  qsort(rates, (size_t)passes, sizeof rates[0], compare_doubles);
  printf("{\"bytes\":%zu,\"passes\":%d,\"best_gb_per_s\":%.2f,\"median_gb_per_s\":%.2f,\"checksum\":%.0f}\n", bytes,
         passes, rates[passes - 1], rates[passes / 2], (double)checksum);
  free(values);
  return 0;
}
