#include "binding_support.h"

#include <emscripten/heap.h>

#include <iomanip>
#include <sstream>

#include "errors.h"

namespace spotlight_wasm {

std::string whole_bytes(double bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << bytes << " bytes";
  return out.str();
}

std::string memory_limit() { return whole_bytes(static_cast<double>(emscripten_get_heap_max())); }

void require_memory(double floats, const std::string& what, const char* advice) {
  const double bytes = floats * static_cast<double>(sizeof(float));
  spotlight::require(bytes <= static_cast<double>(emscripten_get_heap_max()), what, " need ",
                     whole_bytes(bytes), ", more than the module's memory limit of ",
                     memory_limit(), advice);
}

val to_tensor(const float* data, std::initializer_list<Index> shape) {
  Index count = 1;
  val dims = val::array();
  for (const Index dim : shape) {
    count *= dim;
    dims.call<void>("push", static_cast<double>(dim));
  }
  val tensor = val::object();
  tensor.set("data", to_float32_array(data, count));
  tensor.set("shape", dims);
  return tensor;
}

}  // namespace spotlight_wasm
