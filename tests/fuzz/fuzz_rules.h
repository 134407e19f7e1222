// The rules every call into the core must keep, whatever the fuzzer feeds it. A broken rule prints
// what broke and traps, so libFuzzer reports the input and saves it as a crash file.
//
//   - A call either returns or throws std::invalid_argument with a message; any other exception
//     breaks a rule, and so does a crash or undefined behaviour (the sanitizers catch those).
//   - Weights are finite, in [0, 1], exactly 0 where a mask hides the key, and each row sums to 1,
//     or is all zeros when the mask hides every key of that query.
//   - Outputs are finite: each row is a weighted average of the visible rows of v.
//   - Two computations of the same attention (full and tiled kernels, the naive reference,
//     the trace) agree within the rounding that their logits allow (logit_error).
#pragma once

#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "attention/attention.h"
#include "base/errors.h"
#include "base/matrix.h"
#include "reference.h"

namespace fuzz {

using spotlight::AttentionOptions;
using spotlight::Index;
using spotlight::Matrix;
using spotlight::MatrixView;

[[noreturn]] void broken(const std::string& rule);

template <typename... Parts>
void rule(bool kept, const Parts&... description) {
  if (!kept) broken(spotlight::concat(description...));
}

// The message of the last rejection completes() saw, for rules about why a call was rejected.
extern std::string last_rejection;

// Runs call(); returns true when it returned, false when it threw std::invalid_argument with a
// non-empty message. Any other exception breaks a rule.
template <typename Call>
bool completes(const char* entry_point, Call&& call) {
  try {
    call();
    return true;
  } catch (const std::invalid_argument& error) {
    rule(std::strlen(error.what()) > 0, entry_point,
         " threw std::invalid_argument without a message");
    last_rejection = error.what();
    return false;
  } catch (const std::exception& error) {
    broken(spotlight::concat(entry_point, " threw ", typeid(error).name(), ": ", error.what()));
  } catch (...) {
    broken(spotlight::concat(entry_point, " threw something that is not a std::exception"));
  }
}

// The rule of a rejection of someone else's file (config.json, model.safetensors): a sentence that
// says what is wrong, at most `longest` bytes; it never dumps the file into the message. `what`:
// the input, for the report.
void check_file_rejection(const std::string& message, std::size_t longest, const char* what);

// True when a rejection of finite, well-shaped input says that a result would leave float's range.
bool rejected_for_float_range(const std::string& message);

// Whether `options`' masks let query `query` see key `key`.
bool visible(const AttentionOptions& options, Index query, Index key);

// weights (n_q, n_k) of one head, under `options`' masks.
void check_weights(const MatrixView& weights, const AttentionOptions& options, const char* where);

// output (n_q, d_v) against v (n_k, d_v): finite, each entry within the range of its column over
// the visible keys (up to rounding), and exactly 0 in a row whose keys are all masked.
void check_output(const MatrixView& output, const MatrixView& v, const AttentionOptions& options,
                  const char* where);

// A bound on the relative rounding of the weights that float logits q.k * logit_scale cause: a
// dot product of length d_k is off by up to about d_k float ulps of |q_i| |k_j|, and exp turns an
// absolute error in a logit into that relative error in a weight. Comparisons are meaningful
// only when it is small (huge logits make near-ties that any rounding can flip).
double logit_error(const MatrixView& q, const MatrixView& k, float logit_scale);

// The tolerance for comparing two outputs of the same attention, from logit_error and |v|.
double output_tolerance(double logit_error, const MatrixView& v);

// |actual - expected| <= tolerance everywhere, else the first cell is reported.
void check_close_to_reference(const MatrixView& actual, const reference::Dense& expected,
                              double tolerance, const char* what);
void check_close(const MatrixView& actual, const MatrixView& expected, double tolerance,
                 const char* what);

bool all_finite(const MatrixView& values);

}  // namespace fuzz
