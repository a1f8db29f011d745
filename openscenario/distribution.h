#pragma once
// OpenSCENARIO parameter variation files (ParameterValueDistribution): which scenario they vary and
// the deterministic parameter sets they define (docs/openscenario.md, "Parameter variation files").
//
//   const ParameterDistribution d = LoadParameterDistribution("cut-in_parameter_set.xosc");
//   for (const auto& set : d.Combinations()) {
//     const Scenario s = LoadScenario(d.scenario_path, set);   // one run per set
//   }

#include <string>
#include <utility>
#include <vector>

namespace gauntlet::openscenario {

/// A parameter name and the value to give it.
using ParameterSet = std::vector<std::pair<std::string, std::string>>;

/// A Deterministic ParameterValueDistribution.
struct ParameterDistribution {
  std::string path;           ///< the distribution file
  std::string scenario_path;  ///< ScenarioFile, resolved relative to the distribution file
  /// DeterministicMultiParameterDistributions: each one's value sets (ParameterValueSet elements).
  std::vector<std::vector<ParameterSet>> multi;
  /// DeterministicSingleParameterDistributions: a parameter and its values (a DistributionSet's
  /// elements, or a DistributionRange from lowerLimit to upperLimit by stepWidth).
  std::vector<std::pair<std::string, std::vector<std::string>>> single;

  /// Every combination: one value set of each multi-parameter distribution and one value of each
  /// single-parameter one, in file order with the last distribution varying fastest.
  [[nodiscard]] std::vector<ParameterSet> Combinations() const;
};

/// Whether `path` is a parameter variation file (its root holds a ParameterValueDistribution).
/// Throws core::InputError when it cannot be read or is not well-formed XML.
[[nodiscard]] bool IsParameterDistribution(const std::string& path);

/// Reads a parameter variation file. A Stochastic distribution, or anything else not listed above, is
/// an error at its position; more than 100,000 combinations is an error. Throws core::InputError.
[[nodiscard]] ParameterDistribution LoadParameterDistribution(const std::string& path);

}  // namespace gauntlet::openscenario
