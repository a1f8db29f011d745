// The laws behind scenario parameters and OpenSCENARIO's stochastic distributions
// (core/distributions.h): each inverse CDF against a naive reference on many random cases, the
// moments of many draws against the closed forms, and the edges (far tails, huge means, zero weights).

#include "core/distributions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/normal.h"
#include "core/rng.h"

namespace gauntlet::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Naive reference: the Poisson masses of 0..n, term by term from exp(-mean) (no recursion over
/// ratios, no windows), for a mean small enough that exp(-mean) does not underflow.
std::vector<double> NaivePoissonMasses(double mean, int n) {
  std::vector<double> p;
  for (int k = 0; k <= n; ++k) p.push_back(std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0)));
  return p;
}

/// Naive reference inverse CDF: the smallest k in [a, b] whose cumulative mass (renormalised to
/// [a, b]) exceeds u, and the mass of the cells either side of the answer's edges.
struct Naive {
  int k = 0;
  double below = 0.0;  // P(X < k | a <= X <= b)
  double upto = 0.0;   // P(X <= k | a <= X <= b)
};
Naive NaivePoissonQuantile(const std::vector<double>& masses, int a, int b, double u) {
  double total = 0.0;
  for (int k = a; k <= b; ++k) total += masses[static_cast<size_t>(k)];
  double sum = 0.0;
  for (int k = a; k <= b; ++k) {
    const double before = sum;
    sum += masses[static_cast<size_t>(k)];
    if (sum / total > u || k == b) return {k, before / total, sum / total};
  }
  return {b, 1.0, 1.0};
}

TEST(TruncatedPoissonTest, QuantileMatchesTermByTermSumsOnRandomCases) {
  Rng rng(2026);
  int checked = 0;
  for (int c = 0; c < 400; ++c) {
    const double mean = std::exp(rng.Uniform() * std::log(600.0)) * (rng.Uniform() < 0.2 ? 0.01 : 1.0);
    const int top = static_cast<int>(mean + 40.0 * std::sqrt(mean) + 60.0);
    const std::vector<double> masses = NaivePoissonMasses(mean, top);
    // an untruncated law, or a random range around or away from the mean
    int a = 0, b = top;
    double lo = -kInf, hi = kInf;
    if (c % 2 == 1) {
      a = static_cast<int>(rng.Uniform() * mean * 1.5);
      b = a + static_cast<int>(rng.Uniform() * 3.0 * std::sqrt(mean) + 1.0);
      lo = a - 0.5 * rng.Uniform();  // non-integer bounds: the integers inside count
      hi = b + 0.5 * rng.Uniform();
    }
    const TruncatedPoisson law(mean, lo, hi);
    ASSERT_TRUE(law.valid());
    for (int i = 0; i < 60; ++i) {
      const double u = i < 2 ? (i == 0 ? 0.0 : 1.0 - 0x1.0p-53) : rng.Uniform();
      const Naive ref = NaivePoissonQuantile(masses, a, b, u);
      const double k = law.Quantile(u);
      // equal, unless u sits within rounding of the cell edge
      if (std::fabs(u - ref.below) > 1e-12 && std::fabs(u - ref.upto) > 1e-12) {
        ASSERT_EQ(k, ref.k) << "mean " << mean << " [" << lo << ", " << hi << "] u " << u;
        ++checked;
      }
      // the value's cell centre maps back to it
      if (ref.upto - ref.below > 1e-9) {
        EXPECT_NEAR(law.CellCentre(k), 0.5 * (ref.below + ref.upto), 1e-12);
        EXPECT_EQ(law.Quantile(law.CellCentre(k)), k);
      }
    }
  }
  EXPECT_GT(checked, 20000);
}

TEST(TruncatedPoissonTest, HugeMeansAndFarTails) {
  // mean 1e9: the median is within one of mean + 2/3 - 0.02/mean... and the normal approximation
  // holds to well under a standard deviation at the quartiles
  const TruncatedPoisson huge(1e9, -kInf, kInf);
  ASSERT_TRUE(huge.valid());
  EXPECT_NEAR(huge.Quantile(0.5), 1e9, 1.0);
  const double sd = std::sqrt(1e9);
  EXPECT_NEAR(huge.Quantile(NormalCdf(1.0)), 1e9 + sd, 0.05 * sd);
  EXPECT_NEAR(huge.Quantile(NormalCdf(-2.0)), 1e9 - 2.0 * sd, 0.05 * sd);
  const double top = huge.Quantile(1.0 - 0x1.0p-53);
  EXPECT_GT(top, 1e9 + 7.0 * sd);
  EXPECT_LT(top, 1e9 + 12.0 * sd);
  EXPECT_LT(huge.Quantile(0x1.0p-53), 1e9 - 7.0 * sd);
  EXPECT_GT(huge.Quantile(0x1.0p-53), 1e9 - 12.0 * sd);
  // a range far in the upper tail, whose absolute probability underflows: the exact conditional law
  // P(X = k + 1) / P(X = k) = mean / (k + 1)
  const TruncatedPoisson tail(2.0, 1000.0, kInf);
  ASSERT_TRUE(tail.valid());
  EXPECT_EQ(tail.Quantile(0.0), 1000.0);
  const double p1000 = 1.0 / (1.0 + 2.0 / 1001.0 + 4.0 / (1001.0 * 1002.0));  // the rest is below 1e-8
  EXPECT_EQ(tail.Quantile(p1000 - 1e-6), 1000.0);
  EXPECT_EQ(tail.Quantile(p1000 + 1e-6), 1001.0);
  // far in the lower tail of a large mean
  const TruncatedPoisson low(1e6, 0.0, 10.0);
  EXPECT_EQ(low.Quantile(0.5), 10.0);  // P(X = 9) / P(X = 10) = 10 / 1e6, P(X = 8) / P(X = 9) = 9 / 1e6
  EXPECT_EQ(low.Quantile(0.99999), 10.0);
  EXPECT_EQ(low.Quantile(1e-6), 9.0);
  EXPECT_EQ(low.Quantile(1e-12), 8.0);
  // a single integer; no integer; out-of-domain means
  const TruncatedPoisson one(3.0, 2.5, 3.5);
  EXPECT_TRUE(one.valid());
  EXPECT_EQ(one.Quantile(0.0), 3.0);
  EXPECT_EQ(one.Quantile(0.999), 3.0);
  EXPECT_EQ(one.CellCentre(7.0), 0.5);
  EXPECT_FALSE(TruncatedPoisson(3.0, 2.2, 2.8).valid());
  EXPECT_FALSE(TruncatedPoisson(3.0, -5.0, -1.0).valid());
  EXPECT_FALSE(TruncatedPoisson(0.0, 0.0, 5.0).valid());
  EXPECT_FALSE(TruncatedPoisson(2e9, 0.0, kInf).valid());
  EXPECT_FALSE(TruncatedPoisson(std::nan(""), 0.0, kInf).valid());
  EXPECT_FALSE(TruncatedPoisson(3.0, 1e300, kInf).valid());  // no integer a double counts exactly
  // a tiny mean: almost always 0
  const TruncatedPoisson tiny(1e-300, -kInf, kInf);
  EXPECT_EQ(tiny.Quantile(1.0 - 0x1.0p-53), 0.0);
}

TEST(TruncatedPoissonTest, MomentsOfManyDraws) {
  Rng rng(5);
  for (const double mean : {0.3, 3.5, 40.0, 12345.0}) {
    const TruncatedPoisson law(mean, -kInf, kInf);
    const int n = 20000;
    double m1 = 0.0, m2 = 0.0;
    for (int i = 0; i < n; ++i) {
      const double k = law.Quantile(rng.Uniform());
      ASSERT_EQ(k, std::floor(k));
      m1 += k;
      m2 += k * k;
    }
    m1 /= n;
    const double var = m2 / n - m1 * m1;
    EXPECT_NEAR(m1, mean, 5.0 * std::sqrt(mean / n)) << mean;
    EXPECT_NEAR(var, mean, 0.05 * mean + 5.0 * std::sqrt(2.0 / n) * mean) << mean;
  }
}

TEST(LogNormalTest, QuantileIsExpOfTheNormalQuantile) {
  Rng rng(17);
  for (int c = 0; c < 300; ++c) {
    const double mean = std::exp(4.0 * rng.Uniform() - 2.0);
    const double stddev = mean * std::exp(3.0 * rng.Uniform() - 2.0);
    // naive reference: sigma^2 = ln(1 + (sd / m)^2), mu = ln m - sigma^2 / 2, X = exp(mu + sigma z)
    const double s2 = std::log(1.0 + stddev * stddev / (mean * mean));
    const double mu = std::log(mean) - 0.5 * s2;
    const double sigma = std::sqrt(s2);
    for (int i = 0; i < 50; ++i) {
      const double u = rng.Uniform();
      const double x = TruncatedLogNormalQuantile(u, mean, stddev, -kInf, kInf);
      ASSERT_NEAR(x, std::exp(mu + sigma * NormalQuantile(u)), 1e-9 * x);
      ASSERT_NEAR(TruncatedLogNormalCdf(x, mean, stddev, -kInf, kInf), u, 1e-9);
      // truncated to [lo, hi]: the CDF renormalised
      const double lo = std::exp(mu + sigma * (rng.Uniform() * 4.0 - 3.0));
      const double hi = lo * (1.0 + 5.0 * rng.Uniform());
      const double a = NormalCdf((std::log(lo) - mu) / sigma), b = NormalCdf((std::log(hi) - mu) / sigma);
      if (b - a < 1e-6) continue;
      const double t = TruncatedLogNormalQuantile(u, mean, stddev, lo, hi);
      ASSERT_GE(t, lo);
      ASSERT_LE(t, hi);
      ASSERT_NEAR((NormalCdf((std::log(t) - mu) / sigma) - a) / (b - a), u, 1e-8);
    }
  }
  // a lower bound <= 0 bounds nothing
  EXPECT_EQ(TruncatedLogNormalQuantile(0.3, 2.0, 1.0, 0.0, kInf), TruncatedLogNormalQuantile(0.3, 2.0, 1.0, -kInf, kInf));
  EXPECT_EQ(TruncatedLogNormalCdf(-1.0, 2.0, 1.0, -kInf, kInf), 0.0);
}

TEST(LogNormalTest, MomentsOfManyDraws) {
  Rng rng(9);
  const int n = 40000;
  const double mean = 5.0, stddev = 2.0;
  double m1 = 0.0, m2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = TruncatedLogNormalQuantile(rng.Uniform(), mean, stddev, -kInf, kInf);
    ASSERT_GT(x, 0.0);
    m1 += x;
    m2 += x * x;
  }
  m1 /= n;
  EXPECT_NEAR(m1, mean, 5.0 * stddev / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(m2 / n - m1 * m1), stddev, 0.05 * stddev);
}

TEST(WeightedTest, IndexAndCellCentreOnRandomWeights) {
  Rng rng(3);
  for (int c = 0; c < 300; ++c) {
    std::vector<double> w(1 + rng.UniformInt(8));
    for (double& x : w) x = rng.Uniform() < 0.25 ? 0.0 : rng.Uniform() * 10.0;
    w[rng.UniformInt(w.size())] = 1.0;  // some positive
    double total = 0.0;
    for (double x : w) total += x;
    for (int i = 0; i < 100; ++i) {
      const double u = rng.Uniform();
      // naive reference: cumulative sums
      size_t ref = 0;
      double cum = 0.0;
      for (size_t k = 0; k < w.size(); ++k) {
        if (w[k] == 0.0) continue;
        ref = k;
        if ((cum + w[k]) / total > u) break;
        cum += w[k];
      }
      double rest = 0.0;
      const size_t got = WeightedIndex(w, u, &rest);
      ASSERT_GT(w[got], 0.0);
      if (std::fabs((cum + w[ref]) / total - u) > 1e-12 && std::fabs(cum / total - u) > 1e-12) {
        ASSERT_EQ(got, ref);
      }
      ASSERT_GE(rest, 0.0);
      ASSERT_LE(rest, 1.0);
      ASSERT_EQ(WeightedIndex(w, WeightedCellCentre(w, got), &rest), got);
    }
  }
}

TEST(PiecewiseUniformTest, QuantileAndCdfOnRandomHistograms) {
  Rng rng(23);
  for (int c = 0; c < 200; ++c) {
    PiecewiseUniform h;
    double e = rng.Uniform() * 10.0 - 5.0;
    h.edges.push_back(e);
    for (size_t i = 0, n = 1 + rng.UniformInt(6); i < n; ++i) {
      e += 0.1 + rng.Uniform() * 3.0;
      h.edges.push_back(e);
      h.weights.push_back(rng.Uniform() < 0.2 ? 0.0 : rng.Uniform());
    }
    h.weights[0] += 0.5;
    for (int i = 0; i < 100; ++i) {
      const double u = rng.Uniform();
      const double x = PiecewiseUniformQuantile(u, h.edges, h.weights);
      ASSERT_GE(x, h.edges.front());
      ASSERT_LE(x, h.edges.back());
      // naive reference: the probability below x, bin by bin
      double total = 0.0, below = 0.0;
      for (size_t k = 0; k < h.weights.size(); ++k) {
        total += h.weights[k];
        const double f = std::clamp((x - h.edges[k]) / (h.edges[k + 1] - h.edges[k]), 0.0, 1.0);
        below += h.weights[k] * f;
      }
      ASSERT_NEAR(below / total, u, 1e-12);
      ASSERT_NEAR(PiecewiseUniformCdf(x, h.edges, h.weights), u, 1e-12);
    }
  }
}

TEST(PiecewiseUniformTest, BinsBecomeSortedDisjointPieces) {
  // out of order, with a gap, and two overlapping bins: [0, 2) weight 2 and [1, 3) weight 4
  const PiecewiseUniform h = PiecewiseUniformOf({{5, 6, 1}, {1, 3, 4}, {0, 2, 2}, {7, 7, 9}});
  EXPECT_EQ(h.edges, (std::vector<double>{0, 1, 2, 3, 5, 6}));
  EXPECT_EQ(h.weights, (std::vector<double>{1, 1 + 2, 2, 0, 1}));
  // one bin keeps its weight exactly
  const PiecewiseUniform one = PiecewiseUniformOf({{0.1, 0.7, 0.3}});
  EXPECT_EQ(one.edges, (std::vector<double>{0.1, 0.7}));
  EXPECT_EQ(one.weights, (std::vector<double>{0.3}));
  EXPECT_NEAR(PiecewiseUniformQuantile(0.5, one.edges, one.weights), 0.4, 1e-15);
}

}  // namespace
}  // namespace gauntlet::core
