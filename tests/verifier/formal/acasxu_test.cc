// ACAS Xu smoke tests (VNN-COMP instances with known answers) on the networks and properties in
// data/acasxu; a missing file fails the test.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "models/model.h"
#include "verifier/formal/checks.h"
#include "verifier/formal/vnnlib.h"

namespace gauntlet::verifier::formal {
namespace {

const std::string kDir = std::string(GAUNTLET_ACASXU_DIR) + "/";

ProveResult Prove(const std::string& net, int prop) {
  const auto model = models::Model::LoadModel(kDir + "onnx/ACASXU_run2a_" + net + "_batch_2000.onnx");
  const VnnlibProperty p = LoadVnnlib(kDir + "vnnlib/prop_" + std::to_string(prop) + ".vnnlib", 5, 5);
  ProveOptions options;
  options.timeout_s = 100.0;  // generous: these take well under a second of CPU
  return ProveModel(*model, p, options);
}

TEST(AcasXuTest, Property1OnNet11Holds) {
  const ProveResult r = Prove("1_1", 1);
  EXPECT_EQ(r.verdict, Verdict::kHolds) << r.detail;
}

TEST(AcasXuTest, Property3OnNet11Holds) {
  const ProveResult r = Prove("1_1", 3);
  EXPECT_EQ(r.verdict, Verdict::kHolds) << r.detail;
}

// Property 2 is violated on most networks of the first row >= 2 (VNN-COMP: sat). The counterexample
// lies in the box and makes COC the largest score.
TEST(AcasXuTest, Property2OnNet22IsViolatedWithAConfirmedCounterexample) {
  const ProveResult r = Prove("2_2", 2);
  ASSERT_EQ(r.verdict, Verdict::kViolated) << r.detail;
  const auto model = models::Model::LoadModel(kDir + "onnx/ACASXU_run2a_2_2_batch_2000.onnx");
  const Eigen::VectorXd y = MakeForwardPass(*model)(r.counterexample);
  for (int j = 1; j < 5; ++j) EXPECT_LE(y[j], y[0]);
  const VnnlibProperty p = LoadVnnlib(kDir + "vnnlib/prop_2.vnnlib", 5, 5);
  EXPECT_TRUE((r.counterexample.array() >= p.regions[0].box.lo.array()).all());
  EXPECT_TRUE((r.counterexample.array() <= p.regions[0].box.hi.array()).all());
}

// Property 8 on net 2_9 is violated (VNN-COMP: sat) on about 4e-4 of its box only: the sampling
// attack and the small-step PGD from its best samples find it before any branching, whatever the seed.
TEST(AcasXuTest, Property8OnNet29IsViolatedByTheAttack) {
  const auto model = models::Model::LoadModel(kDir + "onnx/ACASXU_run2a_2_9_batch_2000.onnx");
  const VnnlibProperty p = LoadVnnlib(kDir + "vnnlib/prop_8.vnnlib", 5, 5);
  for (const uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
    ProveOptions options;
    options.timeout_s = 100.0;
    options.seed = seed;
    options.max_boxes = 0;  // the attack alone
    const ProveResult r = ProveModel(*model, p, options);
    ASSERT_EQ(r.verdict, Verdict::kViolated) << "seed " << seed << ": " << r.detail;
    const Eigen::VectorXd y = MakeForwardPass(*model)(r.counterexample);
    bool reached = false;
    for (const OutputConjunction& c : p.regions[0].unsafe) reached = reached || c.IsSatisfiedBy(y);
    EXPECT_TRUE(reached) << "seed " << seed;
    EXPECT_TRUE((r.counterexample.array() >= p.regions[0].box.lo.array()).all());
    EXPECT_TRUE((r.counterexample.array() <= p.regions[0].box.hi.array()).all());
  }
}

}  // namespace
}  // namespace gauntlet::verifier::formal
