#pragma once
// Offline STL monitoring: the exact discrete-time robustness of a formula over a whole core::Trace.
//
// Semantics: docs/architecture.md "STL, discrete time" (RTAMT conventions). A sample j is in the window [a,b] of
// sample i iff its offset t_j - t_i (future operators; t_i - t_j for past ones) lies in [a,b] up to a
// relative tolerance of 1e-9 of the bound (docs/stl.md, "Windows"); on a trace with a fixed step
// (core::Trace::fixed_step) the offset is counted in whole steps, (j - i)*step, so a bound on a sample
// time holds that sample whatever the rounding of k*step. Windows are clipped to the trace; an empty window gives the neutral element (+inf for always/historically, -inf for
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
#include <span>
#include <utility>
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
  /// Set by EvaluateTruncated when the trace ended before its nominal horizon: the interval [lo, hi]
  /// that holds the robustness at time 0 of every completion of the trace (unknown signal values
  /// anywhere in [-inf, +inf]). Then `satisfied` is lo >= 0, a violation needs hi < 0, and otherwise
  /// `inconclusive` is set (docs/stl.md, "Early stops").
  std::optional<std::pair<double, double>> robustness_bounds;
  /// Neither satisfied nor violated by every completion of a truncated trace: `satisfied` is false,
  /// `robustness` and `averaged_robustness` are the lower bound, no first violation time.
  bool inconclusive = false;

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
  /// The result on a fixed-step trace that ended early: it would have had `nominal_samples` samples
  /// (a simulation's steps + 1). When the trace is shorter, the samples after its end are unknown and
  /// the verdict holds for every completion (RequirementResult::robustness_bounds): pass if the lower
  /// bound is >= 0, fail if the upper bound is < 0, else inconclusive. A pass or a fail keeps the
  /// robustness of the recorded trace (brought into the bounds), its first violation time (else the
  /// last sample's time) and its minimum. A complete trace gives exactly Evaluate's result.
  [[nodiscard]] RequirementResult EvaluateTruncated(const core::Trace& trace, size_t nominal_samples) const;

  [[nodiscard]] const Formula& formula() const { return formula_; }

 private:
  RequirementResult Compute(const core::Trace& trace, std::vector<double>* series) const;
  /// The trace's columns of the program's signals; core::InputError for a missing one.
  std::vector<std::span<const double>> BindColumns(const core::Trace& trace) const;

  Formula formula_;
  std::shared_ptr<const internal::Program> program_;
};

}  // namespace gauntlet::verifier::stl
