#pragma once
// OpenSCENARIO parameter variation files (ParameterValueDistribution): which scenario they vary and
// the parameter sets they define (docs/openscenario.md, "Parameter variation files" and "Stochastic
// parameter variation files").
//
//   const ParameterDistribution d = LoadParameterDistribution("cut-in_parameter_set.xosc");
//   for (const auto& set : d.Sets()) {
//     const Scenario s = LoadScenario(d.scenario_path, set);   // one run per set
//   }
//
// A Deterministic distribution defines every combination of its value sets and values
// (Combinations). A Stochastic one defines numberOfTestRuns sets drawn from its distributions
// (Samples): run r's value of parameter P is P's distribution's inverse CDF at a unit number drawn
// from core::Rng::ForInstance(seed, "openscenario.stochastic." + P, r), so a file gives the same
// sets on every machine, and a parameter's draws do not change when other parameters are added.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/distributions.h"
#include "core/error.h"

namespace gauntlet::openscenario {

/// A parameter name and the value to give it.
using ParameterSet = std::vector<std::pair<std::string, std::string>>;

/// Where a DeterministicSingleParameterDistribution's values come from.
struct SingleSource {
  core::SourcePos pos;  ///< the DeterministicSingleParameterDistribution element
  bool range = false;   ///< a DistributionRange (else a DistributionSet)
  double lo = 0.0;      ///< range: lowerLimit
  double hi = 0.0;      ///< range: upperLimit
  double step = 0.0;    ///< range: stepWidth
};

/// One StochasticDistribution: a parameter and the distribution its values are drawn from.
struct StochasticParameter {
  enum class Kind {
    kUniform,    ///< UniformDistribution over [lo, hi]
    kNormal,     ///< NormalDistribution (mean, variance), truncated to [lo, hi] when a Range is given
    kLogNormal,  ///< LogNormalDistribution whose own mean and variance are `mean`, `variance`, truncated
    kHistogram,  ///< Histogram: a bin drawn by weight, then a value uniform in the bin
    kSet,        ///< ProbabilityDistributionSet: an element drawn by weight
    kPoisson,    ///< PoissonDistribution (mean), truncated to the integers in [lo, hi]
  };
  /// A Histogram bin: [lo, hi) with a weight.
  using Bin = core::HistogramBin;
  std::string name;  ///< parameterName
  Kind kind = Kind::kUniform;
  double lo = -std::numeric_limits<double>::infinity();  ///< Range lowerLimit (-inf without a Range)
  double hi = std::numeric_limits<double>::infinity();   ///< Range upperLimit (+inf without a Range)
  bool has_range = false;                                ///< a Range element was given
  double mean = 0.0;                                     ///< expectedValue
  double variance = 0.0;                                 ///< variance (normal, log-normal)
  std::vector<Bin> bins;                                 ///< histogram, in file order
  std::vector<std::pair<std::string, double>> elements;  ///< set: value and weight, in file order
  core::SourcePos pos;                                   ///< the StochasticDistribution element
  core::SourcePos kind_pos;                              ///< its distribution element (NormalDistribution, ...)

  /// The value at unit number u in (0, 1): the inverse of the distribution's CDF (the smallest value
  /// whose CDF exceeds u for the discrete kinds; a histogram's bins taken in the order of their
  /// values), formatted as FormatNumber does; set elements as written. The laws are core/normal.h's
  /// and core/distributions.h's, the same as the Gauntlet parameters of the file
  /// (scenarios/openscenario_parameters.h) map u through.
  [[nodiscard]] std::string Sample(double u) const;
  /// The same as a number (not for a set).
  [[nodiscard]] double SampleNumber(double u) const;
};

/// A Stochastic distribution.
struct Stochastic {
  int64_t runs = 0;                     ///< numberOfTestRuns
  std::optional<double> random_seed;    ///< randomSeed
  std::vector<StochasticParameter> parameters;
  core::SourcePos pos;

  /// The seed of the streams: randomSeed when it is an integer in [0, 2^53], else the bits of
  /// the double; 0 without randomSeed.
  [[nodiscard]] uint64_t Seed() const;
};

/// A ParameterValueDistribution.
struct ParameterDistribution {
  std::string path;           ///< the distribution file
  std::string scenario_path;  ///< ScenarioFile, resolved relative to the distribution file
  /// DeterministicMultiParameterDistributions: each one's value sets (ParameterValueSet elements).
  std::vector<std::vector<ParameterSet>> multi;
  std::vector<core::SourcePos> multi_pos;  ///< each multi-parameter distribution's element
  /// DeterministicSingleParameterDistributions: a parameter and its values (a DistributionSet's
  /// elements, or a DistributionRange from lowerLimit to upperLimit by stepWidth).
  std::vector<std::pair<std::string, std::vector<std::string>>> single;
  std::vector<SingleSource> single_source;  ///< parallel to `single`
  /// A Stochastic distribution (then `multi` and `single` are empty).
  std::optional<Stochastic> stochastic;

  /// Every combination: one value set of each multi-parameter distribution and one value of each
  /// single-parameter one, in file order with the last distribution varying fastest.
  [[nodiscard]] std::vector<ParameterSet> Combinations() const;
  /// The stochastic sets: numberOfTestRuns sets, each with every parameter in file order (empty
  /// when the distribution is deterministic).
  [[nodiscard]] std::vector<ParameterSet> Samples() const;
  /// The sets to play: Samples() for a stochastic distribution, else Combinations().
  [[nodiscard]] std::vector<ParameterSet> Sets() const;
};

/// The unit number in (0, 1) that run `run` of parameter `name` draws with `seed` (see the header).
[[nodiscard]] double StochasticUnit(uint64_t seed, const std::string& name, uint64_t run);

/// Whether `path` is a parameter variation file (its root holds a ParameterValueDistribution).
/// Throws core::InputError when it cannot be read or is not well-formed XML.
[[nodiscard]] bool IsParameterDistribution(const std::string& path);

/// Reads a parameter variation file. Anything not listed above (UserDefinedDistribution, a
/// malformed or out-of-domain attribute) is an error at its position; more than 100,000
/// combinations or test runs is an error. Throws core::InputError.
[[nodiscard]] ParameterDistribution LoadParameterDistribution(const std::string& path);

}  // namespace gauntlet::openscenario
