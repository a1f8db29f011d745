#pragma once
// The laws of scenario parameters beyond the normal (core/normal.h): the log-normal, the Poisson, a
// weighted choice among values and a piecewise-uniform histogram, each as an inverse CDF (the value at
// a unit number u) and its inverse (the unit number of a value): the one implementation behind scenario
// parameters (scenarios/parameter_space.h) and OpenSCENARIO's stochastic distributions
// (openscenario/distribution.h), so both draw the same value at the same u.
//
//   const double x = core::TruncatedLogNormalQuantile(0.5, 5.0, 2.0, 0.0, INFINITY);  // the median, 4.642...
//   const core::TruncatedPoisson p(3.5, 2.0, 5.0);     // Poisson(3.5) on {2, 3, 4, 5}
//   const double k = p.Quantile(0.9);                  // the smallest k with P(X <= k | 2 <= X <= 5) > 0.9
//   double rest = 0.0;
//   const size_t i = core::WeightedIndex(std::vector<double>{1, 3}, 0.2, &rest);  // 0 (rest 0.8)
//
// Discrete laws map u to the smallest value whose cumulative probability exceeds u, so value k owns
// the cell [P(X < k), P(X <= k)) of the unit interval; a value's unit number is its cell's centre.

#include <cstddef>
#include <span>
#include <vector>

namespace gauntlet::core {

/// The normal law of ln X for a log-normal X of mean `mean` > 0 and standard deviation `stddev` > 0
/// (X's own): sigma^2 = ln(1 + stddev^2 / mean^2), mu = ln mean - sigma^2 / 2.
struct LogNormalShape {
  double mu = 0.0;
  double sigma = 1.0;
};
[[nodiscard]] LogNormalShape LogNormalOf(double mean, double stddev);

/// The value whose CDF is u under the log-normal of mean `mean` and standard deviation `stddev`
/// (LogNormalOf) truncated to [lo, hi] (lo <= 0 or -inf: no lower bound; hi may be +inf), clamped
/// into [lo, hi]: exp of core::TruncatedNormalQuantile in log space.
[[nodiscard]] double TruncatedLogNormalQuantile(double u, double mean, double stddev, double lo, double hi);
/// The CDF of that truncated log-normal at x, in [0, 1] (0 for x <= 0).
[[nodiscard]] double TruncatedLogNormalCdf(double x, double mean, double stddev, double lo, double hi);

/// The largest Poisson mean a TruncatedPoisson takes (its work per call grows as sqrt(mean)).
inline constexpr double kMaxPoissonMean = 1e9;

/// The Poisson law of mean `mean` (0 < mean <= kMaxPoissonMean) restricted to the integers in
/// [lo, hi] (either may be infinite). Masses are computed relative to the most likely integer of the
/// range, walking outward by the ratio of neighbouring masses (k / mean, mean / (k + 1)) until they
/// fall below 1e-30 of it, so a range deep in either tail, whose absolute probability underflows,
/// still has its exact conditional law; no factorial or power is ever formed. Each call costs
/// O(sqrt(mean)) steps and allocates nothing. Cheap to copy.
class TruncatedPoisson {
 public:
  TruncatedPoisson(double mean, double lo, double hi);

  /// False when the mean is outside (0, kMaxPoissonMean] or no integer >= 0 lies in [lo, hi].
  [[nodiscard]] bool valid() const { return valid_; }
  /// The smallest and the largest integer of the range (last() may be +inf).
  [[nodiscard]] double first() const { return first_; }
  [[nodiscard]] double last() const { return last_; }
  /// The most likely integer of the range.
  [[nodiscard]] double peak() const { return peak_; }
  /// The smallest integer k of the range with P(X <= k) > u (u clamped into [0, 1)); the upper half
  /// sums from the top, so far upper quantiles are as precise as far lower ones.
  [[nodiscard]] double Quantile(double u) const;
  /// The centre of integer k's cell (P(X < k) + P(X <= k)) / 2; k is rounded and clamped into the
  /// range (and into the integers of non-negligible mass).
  [[nodiscard]] double CellCentre(double k) const;

 private:
  struct Window {
    double lo_k, lo_mass, hi_k, hi_mass, total;  // ends of the non-negligible integers, their masses, the sum
  };
  [[nodiscard]] Window MakeWindow() const;

  double mean_ = 1.0;
  double first_ = 0.0;
  double last_ = 0.0;
  double peak_ = 0.0;
  bool valid_ = false;
};

/// The index whose cumulative weight first exceeds u * total (weights >= 0 with a positive one; a
/// zero weight is never picked), and in `rest` where u * total falls inside its weight (in [0, 1));
/// the last positive weight for u at the top.
[[nodiscard]] size_t WeightedIndex(std::span<const double> weights, double u, double* rest);
/// The centre of index i's cell [sum of weights before i, ... + weights[i]) over the total: the
/// inverse of WeightedIndex for a positive weight.
[[nodiscard]] double WeightedCellCentre(std::span<const double> weights, size_t i);

/// A histogram bin: [lo, hi) holding `weight` of the probability, uniformly.
struct HistogramBin {
  double lo = 0.0;
  double hi = 0.0;
  double weight = 0.0;
};
/// A piecewise-uniform law: `edges` increasing (n + 1 of them), `weights[i]` >= 0 the probability
/// (up to a common factor) of [edges[i], edges[i + 1]), uniform inside; a zero weight is a gap.
struct PiecewiseUniform {
  std::vector<double> edges;
  std::vector<double> weights;
};
/// The piecewise-uniform law of bins drawn with probability weight / total, then uniform inside:
/// the bins sorted, the gaps between them as zero weights, overlapping bins split at every edge with
/// the sum of their densities. Bins of zero width are left out.
[[nodiscard]] PiecewiseUniform PiecewiseUniformOf(std::vector<HistogramBin> bins);
/// The value whose CDF is u under the piecewise-uniform law (edges, weights), within its piece.
[[nodiscard]] double PiecewiseUniformQuantile(double u, std::span<const double> edges, std::span<const double> weights);
/// The CDF of the piecewise-uniform law at x, in [0, 1].
[[nodiscard]] double PiecewiseUniformCdf(double x, std::span<const double> edges, std::span<const double> weights);

}  // namespace gauntlet::core
