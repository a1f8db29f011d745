#pragma once
// Failure-rate statistics for random sampling: exact Clopper-Pearson intervals and a sequential
// stopping rule.
//
//   Interval ci = ClopperPearson(/*failures=*/0, /*trials=*/10);   // [0, 0.3085] at 95%
//   StoppingRule rule{.target_upper = 0.01, .stop_on_failure = true};
//   if (Decide(rule, failures, trials) != StopDecision::kContinue) StopSampling();
//
// The interval inverts the binomial tail through the regularised incomplete beta function
// (a continued fraction, Lentz's method), so it is exact, not a normal approximation.
// Caveats: looking at the bound after every trial and stopping when it falls under the target
// makes the 95% level nominal, not exact (optional stopping); apply the rule to results in plan
// order so the decision does not depend on thread timing.

#include <cstddef>

namespace gauntlet::scenarios {

/// ln Γ(x) for x > 0 (thread-safe, unlike std::lgamma; error about 1e-14 absolute or 1e-15 relative).
[[nodiscard]] double LogGamma(double x);

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
[[nodiscard]] double RegularizedIncompleteBeta(double a, double b, double x);

/// The x in [0, 1] with I_x(a, b) = p (bisection to double precision).
[[nodiscard]] double BetaQuantile(double p, double a, double b);

/// A closed interval [lo, hi].
struct Interval {
  double lo = 0.0;
  double hi = 1.0;
};

/// The two-sided Clopper-Pearson interval at `confidence` for `failures` failures in `trials`
/// trials (failures <= trials; trials = 0 gives [0, 1]).
[[nodiscard]] Interval ClopperPearson(size_t failures, size_t trials, double confidence = 0.95);

/// When random sampling may stop. Every field has a default, so {} never stops.
struct StoppingRule {
  double target_upper = 0.0;     ///< stop when the upper bound is below this; 0 disables
  bool stop_on_failure = false;  ///< stop at the first failure
  size_t min_trials = 0;         ///< never stop on the bound before this many trials
  double confidence = 0.95;
};

enum class StopDecision { kContinue, kFailureFound, kUpperBoundBelowTarget };

/// The rule's decision after `failures` failures in `trials` trials.
[[nodiscard]] StopDecision Decide(const StoppingRule& rule, size_t failures, size_t trials);

/// The fewest failure-free trials whose upper bound is below `target_upper` (in (0, 1)).
[[nodiscard]] size_t TrialsForUpperBound(double target_upper, double confidence = 0.95);

}  // namespace gauntlet::scenarios
