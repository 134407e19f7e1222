// The second kernel module of the wasm build: gemm_kernel.h's product compiled by Debian's clang-16
// with -mrelaxed-simd, so that simd.h's multiply_add is f32x4.relaxed_madd (fused where the CPU has
// FMA). Emscripten 3.1.6's LLVM 14 emits relaxed SIMD only with pre-standard opcodes that engines
// reject (docs/performance.md), hence a separate compiler and a separate module: built by
// src/wasm/CMakeLists.txt (clang-16 -c, then wasm-ld-16 --import-memory), embedded in attention.js,
// and installed by src/wasm/kernel_paths.js where WebAssembly.validate accepts it.
//
// The module imports only the main module's memory. It has no stack of its own (linked with
// --stack-first -z stack-size=0, so the stack pointer is 0 and any use of the stack would trap
// rather than write over the main module's memory): the kernel keeps everything in locals.
#include "kernels/gemm_kernel.h"

#if !defined(__wasm_relaxed_simd__)
#error "build this file with -mrelaxed-simd"
#endif

// The same blocks as the built-in kernel (gemm.cpp), so the two paths differ only in the
// multiply-add: measured against (3, 16), (4, 8) and (6, 8) with relaxed_madd in Node.js on this
// project's machine, none was faster at the products the module runs (docs/performance.md).
extern "C" __attribute__((export_name("gemm"))) void spotlight_relaxed_gemm(
    const spotlight::kernel::GemmArgs* args) {
  spotlight::kernel::gemm<2, 4>(*args);
}
