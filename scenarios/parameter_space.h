#pragma once
// A scenario's parameter space and its map to and from the unit cube.
//
// Every generator, search and coverage measure in scenarios/generators works in the unit cube
// [0,1)^k, one coordinate per parameter; ParameterSpace maps a unit point to parameter values
// (and back). The maps are pure and deterministic, so the same unit point gives the same values on
// every machine.
//
//   ParameterSpace space;
//   space.parameters.push_back({.name = "gap_m", .kind = Parameter::Kind::kUniform, .lo = 10, .hi = 60});
//   space.parameters.push_back({.name = "lanes", .kind = Parameter::Kind::kChoice, .choices = {2, 3}});
//   std::vector<double> values = space.FromUnit({0.5, 0.9});   // {35, 3}
//
// Per kind, the unit coordinate u maps to (the inverse CDF of the kind's law; core/normal.h and
// core/distributions.h hold the laws):
//   kUniform    lo + u (hi - lo)
//   kNormal     the inverse CDF of the normal (mean, stddev) truncated to [lo, hi] (either may be infinite)
//   kChoice     choices[floor(u n)] for n choices (in the order written); with `weights`, the choice
//               whose cumulative weight first exceeds u times the total (a zero weight is never drawn)
//   kRange      lo + floor(u n) step, the n values lo, lo + step, ... up to and including hi
//               (hi is included when it is within 1e-9 steps of a value)
//   kConstant   the nominal value
//   kLogNormal  the inverse CDF of the log-normal whose own mean and standard deviation are `mean`
//               and `stddev`, truncated to [lo, hi] (lo <= 0: no lower bound; hi may be +inf)
//   kPoisson    the smallest integer k in [lo, hi] with P(X <= k | lo <= X <= hi) > u, X Poisson of
//               mean `mean` (at most core::kMaxPoissonMean)
//   kHistogram  the inverse CDF of the piecewise-uniform law: bin i = [edges[i], edges[i + 1]) holds
//               weights[i] / total of the probability, uniformly (a zero weight is a gap)
// ToUnit inverts FromUnit: the CDF of a continuous kind, the centre of the value's cell for a discrete
// one (so FromUnit(ToUnit(v)) == v for every value v the parameter takes).
// Caveats: a choice parameter's unit coordinate orders the choices as written, which may not be a
// meaningful order; a normal parameter's edges (EdgeBounds) are mean ± 3 stddev where unbounded, and
// a log-normal's or a Poisson's the values at the same probabilities (Φ(∓3)) where unbounded. A
// Poisson parameter counts as continuous for the generators (IsContinuous): its grid takes `levels`
// quantiles and its coverage probability bins, as a normal's, though its values are integers.

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"

namespace gauntlet::scenarios {

/// One scenario parameter and its distribution.
struct Parameter {
  enum class Kind { kUniform, kNormal, kChoice, kRange, kConstant, kLogNormal, kPoisson, kHistogram };

  std::string name{};
  Kind kind = Kind::kUniform;
  double lo = 0.0;                ///< uniform bounds; normal, log-normal, Poisson truncation bounds (may be ±inf); range start
  double hi = 0.0;                ///< uniform bound; normal, log-normal, Poisson truncation bound; range stop (inclusive)
  double mean = 0.0;              ///< normal; log-normal (> 0, of the values themselves); Poisson (> 0)
  double stddev = 1.0;            ///< normal; log-normal (of the values themselves); > 0
  double step = 1.0;              ///< range; > 0
  std::vector<double> choices{};  ///< choice; non-empty
  /// choice: one weight >= 0 per choice, some positive (empty: every choice equally likely);
  /// histogram: one weight >= 0 per bin, some positive
  std::vector<double> weights{};
  std::vector<double> edges{};  ///< histogram: the bins' edges, increasing (one more than the bins)
  /// The nominal (default) value; NaN means the kind's default: the centre of a uniform, the mean of
  /// a normal (clamped into its bounds), the first choice (of a weighted choice: the most likely, the
  /// first of equals), the start of a range, the median of a log-normal and of a Poisson (of the law
  /// before truncation, clamped into its bounds, as the normal's mean), the median of a histogram.
  /// Use Nominal().
  double nominal = std::numeric_limits<double>::quiet_NaN();
  bool perturbation = false;  ///< a sensor-perturbation parameter (adversarial noise)
  core::SourcePos pos{};      ///< where the parameter is declared, for messages

  /// The nominal value, resolving NaN to the kind's default.
  [[nodiscard]] double Nominal() const;
  /// The number of distinct values of a discrete parameter (choice: n, or those of positive weight;
  /// range: n; constant: 1), 0 for a continuous one (IsContinuous).
  [[nodiscard]] size_t DiscreteCount() const;
  /// True for the kinds whose grid takes `levels` quantiles and whose coverage has probability bins:
  /// uniform, normal, log-normal, histogram, and Poisson (integers, but of an unbounded law).
  [[nodiscard]] bool IsContinuous() const {
    return kind == Kind::kUniform || kind == Kind::kNormal || kind == Kind::kLogNormal || kind == Kind::kPoisson ||
           kind == Kind::kHistogram;
  }
  /// The value of unit coordinate `u` (clamped into [0, 1)).
  [[nodiscard]] double FromUnit(double u) const;
  /// A unit coordinate whose value is `value` (the centre of its cell for discrete kinds; a value
  /// off a discrete parameter's list maps to the nearest one; out-of-bounds values clamp).
  [[nodiscard]] double ToUnit(double value) const;
  /// The index of `value` among a discrete parameter's values (the nearest; zero-weight choices are
  /// not values) as the unit coordinate it would have if every value were equally likely,
  /// (index + 0.5) / DiscreteCount(); ToUnit(value) for a continuous parameter. Coverage cells use it.
  [[nodiscard]] double IndexUnit(double value) const;
  /// Every value of a discrete parameter in the order of their unit cells (choices as written, those
  /// of zero weight left out; a range's values upwards; a constant's one); empty for a continuous one.
  [[nodiscard]] std::vector<double> DiscreteValues() const;
  /// The value the parameter takes nearest `value`: `value` itself for uniform, normal and log-normal
  /// values inside their bounds, the nearest integer of a Poisson's range, the nearest point of a
  /// histogram's bins of positive weight, the nearest choice (of positive weight) or range value.
  [[nodiscard]] double Nearest(double value) const;
  /// The smallest and largest value the parameter takes (a normal's truncation bounds, maybe
  /// infinite; a log-normal's 0 without a positive lower bound; a Poisson's largest integer, maybe
  /// infinite; a histogram's outer edges of positive weight).
  [[nodiscard]] double Min() const;
  [[nodiscard]] double Max() const;
  /// The bounds an edge case uses: Min/Max, except mean ± 3 stddev for an unbounded normal side, and
  /// for an unbounded log-normal or Poisson side its untruncated law's value at Φ(∓3) (within Min/Max).
  [[nodiscard]] double EdgeLo() const;
  [[nodiscard]] double EdgeHi() const;
};

/// The most parameters (and, separately, derived parameters) a scenario may declare; more is an input
/// error reported before any is read.
inline constexpr size_t kMaxParameters = 10000;

/// The parameters of one scenario, in declaration order. A point is a std::vector<double> of values
/// in that order.
struct ParameterSpace {
  std::vector<Parameter> parameters;

  [[nodiscard]] size_t dimension() const { return parameters.size(); }
  /// Values of unit point `u` (size dimension()).
  [[nodiscard]] std::vector<double> FromUnit(const std::vector<double>& u) const;
  /// The unit point of `values` (see Parameter::ToUnit).
  [[nodiscard]] std::vector<double> ToUnit(const std::vector<double>& values) const;
  /// Every parameter at its nominal value.
  [[nodiscard]] std::vector<double> NominalPoint() const;
  /// Grid levels of parameter `i`: its DiscreteCount(), or `continuous_levels` for a continuous one.
  [[nodiscard]] size_t GridLevels(size_t i, size_t continuous_levels) const;
  /// The values of parameter `i` on a grid: every value of a discrete parameter; for a continuous
  /// one, `continuous_levels` values evenly spaced from EdgeLo to EdgeHi inclusive (a uniform), or
  /// at unit midpoints (i + 0.5) / levels (the other continuous kinds; a Poisson's equal integers
  /// once); one level is the nominal value.
  [[nodiscard]] std::vector<double> GridValues(size_t i, size_t continuous_levels) const;
  /// Per parameter Min() and Max().
  [[nodiscard]] std::vector<double> LowerBounds() const;
  [[nodiscard]] std::vector<double> UpperBounds() const;
  /// Indices of the parameters that vary (not constant, more than one value).
  [[nodiscard]] std::vector<size_t> FreeIndices() const;
  /// Index of the parameter called `name`, or dimension() if none.
  [[nodiscard]] size_t IndexOf(const std::string& name) const;

  /// Every problem of the space (duplicate names, empty or inverted bounds, stddev <= 0, step <= 0,
  /// no choices, weights that are negative, all zero or not one per choice or bin, edges not
  /// increasing, a log-normal mean <= 0, a Poisson mean outside (0, 1e9] or a range without an
  /// integer, a nominal value outside the parameter's values), each at the parameter's position.
  [[nodiscard]] std::vector<core::Diagnostic> Check() const;
  /// Throws core::InputError listing Check()'s problems, if any.
  void Validate() const;
};

}  // namespace gauntlet::scenarios
