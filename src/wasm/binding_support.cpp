#include "binding_support.h"

#include <emscripten/heap.h>

#include <iomanip>
#include <sstream>

#include "base/errors.h"

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

val trace_to_js(const spotlight::AttentionTrace& trace) {
  using spotlight::Matrix;
  using spotlight::HeadTrace;
  const auto n_heads = static_cast<Index>(trace.heads.size());
  const Index d_head = trace.heads.front().q.cols(), d_model = trace.concat.cols();
  const Index n_q = trace.concat.rows(), n_k = trace.heads.front().k.rows();
  // Stack one member of every head into (n_heads * rows, cols): shape (n_heads, rows, cols).
  const auto stacked = [&](Matrix HeadTrace::*member, Index rows, Index cols) {
    Matrix all(n_heads * rows, cols);
    for (Index head = 0; head < n_heads; ++head) {
      all.middleRows(head * rows, rows) = trace.heads[static_cast<std::size_t>(head)].*member;
    }
    return to_tensor(all.data(), {n_heads, rows, cols});
  };
  const auto stacked_rows = [&](Eigen::VectorXf HeadTrace::*member) {
    Matrix all(n_heads, n_q);
    for (Index head = 0; head < n_heads; ++head) {
      all.row(head) = (trace.heads[static_cast<std::size_t>(head)].*member).transpose();
    }
    return to_tensor(all.data(), {n_heads, n_q});
  };
  val out = val::object();
  out.set("scale", trace.scale);
  out.set("q", stacked(&HeadTrace::q, n_q, d_head));
  out.set("k", stacked(&HeadTrace::k, n_k, d_head));
  out.set("v", stacked(&HeadTrace::v, n_k, d_head));
  out.set("rawScores", stacked(&HeadTrace::raw_scores, n_q, n_k));
  out.set("scaledScores", stacked(&HeadTrace::scaled_scores, n_q, n_k));
  out.set("maskedScores", stacked(&HeadTrace::masked_scores, n_q, n_k));
  out.set("expScores", stacked(&HeadTrace::exp_scores, n_q, n_k));
  out.set("rowMax", stacked_rows(&HeadTrace::row_max));
  out.set("rowSum", stacked_rows(&HeadTrace::row_sum));
  out.set("weights", stacked(&HeadTrace::weights, n_q, n_k));
  out.set("headOutputs", stacked(&HeadTrace::output, n_q, d_head));
  out.set("concat", to_tensor(trace.concat.data(), {n_q, d_model}));
  out.set("output", to_tensor(trace.output.data(), {n_q, d_model}));
  return out;
}

}  // namespace spotlight_wasm
