// Chooses, once at load, which kernel runs the module's matrix products (src/core/kernels/gemm.h: attention's
// q k^T and weights v, the projections, and every product of training, forward and backward), and
// reports the choice as module.simd:
//   'relaxed-simd'  the second kernel module (src/wasm/relaxed/relaxed_kernels.cpp, embedded by
//                   --pre-js as spotlightRelaxedKernelBase64), whose multiply-adds are relaxed SIMD's
//                   f32x4.relaxed_madd, fused where the CPU has FMA: used where WebAssembly.validate
//                   accepts its bytes (Chromium, Firefox; Node.js 20 only when started with
//                   --experimental-wasm-relaxed-simd or given it by v8.setFlagsFromString before the
//                   module is created; newer Node.js has it on);
//   'simd128'       the module's own SIMD128 kernel (multiply, then add): everywhere else (Safari,
//                   older engines), and wherever it is asked for.
// createAttentionModule({ simd: 'simd128' }) asks for the second; { simd: 'relaxed-simd' } requires
// the first (the promise rejects where the engine lacks it); 'auto', the default, picks the first
// where it validates. Alongside: module.relaxedSimdSupported (what validate said) and
// module.simdReason (why this path, in words, for the page's Scaling panel).
//
// The kernel module imports the module's own WebAssembly.Memory (so it reads and writes the same
// heap) and its product is added to the module's function table; the core then calls it through a
// function pointer (set_gemm_kernel), at the cost of one indirect call per product.

/* global Module, wasmMemory, wasmTable, readyPromiseReject, spotlightRelaxedKernelBase64 */
(function installKernelPaths(module) {
  'use strict';

  const CHOICES = ['auto', 'relaxed-simd', 'simd128'];
  const requested = module.simd === undefined ? 'auto' : module.simd;

  function decodeBase64(text) {
    if (typeof atob === 'function') {
      const binary = atob(text);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
      return bytes;
    }
    return new Uint8Array(Buffer.from(text, 'base64'));  // Node.js before 16
  }

  const kernelBytes = decodeBase64(spotlightRelaxedKernelBase64);
  let supported = false;
  try {
    supported = WebAssembly.validate(kernelBytes);
  } catch (error) {
    supported = false;
  }
  module.relaxedSimdSupported = supported;
  module.simd = 'simd128';  // until the module is ready and the choice is made
  module.simdReason = 'the module is starting';

  function refuse(message) {
    module.simdReason = message;
    readyPromiseReject(new Error(message));
  }
  if (!CHOICES.includes(requested)) {
    const shown = typeof requested === 'string' ? `"${requested}"` : String(requested);
    refuse(`createAttentionModule: option simd must be one of ${CHOICES.join(', ')}, got ${shown}`);
    return;
  }
  if (requested === 'relaxed-simd' && !supported) {
    refuse('createAttentionModule: simd "relaxed-simd" was asked for, but this engine does not ' +
           'validate relaxed SIMD (Node.js 20 needs --experimental-wasm-relaxed-simd); ' +
           'use "auto" or "simd128"');
    return;
  }

  module.ready.then(() => {
    const setKernel = module.rawSetGemmKernel;
    const kernelName = module.rawGemmKernelName;
    delete module.rawSetGemmKernel;
    delete module.rawGemmKernelName;
    if (requested === 'simd128') {
      module.simdReason = 'SIMD128 (multiply, then add), as asked for';
      return;
    }
    if (!supported) {
      module.simdReason = 'SIMD128 (multiply, then add): this engine does not validate relaxed SIMD';
      return;
    }
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes),
                                                { env: { memory: wasmMemory } });
      const index = wasmTable.length;
      wasmTable.grow(1);
      wasmTable.set(index, instance.exports.gemm);
      setKernel(index);
      if (kernelName() !== 'wasm-relaxed-simd') throw new Error(`the core reports ${kernelName()}`);
      module.simd = 'relaxed-simd';
      module.simdReason = 'relaxed SIMD: fused multiply-add (f32x4.relaxed_madd)';
    } catch (error) {
      module.simdReason = `SIMD128 (multiply, then add): the relaxed-SIMD kernel did not start (${error.message})`;
    }
  }, () => {});
})(Module);
