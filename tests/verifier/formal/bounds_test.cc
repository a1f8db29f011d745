#include "verifier/formal/bounds.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/verifier/formal/random_network.h"
#include "verifier/formal/branch_and_bound.h"

namespace gauntlet::verifier::formal {
namespace {

using testing::RandomBox;
using testing::RandomNetwork;
using testing::SamplePoint;

// Sampled outputs always lie within the computed bounds, for IBP, CROWN and BaB, on thousands of
// random networks with every activation kind.
TEST(BoundsTest, SampledOutputsLieWithinBoundsOnRandomNetworks) {
  core::Rng rng(20261127);
  int crown_tighter = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(4));
    const int n_out = 1 + static_cast<int>(rng.UniformInt(3));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 2 == 0);
    const Box box = RandomBox(rng, n_in);
    const Box ibp = ComputeOutputBounds(net, box, BoundMethod::kIbp);
    const Box crown = ComputeOutputBounds(net, box, BoundMethod::kCrown);
    const Box symbolic = ComputeOutputBounds(net, box, BoundMethod::kSymbolic);
    const Box bab = trial % 10 == 0 ? ComputeOutputBoundsBab(net, box, 30) : crown;
    for (int j = 0; j < n_out; ++j) {
      ASSERT_LE(crown.lo[j], crown.hi[j]) << "trial " << trial;
      // CROWN is at least as tight as IBP (up to rounding: interval arithmetic is not monotone in floats)
      const double ulps = 1e-12 * (1.0 + std::abs(ibp.lo[j]) + std::abs(ibp.hi[j]));
      ASSERT_GE(crown.lo[j], ibp.lo[j] - ulps);
      ASSERT_LE(crown.hi[j], ibp.hi[j] + ulps);
      ASSERT_GE(bab.lo[j], crown.lo[j]);
      ASSERT_LE(bab.hi[j], crown.hi[j]);
      if (crown.hi[j] - crown.lo[j] < ibp.hi[j] - ibp.lo[j]) ++crown_tighter;
    }
    for (int s = 0; s < 40; ++s) {
      const Eigen::VectorXd x = SamplePoint(rng, box);
      const Eigen::VectorXd y = net.Evaluate(x);
      for (int j = 0; j < n_out; ++j) {
        ASSERT_GE(y[j], bab.lo[j]) << "trial " << trial << " output " << j;
        ASSERT_LE(y[j], bab.hi[j]) << "trial " << trial << " output " << j;
        ASSERT_GE(y[j], crown.lo[j]) << "trial " << trial << " output " << j;
        ASSERT_LE(y[j], crown.hi[j]) << "trial " << trial << " output " << j;
        ASSERT_GE(y[j], symbolic.lo[j]) << "trial " << trial << " output " << j;
        ASSERT_LE(y[j], symbolic.hi[j]) << "trial " << trial << " output " << j;
        ASSERT_GE(y[j], ibp.lo[j]) << "trial " << trial << " output " << j;
        ASSERT_LE(y[j], ibp.hi[j]) << "trial " << trial << " output " << j;
      }
    }
  }
  // the relaxation must actually pay off on most networks
  EXPECT_GT(crown_tighter, 1000);
}

// Spec bounds (lower bounds of c.y - d) are below every sampled value.
TEST(BoundsTest, SpecLowerBoundsAreSound) {
  core::Rng rng(7);
  for (int trial = 0; trial < 1000; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(3));
    const int n_out = 2 + static_cast<int>(rng.UniformInt(3));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 3 != 0);
    const Box box = RandomBox(rng, n_in);
    Eigen::MatrixXd c(3, n_out);
    for (int r = 0; r < 3; ++r)
      for (int j = 0; j < n_out; ++j) c(r, j) = rng.Normal(0.0, 1.0);
    Eigen::VectorXd d(3);
    for (int r = 0; r < 3; ++r) d[r] = rng.Normal(0.0, 1.0);
    BoundPropagator prop(net);
    for (int m = 0; m < 4; ++m) {
      const BoundMethod method = m == 0 ? BoundMethod::kIbp : (m == 2 ? BoundMethod::kSymbolic : BoundMethod::kCrown);
      prop.set_slope_search(m == 3);  // CROWN with the best of three lower ReLU slopes per row
      prop.Propagate(box, method);
      Eigen::MatrixXd a;
      const Eigen::VectorXd lb = prop.SpecLowerBounds(c, d, &a);
      ASSERT_EQ(a.rows(), 3);
      ASSERT_EQ(a.cols(), n_in);
      for (int s = 0; s < 30; ++s) {
        const Eigen::VectorXd v = c * net.Evaluate(SamplePoint(rng, box)) - d;
        for (int r = 0; r < 3; ++r) ASSERT_LE(lb[r], v[r]) << "trial " << trial;
      }
    }
  }
}

// A point box gives bounds within a few ulps of the forward pass, and they contain it.
TEST(BoundsTest, PointBoxIsTightAndContainsTheForwardPass) {
  core::Rng rng(99);
  for (int trial = 0; trial < 300; ++trial) {
    const Network net = RandomNetwork(rng, 3, 2, false);
    Eigen::VectorXd x(3);
    for (int i = 0; i < 3; ++i) x[i] = rng.Uniform(-1.0, 1.0);
    const Eigen::VectorXd y = net.Evaluate(x);
    const Box out = ComputeOutputBounds(net, Box{x, x}, BoundMethod::kCrown);
    for (int j = 0; j < 2; ++j) {
      ASSERT_LE(out.lo[j], y[j]);
      ASSERT_GE(out.hi[j], y[j]);
      ASSERT_LT(out.hi[j] - out.lo[j], 1e-9 * (1.0 + std::abs(y[j])));
    }
  }
}

// Hand-computed: y = relu(x) - relu(-x) = x on [-1, 2].
TEST(BoundsTest, HandComputedReluNetwork) {
  Network net;
  const int x = net.AddInput(1);
  const int h = net.AddLinear({LinearTerm::Dense(x, (Eigen::MatrixXd(2, 1) << 1.0, -1.0).finished())},
                              Eigen::VectorXd::Zero(2));
  const int r = net.AddActivation(LayerKind::kRelu, h);
  net.SetOutput(net.AddLinear({LinearTerm::Dense(r, (Eigen::MatrixXd(1, 2) << 1.0, -1.0).finished())},
                              Eigen::VectorXd::Zero(1)));
  const Box box{Eigen::VectorXd::Constant(1, -1.0), Eigen::VectorXd::Constant(1, 2.0)};
  const Box ibp = ComputeOutputBounds(net, box, BoundMethod::kIbp);
  EXPECT_NEAR(ibp.lo[0], -1.0, 1e-12);
  EXPECT_NEAR(ibp.hi[0], 2.0, 1e-12);
  const Box crown = ComputeOutputBounds(net, box, BoundMethod::kCrown);
  EXPECT_LE(crown.lo[0], -1.0);
  EXPECT_GE(crown.hi[0], 2.0);
  EXPECT_GT(crown.lo[0], -1.0 - 1e-9);
  EXPECT_LT(crown.hi[0], 2.0 + 1e-9);
}

}  // namespace
}  // namespace gauntlet::verifier::formal
