#include "verifier/formal/branch_and_bound.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/verifier/formal/random_network.h"

namespace gauntlet::verifier::formal {
namespace {

using testing::RandomNetwork;

// An upper bound of the Lipschitz constant of output 0 in the infinity norm (product of |W| norms;
// every activation here has slope <= 1).
double Lipschitz(const Network& net) {
  std::vector<double> lip(static_cast<size_t>(net.num_layers()), 0.0);
  lip[0] = 1.0;
  for (int i = 1; i < net.num_layers(); ++i) {
    const Layer& l = net.layer(i);
    if (l.kind == LayerKind::kLinear) {
      double total = 0.0;
      for (const LinearTerm& t : l.terms) {
        const double norm = t.diagonal ? t.diag.cwiseAbs().maxCoeff() : t.weight.cwiseAbs().rowwise().sum().maxCoeff();
        total += norm * lip[static_cast<size_t>(t.parent)];
      }
      lip[static_cast<size_t>(i)] = total;
    } else {
      lip[static_cast<size_t>(i)] = lip[static_cast<size_t>(l.input)];
    }
  }
  return lip[static_cast<size_t>(net.output_layer())];
}

ForwardPass Plain(const Network& net) {
  return [&net](const Eigen::VectorXd& x) { return net.Evaluate(x); };
}

// On 1- and 2-input networks, the verdict of "y_0 <= t on the box" agrees with a dense grid: when the
// grid exceeds t the property is violated; when t is above the grid maximum plus the Lipschitz slack
// it holds. Thresholds in between are not decided by the grid and are skipped.
TEST(BranchAndBoundTest, VerdictsAgreeWithDenseChecksOnSmallNetworks) {
  core::Rng rng(424242);
  int holds = 0, violated = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int n_in = 1 + trial % 2;
    const Network net = RandomNetwork(rng, n_in, 1, trial % 3 != 0);
    Box box{Eigen::VectorXd::Constant(n_in, -1.0), Eigen::VectorXd::Constant(n_in, 1.0)};
    const int steps = n_in == 1 ? 2000 : 150;
    double grid_max = -INFINITY;
    Eigen::VectorXd x(n_in);
    for (int a = 0; a <= steps; ++a) {
      for (int b = 0; b <= (n_in == 2 ? steps : 0); ++b) {
        x[0] = -1.0 + 2.0 * a / steps;
        if (n_in == 2) x[1] = -1.0 + 2.0 * b / steps;
        grid_max = std::max(grid_max, net.Evaluate(x)[0]);
      }
    }
    const double slack = Lipschitz(net) * (2.0 / steps);
    const bool expect_holds = trial % 2 == 0;
    const double t = expect_holds ? grid_max + slack + 1e-6 + rng.Uniform(0.0, 0.1)
                                  : grid_max - 1e-3 - rng.Uniform(0.0, 0.2);
    PropertyRegion region;
    region.box = box;
    OutputConjunction unsafe;  // y_0 > t
    unsafe.c = Eigen::MatrixXd::Constant(1, 1, -1.0);
    unsafe.d = Eigen::VectorXd::Constant(1, -t);
    unsafe.strict = {true};
    region.unsafe.push_back(unsafe);
    ProveOptions options;
    options.timeout_s = 30.0;
    options.threads = 1 + trial % 2;
    // with and without the slope optimisation (everywhere, or on the first levels only)
    options.alpha_steps = trial % 3 == 0 ? 0 : 10;
    options.alpha_depth = trial % 4 == 1 ? 3 : 1000;
    options.alpha_intermediate_steps = trial % 7 == 0 ? 5 : 0;
    options.trial_split_dims = trial % 5 < 2 ? 0 : 1 + trial % 4;
    const ProveResult r = ProveProperty(net, {region}, options, Plain(net));
    if (expect_holds) {
      ASSERT_EQ(r.verdict, Verdict::kHolds) << "trial " << trial << ": " << r.detail;
      ++holds;
    } else {
      ASSERT_EQ(r.verdict, Verdict::kViolated) << "trial " << trial << ": " << r.detail;
      ASSERT_GT(net.Evaluate(r.counterexample)[0], t);
      ASSERT_TRUE((r.counterexample.array() >= box.lo.array()).all());
      ASSERT_TRUE((r.counterexample.array() <= box.hi.array()).all());
      ++violated;
    }
  }
  EXPECT_EQ(holds, 150);
  EXPECT_EQ(violated, 150);
}

// Conjunctions of 2-3 rows with random (inexact) coefficients on 2-input networks with 2-3 outputs:
// the verdict agrees with a dense grid of margin = max_k (c_k . y - d_k) (reached where <= 0), with
// the slope optimisation and the trial splits on or off (the row combinations B&B adds must stay sound).
TEST(BranchAndBoundTest, MultiRowVerdictsAgreeWithDenseChecks) {
  core::Rng rng(8080);
  int holds = 0, violated = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const int n_out = 2 + trial % 2;
    const int n_rows = 2 + (trial / 2) % 2;
    const Network net = RandomNetwork(rng, 2, n_out, trial % 3 != 0);
    Box box{Eigen::VectorXd::Constant(2, -1.0), Eigen::VectorXd::Constant(2, 1.0)};
    OutputConjunction unsafe;
    unsafe.c.resize(n_rows, n_out);
    unsafe.d.resize(n_rows);
    for (int r = 0; r < n_rows; ++r) {
      for (int j = 0; j < n_out; ++j) unsafe.c(r, j) = rng.Normal(0.0, 1.0);
      unsafe.d[r] = rng.Normal(0.0, 1.0);
    }
    unsafe.strict.assign(static_cast<size_t>(n_rows), false);
    const int steps = 150;
    double grid_min = INFINITY;
    Eigen::VectorXd x(2);
    for (int a = 0; a <= steps; ++a) {
      for (int b = 0; b <= steps; ++b) {
        x << -1.0 + 2.0 * a / steps, -1.0 + 2.0 * b / steps;
        grid_min = std::min(grid_min, (unsafe.c * net.Evaluate(x) - unsafe.d).maxCoeff());
      }
    }
    const double slack = unsafe.c.cwiseAbs().rowwise().sum().maxCoeff() * Lipschitz(net) * (2.0 / steps);
    const bool expect_holds = trial % 2 == 0;
    // d + t shifts the margin by -t: holds iff t < the true minimum of the margin
    const double t = expect_holds ? grid_min - slack - 1e-6 - rng.Uniform(0.0, 0.1)
                                  : grid_min + 1e-3 + rng.Uniform(0.0, 0.2);
    unsafe.d.array() += t;
    PropertyRegion region;
    region.box = box;
    region.unsafe.push_back(unsafe);
    ProveOptions options;
    options.timeout_s = 30.0;
    options.threads = 1 + trial % 2;
    options.alpha_steps = trial % 3 == 0 ? 0 : 10;
    options.alpha_intermediate_steps = trial % 5 == 0 ? 5 : 0;
    options.trial_split_dims = trial % 4 < 2 ? 0 : 2;
    options.combine_rows = trial % 3 != 2;
    const ProveResult r = ProveProperty(net, {region}, options, Plain(net));
    if (expect_holds) {
      ASSERT_EQ(r.verdict, Verdict::kHolds) << "trial " << trial << ": " << r.detail;
      ++holds;
    } else {
      ASSERT_EQ(r.verdict, Verdict::kViolated) << "trial " << trial << ": " << r.detail;
      ASSERT_TRUE(unsafe.IsSatisfiedBy(net.Evaluate(r.counterexample)));
      ++violated;
    }
  }
  EXPECT_EQ(holds, 40);
  EXPECT_EQ(violated, 40);
}

// A counterexample that the internal network accepts but the confirming forward pass rejects is
// never reported: with a confirm that always disagrees, a violated property ends unknown/timeout.
TEST(BranchAndBoundTest, NeverReportsAnUnconfirmedCounterexample) {
  core::Rng rng(5);
  const Network net = RandomNetwork(rng, 2, 1, true);
  PropertyRegion region;
  region.box = Box{Eigen::VectorXd::Constant(2, -1.0), Eigen::VectorXd::Constant(2, 1.0)};
  OutputConjunction always;  // no rows: every input is unsafe
  always.c.resize(0, 1);
  always.d.resize(0);
  region.unsafe.push_back(always);
  ProveOptions options;
  options.timeout_s = 0.5;
  options.max_boxes = 2000;
  const ProveResult r = ProveProperty(net, {region}, options, [](const Eigen::VectorXd&) {
    return Eigen::VectorXd::Constant(1, NAN);
  });
  // a conjunction with no rows accepts any output, even NaN
  EXPECT_EQ(r.verdict, Verdict::kViolated);
  OutputConjunction row;
  row.c = Eigen::MatrixXd::Constant(1, 1, 1.0);
  row.d = Eigen::VectorXd::Constant(1, 1e9);  // y <= 1e9: true for the network, false for NaN
  row.strict = {false};
  region.unsafe = {row};
  const ProveResult r2 = ProveProperty(net, {region}, options, [](const Eigen::VectorXd&) {
    return Eigen::VectorXd::Constant(1, NAN);
  });
  EXPECT_NE(r2.verdict, Verdict::kViolated);
  EXPECT_NE(r2.verdict, Verdict::kHolds);
}

// Serial and parallel runs give the same verdict and the same number of boxes.
TEST(BranchAndBoundTest, SerialAndParallelAgree) {
  core::Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const Network net = RandomNetwork(rng, 2, 2, true);
    PropertyRegion region;
    region.box = Box{Eigen::VectorXd::Constant(2, -1.0), Eigen::VectorXd::Constant(2, 1.0)};
    const Box out = ComputeOutputBounds(net, region.box, BoundMethod::kCrown);
    OutputConjunction unsafe;  // y_0 - y_1 >= mid of its range
    unsafe.c = (Eigen::MatrixXd(1, 2) << -1.0, 1.0).finished();
    unsafe.d = Eigen::VectorXd::Constant(1, -(0.5 * (out.lo[0] + out.hi[0]) - 0.5 * (out.lo[1] + out.hi[1]) + 0.3));
    unsafe.strict = {false};
    region.unsafe.push_back(unsafe);
    ProveOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const ProveResult a = ProveProperty(net, {region}, one, Plain(net));
    const ProveResult b = ProveProperty(net, {region}, two, Plain(net));
    ASSERT_EQ(a.verdict, b.verdict) << trial;
    if (a.verdict == Verdict::kHolds) {
      ASSERT_EQ(a.boxes, b.boxes) << trial;
    }
  }
}

}  // namespace
}  // namespace gauntlet::verifier::formal
