#pragma once
// Online STL monitoring of safety requirements: fed one sample at a time, it tells as soon as a
// violation is certain, so a run can stop early (`stop_on_violation` in a scenario).
//
// Accepted formulas (Formula::IsOnlineMonitorable): a conjunction (`and`) of parts, each
//   `always[a,b] P`, `always P`, or `P`,
// where P has no future operator (no always, eventually, until, next, s_next inside; past operators,
// prev, rise, fall, comparisons and arithmetic are fine). A part `always[a,b] P` is violated at the
// first sample j with t_j - t_0 in [a,b] and P(j) < 0; a part `P` is decided at the first sample.
// The verdict and the violation time agree exactly with the offline Monitor's
// RequirementResult::first_violation_time_s.
//
//   stl::OnlineMonitor online(formula, trace_signal_names);
//   for (size_t i = 0; i < times.size(); ++i) {   // each simulation step, its row of signal values
//     if (online.Push(times[i], rows[i]) == stl::OnlineVerdict::kViolated) break;   // stop the run
//   }
//
// Caveats: memory grows with the number of samples (the series of every sub-formula is kept);
// Push throws EvaluationError on a division by zero, like the offline monitor. One instance per run.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "verifier/stl/formula.h"

namespace gauntlet::verifier::stl {

namespace internal {
struct Program;
class Evaluation;
}  // namespace internal

enum class OnlineVerdict {
  kUndecided,  ///< later samples may still decide
  kViolated,   ///< certain: the robustness at time 0 is negative
  kSatisfied,  ///< certain: no later sample can violate
};

class OnlineMonitor {
 public:
  /// Monitors `formula` over samples whose values come in the order of `signal_names`. `step`: the
  /// fixed step of the samples (windows in whole steps, as the offline Monitor on a trace with that
  /// core::Trace::fixed_step), 0 for irregular times. Throws core::InputError if the formula is not
  /// online-monitorable or reads a signal not in the list.
  OnlineMonitor(const Formula& formula, std::vector<std::string> signal_names, double step = 0.0);
  ~OnlineMonitor();
  OnlineMonitor(OnlineMonitor&&) noexcept;
  OnlineMonitor& operator=(OnlineMonitor&&) noexcept;

  /// Adds one sample (time strictly increasing; `values` in the order of the signal names) and
  /// returns the verdict so far. Once violated or satisfied, the verdict no longer changes.
  OnlineVerdict Push(double time_s, std::span<const double> values);

  [[nodiscard]] OnlineVerdict verdict() const { return verdict_; }
  /// The time of the sample where the violation became certain.
  [[nodiscard]] std::optional<double> violation_time_s() const { return violation_time_s_; }
  /// The verdict if the trace ended now: violated, or else satisfied.
  [[nodiscard]] bool satisfied_so_far() const { return verdict_ != OnlineVerdict::kViolated; }

 private:
  struct Part;
  std::vector<Part> parts_;
  OnlineVerdict verdict_ = OnlineVerdict::kUndecided;
  std::optional<double> violation_time_s_;
  std::optional<double> first_time_s_;
  size_t samples_ = 0;  ///< samples pushed so far
  std::vector<double> scratch_;
};

}  // namespace gauntlet::verifier::stl
