#pragma once
// Counterexample shrinking: from a failing point, move parameters toward the nominal point while
// the requirement still fails, so the reported case differs from "normal" in as few parameters,
// and by as little, as the evaluator allows.
//
//   ShrinkResult small = ShrinkCounterexample(space, failing_values, failing_robustness, evaluate);
//   // small.values still fails (small.robustness < 0); small.at_nominal lists the parameters reset
//
// Steps, each a deterministic batch for the same BatchEvaluator the search uses:
//   1. together: all free parameters moved a fraction t of the way to nominal (t = 1/8 .. 1); keep
//      the largest t that still fails;
//   2. one at a time: each parameter not yet nominal reset to nominal alone; keep the failing reset
//      with the lowest robustness (first on ties); repeat while one fails;
//   3. bisection: each remaining parameter moved toward nominal along its unit coordinate, a batch
//      of `section_points` fractions per round, keeping the largest that fails.
// A point "fails" when its robustness is < 0; NaN (an errored instance) does not fail.
// Caveats: the result is a local minimum of "distance to nominal", not a global one; choice
// parameters are only tried at nominal (their values have no order).

#include <cstddef>
#include <vector>

#include "scenarios/generators/adversarial_search.h"
#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

/// Options of ShrinkCounterexample. Every field has a default, so {} is valid.
struct ShrinkOptions {
  size_t budget = 200;          ///< at most this many evaluations
  size_t section_points = 7;    ///< points per bisection round (the interval shrinks (n+1)-fold)
  size_t bisection_rounds = 3;  ///< rounds per parameter
};

/// The smallest failing case found.
struct ShrinkResult {
  std::vector<double> values{};                 ///< the minimal failing point
  double robustness = 0.0;                      ///< its robustness (< 0), or the input's if nothing moved
  std::vector<size_t> at_nominal{};             ///< free parameters now exactly at nominal, ascending
  std::vector<SearchEvaluation> evaluations{};  ///< every evaluation made, in order (generation = batch)
};

/// Shrinks `failing` (robustness `robustness` < 0) toward the nominal point.
[[nodiscard]] ShrinkResult ShrinkCounterexample(const ParameterSpace& space, const std::vector<double>& failing,
                                                double robustness, const BatchEvaluator& evaluate,
                                                const ShrinkOptions& options = {});

}  // namespace gauntlet::scenarios
