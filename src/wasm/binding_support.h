// What every Embind binding file shares: the memory cap check made before allocating, guarded()
// which turns C++ exceptions into JavaScript Errors, and copies out of the wasm heap.
//
// Errors: the core throws std::invalid_argument; every binding catches it, lets every C++ frame
// unwind, and only then throws a JS Error with the same message, so the module stays usable.
// The module is built with -fwasm-exceptions (see src/wasm/CMakeLists.txt for the measurement).
#pragma once

#include <emscripten/val.h>
#include <malloc.h>

#include <initializer_list>
#include <new>
#include <string>

#include "attention/multi_head.h"
#include "base/matrix.h"

namespace spotlight_wasm {

using emscripten::val;
using spotlight::Index;

// A byte count in full ("320000000000 bytes"), not in the stream's default "3.2e+11".
std::string whole_bytes(double bytes);

// The module's memory cap in bytes, in full.
std::string memory_limit();

// The module's memory is capped (MAXIMUM_MEMORY, src/wasm/CMakeLists.txt). A request whose largest
// arrays alone, `floats` float32 values described by `what`, exceed the cap is refused here,
// before anything is allocated; one that fits the cap but not what is free fails in malloc, and
// guarded() reports that. `advice` says what would fit.
void require_memory(double floats, const std::string& what, const char* advice);

// The advice of guarded()'s out-of-memory message for the attention calls.
constexpr const char* fewer_tokens_or_tiled_advice = "try fewer tokens, or returnWeights: false";

// Runs `body`; a C++ exception becomes a JS Error with its message, thrown once every C++ frame of
// `body` has unwound (so nothing leaks). `advice` completes the message of std::bad_alloc.
template <typename Body>
auto guarded(Body&& body, const char* advice = fewer_tokens_or_tiled_advice) -> decltype(body()) {
  std::string message;
  try {
    return body();
  } catch (const std::bad_alloc&) {
    message = "out of memory: the request needs more than is free in the module's memory (limit " +
              memory_limit() + ", " + whole_bytes(static_cast<double>(mallinfo().uordblks)) +
              " in use); " + advice;
  } catch (const std::exception& error) {
    message = error.what();
  }
  val::global("Error").new_(message).throw_();
}

// A copy, valid after the wasm heap grows (a typed_memory_view would not be): a Float32Array,
// Int32Array, Float64Array or Uint8Array as T is float, std::int32_t, double or std::uint8_t.
template <typename T>
val to_typed_array(const T* data, std::size_t count) {
  return val(emscripten::typed_memory_view(count, data)).call<val>("slice");
}

inline val to_float32_array(const float* data, Index count) {
  return to_typed_array(data, static_cast<std::size_t>(count));
}

// {data: Float32Array, shape: [...]}: `data` holds the values in row-major order of `shape`.
val to_tensor(const float* data, std::initializer_list<Index> shape);

// Every intermediate of a trace, each member of the heads stacked into one tensor of shape
// (n_heads, rows, cols): {scale, q, k, v, rawScores, scaledScores, maskedScores, expScores,
// rowMax, rowSum (n_heads, n_q), weights, headOutputs, concat, output (n_q, d_model)}.
val trace_to_js(const spotlight::AttentionTrace& trace);

}  // namespace spotlight_wasm
