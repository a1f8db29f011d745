#include "verifier/formal/network.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/verifier/formal/random_network.h"

namespace gauntlet::verifier::formal {
namespace {

using testing::RandomBox;
using testing::RandomNetwork;
using testing::SamplePoint;

// The batched forward pass gives each column's Evaluate (up to the rounding of another summation
// order), on random networks with every activation kind, skip connections and diagonal layers.
TEST(NetworkTest, EvaluateBatchMatchesEvaluate) {
  core::Rng rng(8675309);
  for (int trial = 0; trial < 500; ++trial) {
    const int n_in = 1 + static_cast<int>(rng.UniformInt(5));
    const int n_out = 1 + static_cast<int>(rng.UniformInt(4));
    const Network net = RandomNetwork(rng, n_in, n_out, trial % 2 == 0);
    const Box box = RandomBox(rng, n_in);
    const int n = static_cast<int>(rng.UniformInt(40));  // includes an empty batch
    Eigen::MatrixXd x(n_in, n);
    for (int c = 0; c < n; ++c) x.col(c) = SamplePoint(rng, box);
    const Eigen::MatrixXd y = net.EvaluateBatch(x);
    ASSERT_EQ(y.rows(), n_out);
    ASSERT_EQ(y.cols(), n);
    for (int c = 0; c < n; ++c) {
      const Eigen::VectorXd expect = net.Evaluate(x.col(c));
      for (int j = 0; j < n_out; ++j) {
        EXPECT_NEAR(y(j, c), expect[j], 1e-12 * (1.0 + std::abs(expect[j]))) << "trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace gauntlet::verifier::formal
