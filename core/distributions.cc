#include "core/distributions.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/normal.h"

namespace gauntlet::core {
namespace {

constexpr double kUnitMax = 1.0 - 0x1.0p-53;  // the largest double below 1
constexpr double kInf = std::numeric_limits<double>::infinity();
/// Masses below this fraction of the most likely one are left out (their total is below 1e-26 of it).
constexpr double kNegligibleMass = 1e-30;

double ClampUnit(double u) { return u >= 0.0 ? std::min(u, kUnitMax) : 0.0; }  // also NaN

/// The log-space bounds of a log-normal truncated to [lo, hi].
double LogLo(double lo) { return lo > 0.0 ? std::log(lo) : -kInf; }
double LogHi(double hi) { return hi > 0.0 ? std::log(hi) : -kInf; }

}  // namespace

LogNormalShape LogNormalOf(double mean, double stddev) {
  // X = exp(Y), Y normal: Var X / (E X)^2 = exp(s^2) - 1, E X = exp(mu + s^2 / 2)
  const double ratio = stddev / mean;
  const double s2 = std::log1p(ratio * ratio);
  return {.mu = std::log(mean) - 0.5 * s2, .sigma = std::sqrt(s2)};
}

double TruncatedLogNormalQuantile(double u, double mean, double stddev, double lo, double hi) {
  const LogNormalShape s = LogNormalOf(mean, stddev);
  const double y = TruncatedNormalQuantile(u, s.mu, s.sigma, LogLo(lo), LogHi(hi));
  return std::clamp(std::exp(y), lo, hi);
}

double TruncatedLogNormalCdf(double x, double mean, double stddev, double lo, double hi) {
  if (!(x > 0.0)) return 0.0;
  const LogNormalShape s = LogNormalOf(mean, stddev);
  return std::clamp(TruncatedNormalCdf(std::log(x), s.mu, s.sigma, LogLo(lo), LogHi(hi)), 0.0, 1.0);
}

TruncatedPoisson::TruncatedPoisson(double mean, double lo, double hi) : mean_(mean) {
  first_ = std::max(0.0, std::ceil(lo));
  last_ = std::floor(hi);
  valid_ = mean > 0.0 && mean <= kMaxPoissonMean && !std::isnan(lo) && !std::isnan(hi) && first_ <= last_ &&
           first_ < 0x1.0p53;
  peak_ = valid_ ? std::clamp(std::floor(mean), first_, last_) : first_;
}

TruncatedPoisson::Window TruncatedPoisson::MakeWindow() const {
  // masses relative to the peak's, which is the largest in the range: they fall away from it
  Window w{.lo_k = peak_, .lo_mass = 1.0, .hi_k = peak_, .hi_mass = 1.0, .total = 1.0};
  while (w.lo_k > first_) {
    const double next = w.lo_mass * w.lo_k / mean_;
    if (!(next >= kNegligibleMass)) break;
    w.lo_mass = next;
    w.lo_k -= 1.0;
    w.total += next;
  }
  while (w.hi_k < last_) {
    const double next = w.hi_mass * mean_ / (w.hi_k + 1.0);
    if (!(next >= kNegligibleMass)) break;
    w.hi_mass = next;
    w.hi_k += 1.0;
    w.total += next;
  }
  return w;
}

double TruncatedPoisson::Quantile(double u) const {
  if (!valid_) return first_;
  u = ClampUnit(u);
  const Window w = MakeWindow();
  if (u < 0.5) {
    // the lower half: sum up from the bottom until the sum exceeds u total
    const double target = u * w.total;
    double k = w.lo_k, mass = w.lo_mass, sum = 0.0;
    while (true) {
      sum += mass;
      if (sum > target || k >= w.hi_k) return k;
      mass *= mean_ / (k + 1.0);
      k += 1.0;
    }
  }
  // the upper half: P(X <= k) > u  <=>  P(X > k) < 1 - u (exact for u >= 0.5); sum down from the top
  const double target = (1.0 - u) * w.total;
  double k = w.hi_k, mass = w.hi_mass, above = 0.0;  // above = the mass above k
  while (k > w.lo_k && above + mass < target) {
    above += mass;
    mass *= k / mean_;
    k -= 1.0;
  }
  return k;
}

double TruncatedPoisson::CellCentre(double k) const {
  if (!valid_) return 0.5;
  const Window w = MakeWindow();
  k = std::clamp(std::round(k), w.lo_k, w.hi_k);
  if (k <= peak_) {
    double j = w.lo_k, mass = w.lo_mass, below = 0.0;
    for (; j < k; j += 1.0) {
      below += mass;
      mass *= mean_ / (j + 1.0);
    }
    return (below + 0.5 * mass) / w.total;
  }
  double j = w.hi_k, mass = w.hi_mass, above = 0.0;
  for (; j > k; j -= 1.0) {
    above += mass;
    mass *= j / mean_;
  }
  return 1.0 - (above + 0.5 * mass) / w.total;
}

size_t WeightedIndex(std::span<const double> weights, double u, double* rest) {
  double total = 0.0;
  for (double w : weights) total += w;
  double t = u * total;
  size_t last = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0.0)) continue;
    last = i;
    if (t < weights[i]) {
      *rest = t / weights[i];
      return i;
    }
    t -= weights[i];
  }
  *rest = 1.0;
  return last;
}

double WeightedCellCentre(std::span<const double> weights, size_t i) {
  double total = 0.0, before = 0.0;
  for (size_t k = 0; k < weights.size(); ++k) {
    total += weights[k];
    if (k < i) before += weights[k];
  }
  return (before + 0.5 * weights[i]) / total;
}

PiecewiseUniform PiecewiseUniformOf(std::vector<HistogramBin> bins) {
  std::erase_if(bins, [](const HistogramBin& b) { return !(b.hi > b.lo); });
  std::vector<double> edges;
  for (const HistogramBin& b : bins) {
    edges.push_back(b.lo);
    edges.push_back(b.hi);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  PiecewiseUniform out{.edges = edges, .weights = std::vector<double>(edges.empty() ? 0 : edges.size() - 1, 0.0)};
  for (const HistogramBin& b : bins) {
    const size_t first = static_cast<size_t>(std::lower_bound(edges.begin(), edges.end(), b.lo) - edges.begin());
    for (size_t i = first; i + 1 < edges.size() && edges[i + 1] <= b.hi; ++i) {
      // a bin that is one piece keeps its weight exactly
      out.weights[i] += edges[i] == b.lo && edges[i + 1] == b.hi
                            ? b.weight
                            : b.weight * ((edges[i + 1] - edges[i]) / (b.hi - b.lo));
    }
  }
  return out;
}

double PiecewiseUniformQuantile(double u, std::span<const double> edges, std::span<const double> weights) {
  double rest = 0.0;
  const size_t i = WeightedIndex(weights, u, &rest);
  return std::min(edges[i] + rest * (edges[i + 1] - edges[i]), edges[i + 1]);
}

double PiecewiseUniformCdf(double x, std::span<const double> edges, std::span<const double> weights) {
  double total = 0.0, below = 0.0;
  for (size_t i = 0; i < weights.size(); ++i) {
    total += weights[i];
    if (x >= edges[i + 1]) below += weights[i];
    else if (x > edges[i]) below += weights[i] * ((x - edges[i]) / (edges[i + 1] - edges[i]));
  }
  return std::clamp(below / total, 0.0, 1.0);
}

}  // namespace gauntlet::core
