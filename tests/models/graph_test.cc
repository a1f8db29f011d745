#include "models/graph.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/models/graph_builder.h"

namespace gauntlet::models {
namespace {

using testing::N;
using testing::T;

std::string CreateError(std::vector<Tensor> tensors, std::vector<Node> nodes, std::vector<TensorId> in,
                        std::vector<TensorId> out) {
  try {
    (void)Graph::Create("g.onnx", std::move(tensors), std::move(nodes), std::move(in), std::move(out));
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(GraphTest, OrdersNodesTopologicallyAndInfersShapes) {
  // given in reverse order: y = Relu(Gemm(Flatten(x), W))
  std::vector<Tensor> t = {T(0, "x", {1, 2, 2}), T(1, "W", {4, 3}, std::vector<double>(12, 0.5)), T(2, "f", {}),
                           T(3, "g", {}), T(4, "y", {})};
  const Graph g = Graph::Create("g.onnx", t,
                                {N("relu", OpKind::kRelu, {3}, 4), N("gemm", OpKind::kGemm, {2, 1}, 3),
                                 N("flat", OpKind::kFlatten, {0}, 2)},
                                {0}, {4});
  ASSERT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(g.nodes()[0].name, "flat");
  EXPECT_EQ(g.nodes()[1].name, "gemm");
  EXPECT_EQ(g.nodes()[2].name, "relu");
  EXPECT_EQ(g.tensor(2).shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(g.tensor(4).shape, (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(g.batch_leading());
  EXPECT_EQ(g.FindTensor("W")->element_count(), 12);
  EXPECT_EQ(OpKindName(OpKind::kBatchNormalization), "BatchNormalization");
  EXPECT_EQ(OpKindFromName("Softplus"), OpKind::kSoftplus);
  EXPECT_EQ(OpKindFromName("Softmax"), std::nullopt);
}

TEST(GraphTest, BatchLeadingIsFalseWhenTheBatchDimIsMixed) {
  // Flatten with axis 0 folds the batch into the features
  Node flat = N("flat", OpKind::kFlatten, {0}, 1);
  flat.attrs.axis = 0;
  const Graph g = Graph::Create("g.onnx", {T(0, "x", {1, 3}), T(1, "y", {})}, {flat}, {0}, {1});
  EXPECT_FALSE(g.batch_leading());
  EXPECT_EQ(g.tensor(1).shape, (std::vector<int64_t>{1, 3}));
}

TEST(GraphTest, Errors) {
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "a", {}), T(2, "b", {})},
                        {N("one", OpKind::kAdd, {0, 2}, 1), N("two", OpKind::kRelu, {1}, 2)}, {0}, {2}),
            "g.onnx: error: node 'one' (Add): is on a cycle (a graph must be acyclic)");
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "a", {})}, {N("self", OpKind::kAdd, {0, 1}, 1)}, {0}, {1}),
            "g.onnx: error: node 'self' (Add): is on a cycle (a graph must be acyclic)");
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "y", {})}, {}, {0}, {1}),
            "g.onnx: error: graph output 'y' is not computed by any node");
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "W", {3}, std::vector<double>{1, 2}), T(2, "y", {})},
                        {N("mul", OpKind::kMul, {0, 1}, 2)}, {0}, {2}),
            "g.onnx: error: tensor 'W' has 2 values for shape [3], used by node 'mul' (Mul)");
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "y", {})}, {N("bn", OpKind::kBatchNormalization, {0}, 1)}, {0}, {1}),
            "g.onnx: error: node 'bn' (BatchNormalization): expects 5 operands, got 1");
  EXPECT_EQ(CreateError({T(0, "x", {1, 2}), T(1, "inf", {1}, std::vector<double>{1.0 / 0.0}), T(2, "y", {})},
                        {N("add", OpKind::kAdd, {0, 1}, 2)}, {0}, {2}),
            "g.onnx: error: tensor 'inf' holds inf at element 0, used by node 'add' (Add)");
}

TEST(GraphTest, RefusesGraphsWhoseIntermediatesWouldExhaustMemory) {
  // a chain of Relus over 2^24 values: 7 of them hold 117 M values (loads), 9 hold 151 M (refused
  // before anything is allocated)
  auto chain = [](int length) {
    std::vector<Tensor> t = {T(0, "x", {1, int64_t{1} << 24})};
    std::vector<Node> n;
    for (int k = 1; k <= length; ++k) {
      t.push_back(T(k, "t" + std::to_string(k), {}));
      n.push_back(N("relu" + std::to_string(k), OpKind::kRelu, {k - 1}, k));
    }
    return CreateError(t, n, {0}, {length});
  };
  EXPECT_EQ(chain(7), "no error");
  EXPECT_EQ(chain(9),
            "g.onnx: error: the graph's intermediate tensors hold 150994944 values per evaluation (at most 2^27 = "
            "134217728, 1 GiB)");
}

}  // namespace
}  // namespace gauntlet::models
