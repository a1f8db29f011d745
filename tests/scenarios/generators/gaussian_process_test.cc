// The Gaussian process against the textbook formulas computed the slow way (an explicit solve for
// every candidate, a refit for every believed point) on random data.

#include "scenarios/generators/gaussian_process.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/rng.h"

namespace gauntlet::scenarios {
namespace {

double Matern(const Eigen::VectorXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& length) {
  const double r = std::sqrt(5.0 * (a - b).cwiseQuotient(length).squaredNorm());
  return (1.0 + r + r * r / 3.0) * std::exp(-r);
}

struct Naive {
  double mean, variance;
};

// Posterior mean and variance at x straight from the definition, with a full-pivot LU solve.
Naive NaivePosterior(const std::vector<Eigen::VectorXd>& xs, const std::vector<double>& ys,
                     const Eigen::VectorXd& length, double nugget, const Eigen::VectorXd& x) {
  const Eigen::Index m = static_cast<Eigen::Index>(xs.size());
  Eigen::MatrixXd k(m, m);
  Eigen::VectorXd kx(m), y(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < m; ++j) k(i, j) = Matern(xs[i], xs[j], length) + (i == j ? nugget : 0.0);
    kx[i] = Matern(xs[i], x, length);
    y[i] = ys[i];
  }
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(k);
  return {kx.dot(lu.solve(y)), 1.0 + nugget - kx.dot(lu.solve(kx))};
}

std::vector<Eigen::VectorXd> RandomPoints(core::Rng& rng, size_t count, int dims) {
  std::vector<Eigen::VectorXd> out;
  for (size_t k = 0; k < count; ++k) {
    Eigen::VectorXd x(dims);
    for (int i = 0; i < dims; ++i) x[i] = rng.Uniform();
    out.push_back(x);
  }
  return out;
}

TEST(GaussianProcessTest, PredictionEqualsTheDirectFormulas) {
  core::Rng rng(11);
  for (int trial = 0; trial < 150; ++trial) {
    const int dims = 1 + static_cast<int>(rng.UniformInt(5));
    const size_t m = 1 + rng.UniformInt(30);
    const auto xs = RandomPoints(rng, m, dims);
    std::vector<double> ys;
    for (size_t i = 0; i < m; ++i) ys.push_back(rng.Normal());
    Eigen::VectorXd length(dims);
    for (int i = 0; i < dims; ++i) length[i] = 0.1 + rng.Uniform();
    const GaussianProcess gp(xs, ys, length);
    ASSERT_TRUE(gp.ok());
    const auto candidates = RandomPoints(rng, 20, dims);
    const GaussianProcess::Prediction p = gp.Predict(candidates);
    for (size_t j = 0; j < candidates.size(); ++j) {
      const Naive naive = NaivePosterior(xs, ys, length, gp.nugget(), candidates[j]);
      const Eigen::Index jj = static_cast<Eigen::Index>(j);
      ASSERT_NEAR(p.mean[jj], naive.mean, 1e-6 * (1.0 + std::fabs(naive.mean))) << trial;
      ASSERT_NEAR(p.variance[jj], naive.variance, 1e-6) << trial;
      ASSERT_GE(p.variance[jj], -1e-9);
    }
  }
  // well-separated points and short scales: the mean interpolates the values, the variance vanishes
  const std::vector<Eigen::VectorXd> xs = {Eigen::Vector2d(0.1, 0.1), Eigen::Vector2d(0.9, 0.2),
                                           Eigen::Vector2d(0.5, 0.8)};
  const GaussianProcess gp(xs, {1.5, -0.5, 0.25}, Eigen::Vector2d(0.2, 0.2));
  EXPECT_EQ(gp.nugget(), 1e-8);
  const GaussianProcess::Prediction at = gp.Predict(xs);
  EXPECT_NEAR(at.mean[0], 1.5, 1e-6);
  EXPECT_NEAR(at.mean[1], -0.5, 1e-6);
  EXPECT_NEAR(at.mean[2], 0.25, 1e-6);
  EXPECT_LT(at.variance.maxCoeff(), 1e-6);
}

TEST(GaussianProcessTest, BelieverUpdateEqualsARefit) {
  core::Rng rng(12);
  for (int trial = 0; trial < 100; ++trial) {
    const int dims = 1 + static_cast<int>(rng.UniformInt(4));
    const size_t m = 2 + rng.UniformInt(25);
    auto xs = RandomPoints(rng, m, dims);
    std::vector<double> ys;
    for (size_t i = 0; i < m; ++i) ys.push_back(rng.Normal());
    const Eigen::VectorXd length = Eigen::VectorXd::Constant(dims, 0.2 + 0.5 * rng.Uniform());
    const GaussianProcess gp(xs, ys, length);
    const auto candidates = RandomPoints(rng, 30, dims);
    GaussianProcess::Prediction p = gp.Predict(candidates);
    for (int believed = 0; believed < 3; ++believed) {
      const Eigen::Index chosen = static_cast<Eigen::Index>(rng.UniformInt(candidates.size()));
      xs.push_back(candidates[static_cast<size_t>(chosen)]);
      ys.push_back(p.mean[chosen]);
      gp.Believe(candidates, chosen, &p);
      const GaussianProcess refit(xs, ys, length);
      ASSERT_EQ(refit.nugget(), gp.nugget());
      const GaussianProcess::Prediction q = refit.Predict(candidates);
      for (Eigen::Index j = 0; j < q.mean.size(); ++j) {
        ASSERT_NEAR(p.mean[j], q.mean[j], 1e-6 * (1.0 + std::fabs(q.mean[j]))) << trial << " " << believed;
        ASSERT_NEAR(p.variance[j], q.variance[j], 1e-6) << trial << " " << believed;
      }
    }
  }
}

TEST(GaussianProcessTest, ExpectedImprovementEqualsTheIntegral) {
  // E[max(best - Y, 0)], Y ~ N(mean, variance), by the midpoint rule over +-12 standard deviations
  GaussianProcess::Prediction p;
  p.mean = Eigen::Vector4d(0.0, 1.0, -2.0, 0.3);
  p.variance = Eigen::Vector4d(1.0, 0.25, 4.0, 1e-4);
  const double best = 0.2;
  const Eigen::VectorXd ei = GaussianProcess::ExpectedImprovement(p, best);
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double sd = std::sqrt(p.variance[j]);
    double integral = 0.0;
    const int steps = 200000;
    const double lo = p.mean[j] - 12 * sd, h = 24 * sd / steps;
    for (int k = 0; k < steps; ++k) {
      const double y = lo + (k + 0.5) * h;
      const double z = (y - p.mean[j]) / sd;
      integral += std::max(best - y, 0.0) * std::exp(-0.5 * z * z) / (sd * std::sqrt(2 * std::numbers::pi)) * h;
    }
    EXPECT_NEAR(ei[j], integral, 1e-7) << j;
    EXPECT_GE(ei[j], 0.0);
  }
}

TEST(GaussianProcessTest, LengthScalesFollowWhatTheValuesDependOn) {
  // values that vary along the first coordinate only: its scale is the shorter
  core::Rng rng(13);
  const auto xs = RandomPoints(rng, 40, 2);
  std::vector<double> ys;
  for (const auto& x : xs) ys.push_back(std::sin(6.0 * x[0]));
  const Eigen::VectorXd length = GaussianProcess::FitLengthScales(xs, ys);
  EXPECT_LT(length[0], length[1]);
  EXPECT_LE(length[0], 0.6);
}

TEST(GaussianProcessTest, RepeatedPointsRaiseTheNugget) {
  const std::vector<Eigen::VectorXd> xs = {Eigen::Vector2d(0.5, 0.5), Eigen::Vector2d(0.5, 0.5),
                                           Eigen::Vector2d(0.1, 0.9)};
  const GaussianProcess gp(xs, {1.0, 1.0, -1.0}, Eigen::Vector2d(0.3, 0.3));
  ASSERT_TRUE(gp.ok());
  EXPECT_GE(gp.nugget(), 1e-8);
  const auto p = gp.Predict({Eigen::Vector2d(0.5, 0.5)});
  EXPECT_NEAR(p.mean[0], 1.0, 1e-3);
}

}  // namespace
}  // namespace gauntlet::scenarios
