#pragma once
// Offline STL monitoring: the exact discrete-time robustness of a formula over a whole core::Trace.
//
// Semantics: docs/architecture.md "STL, discrete time" (RTAMT conventions). A sample j is in the window [a,b] of
// sample i iff t_j - t_i lies in [a,b] (future operators) or t_i - t_j does (past operators), computed
// in double precision on the trace's own time stamps, which may be non-uniform. Windows are clipped
// to the trace; an empty window gives the neutral element (+inf for always/historically, -inf for
// eventually/once/until/since). Every operator costs O(n) whatever its window (monotone-deque sliding
// minimum/maximum; until and since by their standard decompositions).
//
//   const auto f = stl::Formula::Parse("always[0, 10] (gap > 2)");
//   const stl::Monitor monitor(f);                       // compile once, share between threads
//   stl::RequirementResult r = monitor.Evaluate(trace);  // r.satisfied, r.robustness, ...
//
// Caveats: a division by zero or a value that is not a number throws EvaluationError (an error of the
// run, never a NaN passed on). Unknown signals throw core::InputError. Robustness may be +inf or -inf
// (empty windows, weak/strong prev and next at the trace ends).

#include <memory>
#include <optional>
#include <vector>

#include "core/trace.h"
#include "verifier/stl/formula.h"

namespace gauntlet::verifier::stl {

namespace internal {
struct Program;
}

/// The outcome of one requirement on one trace.
struct RequirementResult {
  /// Robustness at the first sample (time 0 of the run).
  double robustness = 0.0;
  /// robustness >= 0.
  bool satisfied = true;
  /// For a violated requirement, the first time the violation shows (see FirstViolationTime in
  /// docs/stl.md): for a top-level `always[a,b] phi` (alone or as a part of a top-level `and`), the
  /// first sample time in the window where phi's robustness is negative; for a part with no future
  /// operator, the first sample's time; for any other part, the last sample's time (its verdict needs
  /// the whole trace). The earliest over the violated parts. Empty when satisfied.
  std::optional<double> first_violation_time_s;
  /// The lowest robustness and the first time it occurs: of phi over the window at time 0 for a
  /// top-level `always[a,b] phi`, else of the formula's own robustness series.
  double min_robustness = 0.0;
  double min_robustness_time_s = 0.0;
  /// The averaged robustness an adversarial search minimises (docs/stl.md): equal to `robustness` when
  /// the requirement is violated or the robustness is exactly 0; otherwise, over the parts of a top-level
  /// `and`, the lowest of: for `always[a,b] phi`, the mean of phi's robustness over the window of time
  /// 0 (its samples weighted equally); for any other part, its robustness. So it has the sign of
  /// `robustness` and is never below it, and a run that stays close to a violation for longer scores
  /// lower than one that comes as close for a moment (the "averaged STL" idea of Akazaki and Hasuo,
  /// CAV 2015), which gives a search a slope where the robustness is flat.
  double averaged_robustness = 0.0;

  friend bool operator==(const RequirementResult&, const RequirementResult&) = default;
};

/// The robustness series and the result.
struct MonitorOutput {
  std::vector<double> robustness;  ///< one value per trace sample
  RequirementResult result;
};

/// A compiled formula, ready to evaluate traces. Immutable; Evaluate may be called from many threads.
class Monitor {
 public:
  explicit Monitor(const Formula& formula);

  /// The result on `trace`. Throws core::InputError for signals missing from the trace, EvaluationError
  /// for a division by zero, a value that is not a number or an empty trace.
  [[nodiscard]] RequirementResult Evaluate(const core::Trace& trace) const;
  /// The robustness at every sample and the result.
  [[nodiscard]] MonitorOutput Run(const core::Trace& trace) const;

  [[nodiscard]] const Formula& formula() const { return formula_; }

 private:
  RequirementResult Compute(const core::Trace& trace, std::vector<double>* series) const;

  Formula formula_;
  std::shared_ptr<const internal::Program> program_;
};

}  // namespace gauntlet::verifier::stl
