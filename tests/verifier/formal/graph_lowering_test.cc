#include "verifier/formal/graph_lowering.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "models/model.h"
#include "verifier/formal/bounds.h"
#include "verifier/formal/branch_and_bound.h"
#include "verifier/formal/checks.h"
#include "tests/models/graph_builder.h"

namespace gauntlet::verifier::formal {
namespace {

using models::Node;
using models::OpKind;
using models::Tensor;
using models::TensorId;

using models::testing::N;
using models::testing::T;

std::vector<double> Random(core::Rng& rng, size_t n, double scale = 1.0) {
  std::vector<double> v(n);
  for (double& x : v) x = rng.Normal(0.0, scale);
  return v;
}

// A graph exercising every operator that lowers: x[1,3] -> Sub(mean) -> Div(std) -> Gemm(transB) ->
// LeakyRelu -> Reshape[1,2,2] -> BatchNormalization -> Flatten -> {Clip, Sigmoid, Tanh, Softplus, Neg, Relu}
// -> Concat -> MatMul -> Add(Mul(.,c)) with a skip from the Gemm output -> Unsqueeze -> Squeeze -> Identity.
std::shared_ptr<const models::Model> AllOperatorsModel(uint64_t seed) {
  core::Rng rng(seed);
  std::vector<Tensor> t;
  std::vector<Node> nodes;
  auto add = [&](std::string name, std::vector<int64_t> shape, std::optional<std::vector<double>> data = {}) {
    const TensorId id = static_cast<TensorId>(t.size());
    t.push_back(T(id, std::move(name), std::move(shape), std::move(data)));
    return id;
  };
  const TensorId x = add("x", {1, 3});
  const TensorId mean = add("mean", {3}, Random(rng, 3, 0.1));
  const TensorId stdev = add("std", {1, 3}, std::vector<double>{1.5, 0.5, 2.0});
  const TensorId w = add("w", {4, 3}, Random(rng, 12));
  const TensorId b = add("b", {4}, Random(rng, 4, 0.3));
  const TensorId s1 = add("s1", {}), s2 = add("s2", {}), g = add("g", {}), lr = add("lr", {}), rs = add("rs", {});
  const TensorId bn_scale = add("bn_scale", {2}, Random(rng, 2));
  const TensorId bn_b = add("bn_b", {2}, Random(rng, 2, 0.2));
  const TensorId bn_mean = add("bn_mean", {2}, Random(rng, 2, 0.2));
  const TensorId bn_var = add("bn_var", {2}, std::vector<double>{0.5, 2.0});
  const TensorId bn = add("bn", {}), fl = add("fl", {});
  const TensorId clip = add("clip", {}), sig = add("sig", {}), th = add("th", {}), sp = add("sp", {}), neg = add("neg", {}),
                 relu = add("relu", {});
  const TensorId cat = add("cat", {});
  const TensorId w2 = add("w2", {24, 2}, Random(rng, 48, 0.5));
  const TensorId mm = add("mm", {});
  const TensorId c = add("c", {2}, std::vector<double>{0.5, -2.0});
  const TensorId mul = add("mul", {});
  const TensorId w3 = add("w3", {4, 2}, Random(rng, 8, 0.5));
  const TensorId skip = add("skip", {});
  const TensorId sum = add("sum", {}), un = add("un", {}), sq = add("sq", {}), y = add("y", {});
  nodes.push_back(N("sub", OpKind::kSub, {x, mean}, s1));
  nodes.push_back(N("div", OpKind::kDiv, {s1, stdev}, s2));
  Node gemm = N("gemm", OpKind::kGemm, {s2, w, b}, g);
  gemm.attrs.trans_b = true;
  gemm.attrs.alpha = 0.75;
  nodes.push_back(gemm);
  Node leaky = N("leaky", OpKind::kLeakyRelu, {g}, lr);
  leaky.attrs.alpha = 0.1;
  nodes.push_back(leaky);
  Node reshape = N("reshape", OpKind::kReshape, {lr}, rs);
  reshape.attrs.reshape_target = {1, 2, 2};
  nodes.push_back(reshape);
  nodes.push_back(N("bn", OpKind::kBatchNormalization, {rs, bn_scale, bn_b, bn_mean, bn_var}, bn));
  nodes.push_back(N("flatten", OpKind::kFlatten, {bn}, fl));
  Node clip_node = N("clip", OpKind::kClip, {fl}, clip);
  clip_node.attrs.clip_min = -0.5;
  clip_node.attrs.clip_max = 0.7;
  nodes.push_back(clip_node);
  nodes.push_back(N("sigmoid", OpKind::kSigmoid, {fl}, sig));
  nodes.push_back(N("tanh", OpKind::kTanh, {fl}, th));
  nodes.push_back(N("softplus", OpKind::kSoftplus, {fl}, sp));
  nodes.push_back(N("neg", OpKind::kNeg, {fl}, neg));
  nodes.push_back(N("relu", OpKind::kRelu, {fl}, relu));
  Node concat = N("concat", OpKind::kConcat, {clip, sig, th, sp, neg, relu}, cat);
  concat.attrs.axis = 1;
  nodes.push_back(concat);
  nodes.push_back(N("matmul", OpKind::kMatMul, {cat, w2}, mm));
  nodes.push_back(N("mul", OpKind::kMul, {mm, c}, mul));
  nodes.push_back(N("skip", OpKind::kMatMul, {g, w3}, skip));
  nodes.push_back(N("add", OpKind::kAdd, {mul, skip}, sum));
  Node unsq = N("unsqueeze", OpKind::kUnsqueeze, {sum}, un);
  unsq.attrs.axes = {0};
  nodes.push_back(unsq);
  Node sqz = N("squeeze", OpKind::kSqueeze, {un}, sq);
  sqz.attrs.axes = {0};
  nodes.push_back(sqz);
  nodes.push_back(N("identity", OpKind::kIdentity, {sq}, y));
  return models::Model::FromGraph(models::Graph::Create("all.onnx", std::move(t), std::move(nodes), {x}, {y}));
}

// The lowered network computes what the model computes, and its bounds contain the model's own
// float64 forward pass on random boxes.
TEST(GraphLoweringTest, EveryOperatorLowersAndBoundsContainTheModel) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const auto model = AllOperatorsModel(seed);
    const Network net = LowerGraph(model->graph());
    ASSERT_EQ(net.input_size(), 3);
    ASSERT_EQ(net.output_size(), 2);
    const ForwardPass forward = MakeForwardPass(*model);
    core::Rng rng(seed * 77);
    for (int trial = 0; trial < 10; ++trial) {
      Box box{Eigen::VectorXd(3), Eigen::VectorXd(3)};
      for (int i = 0; i < 3; ++i) {
        const double cc = rng.Uniform(-2.0, 2.0), r = rng.Uniform(0.0, 1.0);
        box.lo[i] = cc - r;
        box.hi[i] = cc + r;
      }
      const Box ibp = ComputeOutputBounds(net, box, BoundMethod::kIbp);
      const Box crown = ComputeOutputBounds(net, box, BoundMethod::kCrown);
      for (int s = 0; s < 50; ++s) {
        Eigen::VectorXd x(3);
        for (int i = 0; i < 3; ++i) x[i] = rng.Uniform(box.lo[i], box.hi[i]);
        const Eigen::VectorXd ym = forward(x);
        const Eigen::VectorXd yn = net.Evaluate(x);
        for (int j = 0; j < 2; ++j) {
          ASSERT_NEAR(ym[j], yn[j], 1e-12 * (1.0 + std::abs(ym[j]))) << "seed " << seed;
          ASSERT_GE(ym[j], crown.lo[j]) << "seed " << seed;
          ASSERT_LE(ym[j], crown.hi[j]) << "seed " << seed;
          ASSERT_GE(ym[j], ibp.lo[j]) << "seed " << seed;
          ASSERT_LE(ym[j], ibp.hi[j]) << "seed " << seed;
        }
      }
    }
  }
}

TEST(GraphLoweringTest, ProductOfComputedTensorsIsAClearError) {
  std::vector<Tensor> t = {T(0, "x", {1, 2}), T(1, "sq", {})};
  const auto model = models::Model::FromGraph(
      models::Graph::Create("sq.onnx", std::move(t), {N("square", OpKind::kMul, {0, 0}, 1)}, {0}, {1}));
  try {
    (void)LowerGraph(model->graph());
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(), "sq.onnx: error: node 'square' (Mul): a product of two computed tensors is not linear and "
                           "cannot be bounded");
  }
}

// The library checks on a model: output bounds and local robustness, both directions.
TEST(GraphLoweringTest, OutputBoundsAndLocalRobustnessChecks) {
  const auto model = AllOperatorsModel(3);
  const std::vector<double> lo = {-0.5, -0.5, -0.5}, hi = {0.5, 0.5, 0.5};
  // limits from the CROWN bounds widened: holds
  const FormalCheckResult loose = OutputBoundsCheck(*model, lo, hi, {-1e6, -1e6}, {1e6, 1e6}, 10.0);
  EXPECT_EQ(loose.verdict, Verdict::kHolds) << loose.detail;
  ASSERT_EQ(loose.output_lo.size(), 2u);
  // the value at the centre is outside the limits: violated, with a confirmed counterexample
  const Eigen::VectorXd y0 = MakeForwardPass(*model)(Eigen::VectorXd::Zero(3));
  const FormalCheckResult tight =
      OutputBoundsCheck(*model, lo, hi, {y0[0] + 1e-3, -INFINITY}, {INFINITY, INFINITY}, 10.0);
  ASSERT_EQ(tight.verdict, Verdict::kViolated) << tight.detail;
  EXPECT_LT(tight.counterexample_output[0], y0[0] + 1e-3);
  // robustness: a tiny epsilon with a generous delta holds; a large epsilon with delta 0 is violated
  LocalRobustnessSpec spec{.point = {0.1, -0.2, 0.3}, .epsilon = {1e-4}, .mode = RobustnessMode::kOutputDelta,
                           .delta = 1.0};
  EXPECT_EQ(LocalRobustnessCheck(*model, spec, 10.0).verdict, Verdict::kHolds);
  spec.epsilon = {0.5};
  spec.delta = 0.0;
  const FormalCheckResult r = LocalRobustnessCheck(*model, spec, 10.0);
  EXPECT_EQ(r.verdict, Verdict::kViolated);
  spec.mode = RobustnessMode::kArgmaxStable;
  spec.epsilon = {1e-6};
  EXPECT_EQ(LocalRobustnessCheck(*model, spec, 10.0).verdict, Verdict::kHolds);
}

}  // namespace
}  // namespace gauntlet::verifier::formal

namespace gauntlet::verifier::formal {
namespace {

// A clip is lowered as a chain of one-sided clamps, so interval bounds through it stay within its
// limits (a sum of two ReLUs would lose their correlation): the zoo controller ends in Clip(-9, 3).
TEST(GraphLoweringTest, ClipBoundsStayWithinTheClipLimits) {
  const auto model = models::Model::LoadModel(std::string(GAUNTLET_SOURCE_DIR) + "/zoo/acc_good.onnx");
  const Network net = LowerGraph(model->graph());
  Box box{Eigen::VectorXd(3), Eigen::VectorXd(3)};
  box.lo << 0, 0, -15;
  box.hi << 150, 40, 40;
  for (BoundMethod method : {BoundMethod::kIbp, BoundMethod::kCrown}) {
    const Box out = ComputeOutputBounds(net, box, method);
    EXPECT_GE(out.lo[0], -9.0 - 1e-9);
    EXPECT_LE(out.hi[0], 3.0 + 1e-9);
    EXPECT_LE(out.lo[0], -9.0);  // sound: the limits themselves are reached
    EXPECT_GE(out.hi[0], 3.0);
  }
}

}  // namespace
}  // namespace gauntlet::verifier::formal
