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

// Bounds of a sub-box propagated with the parent box's layer bounds as prior contain every sampled
// output of the sub-box, and are never looser than the parent's nor (per layer) than without prior.
TEST(BoundsTest, PriorLayerBoundsOfAParentBoxAreSoundAndTighten) {
  core::Rng rng(31337);
  int tighter = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(4));
    const int n_out = 1 + static_cast<int>(rng.UniformInt(3));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 2 == 0);
    const Box parent = RandomBox(rng, n_in);
    Box child = parent;
    for (int i = 0; i < n_in; ++i) {
      const double a = rng.Uniform(parent.lo[i], parent.hi[i]);
      const double b = rng.Uniform(parent.lo[i], parent.hi[i]);
      child.lo[i] = std::min(a, b);
      child.hi[i] = std::max(a, b);
    }
    BoundPropagator prop(net);
    prop.set_slope_search(true);
    prop.Propagate(parent, BoundMethod::kCrown);
    const LayerBounds prior = prop.layer_bounds();
    prop.Propagate(child, BoundMethod::kCrown);
    const LayerBounds plain = prop.layer_bounds();
    prop.Propagate(child, BoundMethod::kCrown, &prior);
    const LayerBounds with = prop.layer_bounds();
    Eigen::MatrixXd c(2 * n_out, n_out);
    c << Eigen::MatrixXd::Identity(n_out, n_out), -Eigen::MatrixXd::Identity(n_out, n_out);
    const Eigen::VectorXd spec = prop.SpecLowerBounds(c, Eigen::VectorXd::Zero(2 * n_out));
    for (int i = 0; i < net.num_layers(); ++i) {
      const size_t s = static_cast<size_t>(i);
      // per layer at least as tight as the parent's (the intersection); count where tighter than
      // without prior
      for (Eigen::Index j = 0; j < with.lo[s].size(); ++j) {
        ASSERT_GE(with.lo[s][j], prior.lo[s][j]) << "trial " << trial;
        ASSERT_LE(with.hi[s][j], prior.hi[s][j]) << "trial " << trial;
        if (with.hi[s][j] - with.lo[s][j] < plain.hi[s][j] - plain.lo[s][j]) ++tighter;
      }
    }
    for (int k = 0; k < 40; ++k) {
      const Eigen::VectorXd x = SamplePoint(rng, child);
      const std::vector<Eigen::VectorXd> values = net.EvaluateAll(x);
      for (int i = 0; i < net.num_layers(); ++i) {
        const size_t s = static_cast<size_t>(i);
        for (Eigen::Index j = 0; j < values[s].size(); ++j) {
          ASSERT_GE(values[s][j], with.lo[s][j]) << "trial " << trial << " layer " << i;
          ASSERT_LE(values[s][j], with.hi[s][j]) << "trial " << trial << " layer " << i;
        }
      }
      const Eigen::VectorXd& y = values[static_cast<size_t>(net.output_layer())];
      for (int j = 0; j < n_out; ++j) {
        ASSERT_GE(y[j], spec[j]) << "trial " << trial;
        ASSERT_GE(-y[j], spec[n_out + j]) << "trial " << trial;
      }
    }
  }
  EXPECT_GT(tighter, 100);  // the prior must actually tighten some bounds
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

// The slope optimisation (alpha-CROWN on the spec rows): on thousands of random networks its bounds
// lie below every sampled value, are never looser than the slope search it starts from (plain
// CROWN with the same slopes), and are strictly tighter on a good share of the rows.
TEST(BoundsTest, OptimisedSlopesAreSoundAndNeverLooser) {
  core::Rng rng(31337);
  int improved = 0, rows_total = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(4));
    const int n_out = 1 + static_cast<int>(rng.UniformInt(3));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 4 != 0);
    const Box box = RandomBox(rng, n_in);
    const int n_rows = 1 + static_cast<int>(rng.UniformInt(4));
    Eigen::MatrixXd c(n_rows, n_out);
    for (int r = 0; r < n_rows; ++r)
      for (int j = 0; j < n_out; ++j) c(r, j) = rng.Normal(0.0, 1.0);
    Eigen::VectorXd d(n_rows);
    for (int r = 0; r < n_rows; ++r) d[r] = rng.Normal(0.0, 1.0);
    BoundPropagator prop(net);
    prop.set_slope_search(true);
    prop.set_coeffs_from_best(trial % 2 == 0);
    prop.Propagate(box, trial % 5 == 0 ? BoundMethod::kSymbolic : BoundMethod::kCrown);
    Eigen::MatrixXd a0, a1;
    const Eigen::VectorXd plain = prop.SpecLowerBounds(c, d, &a0);
    prop.set_alpha_steps(1 + trial % 25);
    const Eigen::VectorXd opt = prop.SpecLowerBounds(c, d, &a1);
    prop.set_alpha_steps(0);
    ASSERT_EQ(a1.rows(), n_rows);
    ASSERT_EQ(a1.cols(), n_in);
    for (int r = 0; r < n_rows; ++r) {
      ASSERT_GE(opt[r], plain[r]) << "trial " << trial << " row " << r;
      if (opt[r] > plain[r] + 1e-9 * (1.0 + std::abs(plain[r]))) ++improved;
      ++rows_total;
    }
    for (int s = 0; s < 40; ++s) {
      const Eigen::VectorXd v = c * net.Evaluate(SamplePoint(rng, box)) - d;
      for (int r = 0; r < n_rows; ++r) ASSERT_LE(opt[r], v[r]) << "trial " << trial << " row " << r;
    }
    // optimised intermediate bounds: every layer's bounds contain its sampled values
    if (trial % 3 == 1) {
      prop.set_alpha_intermediate_steps(1 + trial % 12);
      prop.set_alpha_steps(10);
      prop.set_alpha_stop_when_positive(trial % 2 == 0);
      prop.Propagate(box, BoundMethod::kCrown);
      const Eigen::VectorXd lb = prop.SpecLowerBounds(c, d);
      prop.set_alpha_intermediate_steps(0);
      prop.set_alpha_steps(0);
      prop.set_alpha_stop_when_positive(false);
      for (int s = 0; s < 30; ++s) {
        const std::vector<Eigen::VectorXd> values = net.EvaluateAll(SamplePoint(rng, box));
        for (int i = 0; i < net.num_layers(); ++i) {
          for (Eigen::Index j = 0; j < values[static_cast<size_t>(i)].size(); ++j) {
            ASSERT_GE(values[static_cast<size_t>(i)][j], prop.lower(i)[j]) << "trial " << trial << " layer " << i;
            ASSERT_LE(values[static_cast<size_t>(i)][j], prop.upper(i)[j]) << "trial " << trial << " layer " << i;
          }
        }
        const Eigen::VectorXd v = c * values[static_cast<size_t>(net.output_layer())] - d;
        for (int r = 0; r < n_rows; ++r) ASSERT_LE(lb[r], v[r]) << "trial " << trial << " row " << r;
      }
    }
    // output bounds with the optimisation: sound and inside the plain CROWN ones
    if (trial % 3 == 0) {
      const Box crown = ComputeOutputBounds(net, box, BoundMethod::kCrown);
      const Box alpha = ComputeOutputBounds(net, box, BoundMethod::kCrown, 20);
      for (int j = 0; j < n_out; ++j) {
        ASSERT_GE(alpha.lo[j], crown.lo[j]) << "trial " << trial;
        ASSERT_LE(alpha.hi[j], crown.hi[j]) << "trial " << trial;
      }
      for (int s = 0; s < 20; ++s) {
        const Eigen::VectorXd y = net.Evaluate(SamplePoint(rng, box));
        for (int j = 0; j < n_out; ++j) {
          ASSERT_GE(y[j], alpha.lo[j]) << "trial " << trial;
          ASSERT_LE(y[j], alpha.hi[j]) << "trial " << trial;
        }
      }
    }
  }
  // the optimisation must pay off on a good share of the rows
  EXPECT_GT(improved, rows_total / 10) << improved << " of " << rows_total;
  RecordProperty("rows_tighter", improved);
  RecordProperty("rows", rows_total);
}

// The optimised row combination: its bound never exceeds the largest row's value at a sample (the
// weights are nonnegative and sum to 1), and it refutes conjunctions the rows alone do not.
TEST(BoundsTest, RowCombinationIsSound) {
  core::Rng rng(4711);
  int proved_by_combination = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(3));
    const int n_out = 2 + static_cast<int>(rng.UniformInt(3));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 4 != 0);
    const Box box = RandomBox(rng, n_in);
    const int n_rows = 2 + static_cast<int>(rng.UniformInt(3));
    Eigen::MatrixXd c(n_rows, n_out);
    for (int r = 0; r < n_rows; ++r)
      for (int j = 0; j < n_out; ++j) c(r, j) = rng.Normal(0.0, 1.0);
    Eigen::VectorXd d(n_rows);
    for (int r = 0; r < n_rows; ++r) d[r] = rng.Normal(0.0, 1.0);
    BoundPropagator prop(net);
    prop.set_slope_search(true);
    prop.Propagate(box, BoundMethod::kCrown);
    // shift the rows so that the best plain bound is just below 0
    const Eigen::VectorXd plain = prop.SpecLowerBounds(c, d);
    if (!std::isfinite(plain.maxCoeff())) continue;
    d.array() += plain.maxCoeff() + rng.Uniform(0.0, 0.3);
    prop.set_alpha_steps(20);
    prop.set_alpha_stop_when_positive(true);
    prop.set_combine_rows(true);
    const Eigen::VectorXd lb = prop.SpecLowerBounds(c, d);
    const double comb = prop.last_combination_bound();
    if (comb > 0.0 && lb.maxCoeff() <= 0.0) ++proved_by_combination;
    for (int s = 0; s < 60; ++s) {
      const Eigen::VectorXd v = c * net.Evaluate(SamplePoint(rng, box)) - d;
      ASSERT_LE(comb, v.maxCoeff() + 1e-12 * (1.0 + std::abs(v.maxCoeff()))) << "trial " << trial;
      for (int r = 0; r < n_rows; ++r) ASSERT_LE(lb[r], v[r]) << "trial " << trial;
    }
  }
  EXPECT_GT(proved_by_combination, 10) << proved_by_combination;
  RecordProperty("refuted_by_combination_only", proved_by_combination);
}

// Hand-computed: relu(x) - x/2 on [-1, 1] has minimum 0 (at x = 0). The lower slopes 0 and 1 (and
// the adaptive choice, 0 here) give the bound -1/2; the optimal slope 1/2 gives 0.
TEST(BoundsTest, OptimisedSlopeFindsTheInteriorOptimum) {
  Network net;
  const int x = net.AddInput(1);
  const int h = net.AddLinear({LinearTerm::Dense(x, Eigen::MatrixXd::Constant(1, 1, 1.0))}, Eigen::VectorXd::Zero(1));
  const int r = net.AddActivation(LayerKind::kRelu, h);
  net.SetOutput(net.AddLinear({LinearTerm::Dense(r, Eigen::MatrixXd::Constant(1, 1, 1.0)),
                               LinearTerm::Dense(x, Eigen::MatrixXd::Constant(1, 1, -0.5))},
                              Eigen::VectorXd::Zero(1)));
  const Box box{Eigen::VectorXd::Constant(1, -1.0), Eigen::VectorXd::Constant(1, 1.0)};
  BoundPropagator prop(net);
  prop.set_slope_search(true);
  prop.Propagate(box, BoundMethod::kCrown);
  const Eigen::MatrixXd c = Eigen::MatrixXd::Constant(1, 1, 1.0);
  const Eigen::VectorXd d = Eigen::VectorXd::Zero(1);
  EXPECT_NEAR(prop.SpecLowerBounds(c, d)[0], -0.5, 1e-9);
  prop.set_alpha_steps(30);
  const double lb = prop.SpecLowerBounds(c, d)[0];
  EXPECT_LE(lb, 0.0);
  EXPECT_GT(lb, -0.05);
  EXPECT_GT(prop.last_alpha_steps(), 0);
  // stopping at the first positive bound: y - (-1) > 0 is proved by the slope search alone
  prop.set_alpha_stop_when_positive(true);
  EXPECT_GT(prop.SpecLowerBounds(c, Eigen::VectorXd::Constant(1, -1.0))[0], 0.0);
  EXPECT_EQ(prop.last_alpha_steps(), 0);
}

}  // namespace
}  // namespace gauntlet::verifier::formal
