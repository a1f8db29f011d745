#pragma once
// OpenSCENARIO parameter variation files as Gauntlet parameters (docs/openscenario.md, "Variation
// files as Gauntlet parameters").
//
// A ParameterValueDistribution (openscenario/distribution.h) becomes scenario parameters
// (parameter_space.h), so every generator, search and statistic works on it, and a point of those
// parameters turns back into the `.xosc` parameter overrides of one run:
//
//   const auto d = openscenario::LoadParameterDistribution("cut-in_parameter_set.xosc");
//   const OpenScenarioParameters p = FromParameterDistribution(d);   // throws core::InputError
//   ParameterSpace space{p.parameters};
//   const openscenario::ParameterSet overrides = p.Overrides(space.NominalPoint());
//   // openscenario::LoadScenario(d.scenario_path, overrides)
//
// Mapping (exact, or refused with an error at the element saying why; never approximated):
//   DeterministicSingleParameterDistribution, DistributionSet of numbers  -> choice of those numbers
//   DeterministicSingleParameterDistribution, DistributionSet with text   -> choice of indices 0..n-1
//   DeterministicSingleParameterDistribution, DistributionRange           -> range lo..hi by step
//   DeterministicMultiParameterDistribution (n ParameterValueSets)         -> choice of indices 0..n-1,
//       named "value_set_<k>" (k from 1, in file order); index i applies the i-th set's assignments
//   UniformDistribution                                                    -> uniform [lo, hi]
//   NormalDistribution (+ Range)                                           -> normal (mean, sqrt variance) truncated
//   LogNormalDistribution (+ Range)                                        -> lognormal (mean, sqrt variance) truncated
//   PoissonDistribution (+ Range)                                          -> poisson (mean) on the Range's integers
//   ProbabilityDistributionSet                                             -> choice (numbers), or of indices (text),
//       with the elements' weights when they differ
//   Histogram of contiguous bins of equal density (weight / width), e.g. one bin -> uniform
//   any other Histogram                                                    -> histogram: the bins sorted, gaps as
//       zero weights, overlapping bins split at every edge with the sum of their densities
// A stochastic parameter's value at unit coordinate u is the value the player draws at u
// (StochasticParameter::Sample maps u through the same laws), except that an equal-weight set and a
// uniform-density histogram, mapped to a plain choice and a uniform, may differ by rounding at the
// edges of their cells. Refused: a parameter given twice.

#include <string>
#include <vector>

#include "openscenario/distribution.h"
#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

/// Gauntlet parameters of a variation file, and the way back to `.xosc` overrides.
struct OpenScenarioParameters {
  /// How one parameter's value becomes overrides.
  struct Binding {
    /// kNumber: the value itself, written as the shortest decimal (ranges, uniform, normal);
    /// kText: the value is an index (or, for numeric choices, the choice) into `texts`, the text as
    /// written in the file; kValueSets: the value is an index into `sets`.
    enum class Kind { kNumber, kText, kValueSets };
    Kind kind = Kind::kNumber;
    std::string name;                                ///< the .xosc parameter (kNumber, kText)
    std::vector<std::string> texts;                  ///< kText: per choice
    std::vector<openscenario::ParameterSet> sets;    ///< kValueSets: per index
  };
  std::vector<Parameter> parameters;  ///< in file order, positioned at their elements
  std::vector<Binding> bindings;      ///< parallel to `parameters`
  std::string scenario_path;          ///< the variation file's ScenarioFile (resolved)

  /// The `.xosc` overrides of `point` (one value per parameter, in order): every parameter's
  /// assignments in file order, a later assignment to a name replacing an earlier one (as
  /// ParameterDistribution::Combinations does). A discrete value off its list maps to the nearest.
  [[nodiscard]] openscenario::ParameterSet Overrides(const std::vector<double>& point) const;
};

/// The Gauntlet parameters of `distribution` (its path and positions are the ones it was read with).
/// Throws core::InputError with every element that cannot be expressed exactly, at its position.
[[nodiscard]] OpenScenarioParameters FromParameterDistribution(const openscenario::ParameterDistribution& distribution);

}  // namespace gauntlet::scenarios
