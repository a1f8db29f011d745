#pragma once
// Formal checks on a models::Model, for `gauntlet prove` and the scenarios' `formal:` section.
//
//   auto model = models::Model::LoadModel("zoo/acc_good.onnx");   // gap_m, speed_mps, closing_speed_mps
//   formal::FormalCheckResult r = formal::OutputBoundsCheck(*model, {0, 0, -15}, {150, 40, 40}, {-9.5}, {3.5}, 10.0);
//   // r.verdict: kHolds (every input in the box gives outputs within the limits), kViolated (with a
//   // counterexample the model's own forward pass confirms), kUnknown or kTimeout.
//
//   formal::LocalRobustnessSpec spec{.point = obs, .epsilon = {0.05}, .mode = formal::RobustnessMode::kOutputDelta,
//                                    .delta = 0.5};
//   formal::FormalCheckResult rr = formal::LocalRobustnessCheck(*model, spec, 5.0);
//
// All functions are thread-safe (the model is shared, every call has its own scratch). The time
// budget only decides when to give up (kTimeout); verdicts never depend on timing otherwise.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/fields.h"

#include "models/model.h"
#include "verifier/formal/branch_and_bound.h"
#include "verifier/formal/vnnlib.h"

namespace gauntlet::verifier::formal {

/// The result of a formal check.
struct FormalCheckResult {
  Verdict verdict = Verdict::kUnknown;
  std::vector<double> counterexample_input;   ///< when kViolated
  std::vector<double> counterexample_output;  ///< the model's outputs there (plain forward pass)
  std::vector<double> output_lo;              ///< sound output bounds over the input box (CROWN)
  std::vector<double> output_hi;
  int64_t boxes = 0;                          ///< branch-and-bound boxes explored
  std::string detail;                         ///< one line for humans
};

/// Proves or refutes: for every input x in [input_lo, input_hi], output_min[j] <= y_j(x) <= output_max[j]
/// (infinite limits mean unbounded). Sizes must match the model (InputError otherwise).
[[nodiscard]] FormalCheckResult OutputBoundsCheck(const models::Model& model, const std::vector<double>& input_lo,
                                                  const std::vector<double>& input_hi,
                                                  const std::vector<double>& output_min,
                                                  const std::vector<double>& output_max, double time_budget_s,
                                                  int threads = 0);

/// What local robustness means.
enum class RobustnessMode {
  kOutputDelta,   ///< every output changes by at most delta: |y_j(x) - y_j(point)| <= delta
  kArgmaxStable,  ///< the index of the largest output stays that of `point` (ties count as a change)
  kArgminStable,  ///< the index of the smallest output stays that of `point` (ACAS Xu advisories)
};
/// The modes' names in scenario files: "output_delta", "argmax_stable", "argmin_stable".
[[nodiscard]] std::span<const core::EnumName<RobustnessMode>> EnumNames(RobustnessMode);

/// Local robustness around one point: every x with |x_i - point_i| <= epsilon_i.
struct LocalRobustnessSpec {
  std::vector<double> point;
  std::vector<double> epsilon;  ///< one per input, or a single value for all inputs
  RobustnessMode mode = RobustnessMode::kOutputDelta;
  double delta = 0.0;           ///< for kOutputDelta
};

/// Proves or refutes local robustness of `model` at `spec.point`.
[[nodiscard]] FormalCheckResult LocalRobustnessCheck(const models::Model& model, const LocalRobustnessSpec& spec,
                                                     double time_budget_s, int threads = 0);

/// Decides a VNN-LIB property on a model (the engine of `gauntlet prove`).
[[nodiscard]] ProveResult ProveModel(const models::Model& model, const VnnlibProperty& property,
                                     const ProveOptions& options);

/// The model's plain forward pass as a ForwardPass (thread-safe: a fresh workspace per call).
[[nodiscard]] ForwardPass MakeForwardPass(const models::Model& model);

}  // namespace gauntlet::verifier::formal
