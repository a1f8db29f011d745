#include "models/graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <iterator>
#include <map>

#include "core/check.h"
#include "core/error.h"
#include "core/format.h"
#include "models/internal/kernels.h"

namespace gauntlet::models {
namespace {

using internal::Dims;

struct OpInfo {
  OpKind kind;
  std::string_view name;
};

constexpr OpInfo kOps[] = {
    {OpKind::kGemm, "Gemm"},
    {OpKind::kMatMul, "MatMul"},
    {OpKind::kAdd, "Add"},
    {OpKind::kSub, "Sub"},
    {OpKind::kMul, "Mul"},
    {OpKind::kDiv, "Div"},
    {OpKind::kNeg, "Neg"},
    {OpKind::kRelu, "Relu"},
    {OpKind::kLeakyRelu, "LeakyRelu"},
    {OpKind::kSigmoid, "Sigmoid"},
    {OpKind::kTanh, "Tanh"},
    {OpKind::kSoftplus, "Softplus"},
    {OpKind::kClip, "Clip"},
    {OpKind::kIdentity, "Identity"},
    {OpKind::kFlatten, "Flatten"},
    {OpKind::kReshape, "Reshape"},
    {OpKind::kSqueeze, "Squeeze"},
    {OpKind::kUnsqueeze, "Unsqueeze"},
    {OpKind::kConcat, "Concat"},
    {OpKind::kConstant, "Constant"},
    {OpKind::kBatchNormalization, "BatchNormalization"},
    {OpKind::kDropout, "Dropout"},
};

constexpr int64_t kMaxElements = int64_t{1} << 31;
constexpr int64_t kMaxActivations = int64_t{1} << 27;  // values of all intermediate tensors of one sample

std::string ShapeText(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// false if a dim is negative or the product exceeds 2^31
bool CountWithinLimit(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (d == 0) return true;
    if (n > kMaxElements / d) return false;
    n *= d;
  }
  return n <= kMaxElements;
}

std::string NodeLabel(const Node& node) {
  return "node '" + node.name + "' (" + std::string(OpKindName(node.kind)) + ")";
}

// dim 0 of every non-constant tensor is the batch dim: see Graph::batch_leading()
bool NodeKeepsBatchLeading(const Node& node, const std::vector<Tensor>& tensors, const std::vector<char>& lead) {
  const auto& in = node.inputs;
  auto constant = [&](size_t k) { return tensors[static_cast<size_t>(in[k])].is_constant(); };
  auto shape = [&](size_t k) -> const std::vector<int64_t>& { return tensors[static_cast<size_t>(in[k])].shape; };
  for (size_t k = 0; k < in.size(); ++k) {
    if (!constant(k) && !lead[static_cast<size_t>(in[k])]) return false;
  }
  const auto& out_shape = tensors[static_cast<size_t>(node.output)].shape;
  if (out_shape.empty()) return false;
  switch (node.kind) {
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      for (size_t k = 0; k < 2; ++k) {
        if (constant(k)) {
          if (shape(k).size() == out_shape.size() && shape(k)[0] != 1) return false;
        } else if (shape(k).size() != out_shape.size()) {
          return false;
        }
      }
      return true;
    case OpKind::kGemm:
      return !constant(0) && !node.attrs.trans_a && constant(1) && (in.size() < 3 || constant(2));
    case OpKind::kMatMul:
      return !constant(0) && shape(0).size() >= 2 && constant(1) && shape(1).size() <= 2;
    case OpKind::kFlatten:
      return node.attrs.axis >= 1;
    case OpKind::kReshape:
      return node.attrs.shape_out[0] == 1;
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      return std::find(node.attrs.axes.begin(), node.attrs.axes.end(), 0) == node.attrs.axes.end();
    case OpKind::kConcat:
      if (node.attrs.axis < 1) return false;
      for (size_t k = 0; k < in.size(); ++k) {
        if (constant(k)) return false;
      }
      return true;
    case OpKind::kBatchNormalization:
      return !constant(0);
    default:
      return true;
  }
}

struct CycleFinder : boost::default_dfs_visitor {
  explicit CycleFinder(int* vertex) : vertex_(vertex) {}
  template <typename Edge, typename G>
  void back_edge(Edge e, const G& g) const {
    if (*vertex_ < 0) *vertex_ = static_cast<int>(boost::target(e, g));
  }
  int* vertex_;
};

}  // namespace

std::string_view OpKindName(OpKind kind) {
  for (const auto& op : kOps) {
    if (op.kind == kind) return op.name;
  }
  GAUNTLET_CHECK_MSG(false, "OpKind without a name");
  return "";
}

std::optional<OpKind> OpKindFromName(std::string_view op_type) {
  for (const auto& op : kOps) {
    if (op.name == op_type) return op.kind;
  }
  return std::nullopt;
}

const std::vector<std::string>& SupportedOperators() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& op : kOps) v.emplace_back(op.name);
    std::sort(v.begin(), v.end());
    return v;
  }();
  return names;
}

int64_t Tensor::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

const Tensor* Graph::FindTensor(std::string_view name) const {
  for (const Tensor& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

namespace {

// Graph::Create's sections: the checks of the tensors and nodes as given, and the order of the nodes.
class GraphChecker {
 public:
  GraphChecker(const std::string& source, const std::vector<Tensor>& tensors, const std::vector<Node>& nodes,
               const std::vector<TensorId>& inputs)
      : pos_{source, 0, 0}, tensors_(tensors), nodes_(nodes), first_user_(tensors.size(), -1),
        is_input_(tensors.size(), 0) {
    // who uses a tensor first (for messages about constants)
    for (size_t n = 0; n < nodes.size(); ++n) {
      for (TensorId id : nodes[n].inputs) {
        if (first_user_[static_cast<size_t>(id)] < 0) first_user_[static_cast<size_t>(id)] = static_cast<int>(n);
      }
    }
    for (TensorId id : inputs) {
      GAUNTLET_CHECK(!tensors[static_cast<size_t>(id)].is_constant());
      is_input_[static_cast<size_t>(id)] = 1;
    }
  }

  [[noreturn]] void Fail(const std::string& message) const { throw core::InputError(pos_, message); }

  /// Graph inputs and constants: shapes within the limits, constant values finite and as many as the shape holds.
  void CheckInputsAndConstants() const {
    for (const Tensor& t : tensors_) {
      if (!t.is_constant() && !is_input_[static_cast<size_t>(t.id)]) continue;
      if (!CountWithinLimit(t.shape)) {
        Fail("tensor '" + t.name + "' has shape " + ShapeText(t.shape) + ", a negative dim or more than 2^31 elements" +
             UsedBy(t.id));
      }
      if (t.shape.size() > static_cast<size_t>(internal::kMaxRank)) {
        Fail("tensor '" + t.name + "' has rank " + std::to_string(t.shape.size()) + " (at most 8 is supported)" +
             UsedBy(t.id));
      }
      if (!t.is_constant()) continue;
      if (static_cast<int64_t>(t.data->size()) != t.element_count()) {
        Fail("tensor '" + t.name + "' has " + std::to_string(t.data->size()) + " values for shape " +
             ShapeText(t.shape) + UsedBy(t.id));
      }
      for (size_t i = 0; i < t.data->size(); ++i) {
        if (!std::isfinite((*t.data)[i])) {
          Fail("tensor '" + t.name + "' holds " + core::FormatDouble((*t.data)[i]) + " at element " +
               std::to_string(i) + UsedBy(t.id));
        }
      }
    }
  }

  /// The node that writes each tensor (-1: none); every operand and graph output must be available.
  [[nodiscard]] std::vector<int> Producers(const std::vector<TensorId>& outputs) const {
    const std::vector<Tensor>& tensors = tensors_;
    const std::vector<Node>& nodes = nodes_;
    const std::vector<char>& is_input = is_input_;
    std::vector<int> producer(tensors.size(), -1);
    for (size_t n = 0; n < nodes.size(); ++n) {
      const Node& node = nodes[n];
      const size_t out = static_cast<size_t>(node.output);
      if (tensors[out].is_constant() || is_input[out]) {
        Fail(NodeLabel(node) + ": writes '" + tensors[out].name + "', which is a graph input or an initializer");
      }
      if (producer[out] >= 0) {
        Fail(NodeLabel(node) + ": writes '" + tensors[out].name + "', which " +
             NodeLabel(nodes[static_cast<size_t>(producer[out])]) + " writes too");
      }
      producer[out] = static_cast<int>(n);
    }
    for (const Node& node : nodes) {
      for (TensorId id : node.inputs) {
        const size_t u = static_cast<size_t>(id);
        if (!tensors[u].is_constant() && !is_input[u] && producer[u] < 0) {
          Fail(NodeLabel(node) + ": operand '" + tensors[u].name +
               "' is not a graph input, an initializer or the output of a node (missing initializer?)");
        }
      }
    }
    for (TensorId id : outputs) {
      const size_t u = static_cast<size_t>(id);
      if (!tensors[u].is_constant() && !is_input[u] && producer[u] < 0) {
        Fail("graph output '" + tensors[u].name + "' is not computed by any node");
      }
    }
    return producer;
  }

  /// The nodes in an order where every operand is computed first (Boost.Graph: a depth-first search for
  /// a cycle, then a topological sort).
  [[nodiscard]] std::vector<size_t> Order(const std::vector<int>& producer) const {
    const std::vector<Node>& nodes = nodes_;
    using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    BoostGraph dag(nodes.size());
    for (size_t n = 0; n < nodes.size(); ++n) {
      for (TensorId id : nodes[n].inputs) {
        const int p = producer[static_cast<size_t>(id)];
        if (p >= 0) boost::add_edge(static_cast<size_t>(p), n, dag);
      }
    }
    int cycle_vertex = -1;
    boost::depth_first_search(dag, boost::visitor(CycleFinder(&cycle_vertex)));
    if (cycle_vertex >= 0) {
      Fail(NodeLabel(nodes[static_cast<size_t>(cycle_vertex)]) + ": is on a cycle (a graph must be acyclic)");
    }
    std::vector<size_t> reverse_order;
    boost::topological_sort(dag, std::back_inserter(reverse_order));
    return std::vector<size_t>(reverse_order.rbegin(), reverse_order.rend());
  }

 private:
  [[nodiscard]] std::string UsedBy(TensorId id) const {
    const int n = first_user_[static_cast<size_t>(id)];
    return n < 0 ? "" : ", used by " + NodeLabel(nodes_[static_cast<size_t>(n)]);
  }

  core::SourcePos pos_;
  const std::vector<Tensor>& tensors_;
  const std::vector<Node>& nodes_;
  std::vector<int> first_user_;
  std::vector<char> is_input_;
};

/// Whether dim 0 of every non-constant tensor is the batch dimension (Graph::batch_leading).
bool BatchLeading(const std::vector<Tensor>& tensors, const std::vector<Node>& nodes,
                  const std::vector<TensorId>& inputs, const std::vector<TensorId>& outputs) {
  std::vector<char> lead(tensors.size(), 0);
  bool batch_leading = true;
  for (TensorId id : inputs) {
    const Tensor& t = tensors[static_cast<size_t>(id)];
    lead[static_cast<size_t>(id)] = !t.shape.empty() && t.shape[0] == 1;
    batch_leading = batch_leading && lead[static_cast<size_t>(id)];
  }
  for (const Node& node : nodes) {
    lead[static_cast<size_t>(node.output)] = NodeKeepsBatchLeading(node, tensors, lead);
    batch_leading = batch_leading && lead[static_cast<size_t>(node.output)];
  }
  for (TensorId id : outputs) {
    batch_leading = batch_leading && !tensors[static_cast<size_t>(id)].is_constant();
  }
  return batch_leading;
}

}  // namespace

Graph Graph::Create(std::string source, std::vector<Tensor> tensors, std::vector<Node> nodes,
                    std::vector<TensorId> inputs, std::vector<TensorId> outputs) {
  const size_t tensor_count = tensors.size();
  auto valid = [&](TensorId id) { return id >= 0 && static_cast<size_t>(id) < tensor_count; };
  for (size_t i = 0; i < tensor_count; ++i) GAUNTLET_CHECK(tensors[i].id == static_cast<TensorId>(i));
  for (TensorId id : inputs) GAUNTLET_CHECK(valid(id));
  for (TensorId id : outputs) GAUNTLET_CHECK(valid(id));
  for (const Node& node : nodes) {
    GAUNTLET_CHECK(valid(node.output));
    for (TensorId id : node.inputs) GAUNTLET_CHECK(valid(id));
  }
  const GraphChecker checker(source, tensors, nodes, inputs);
  checker.CheckInputsAndConstants();
  const std::vector<int> producer = checker.Producers(outputs);
  const std::vector<size_t> order = checker.Order(producer);

  // shapes, in order; constant-only nodes are folded
  Graph g;
  for (const size_t index : order) {
    Node& node = nodes[index];
    std::vector<Dims> in_dims;
    std::vector<internal::Operand> operands;
    bool all_constant = true;
    for (TensorId id : node.inputs) {
      const Tensor& t = tensors[static_cast<size_t>(id)];
      in_dims.push_back(Dims::From(t.shape));
      all_constant = all_constant && t.is_constant();
    }
    Dims out_dims;
    if (const std::string error = internal::InferDims(node, in_dims, &out_dims); !error.empty()) {
      checker.Fail(NodeLabel(node) + ": " + error);
    }
    Tensor& out = tensors[static_cast<size_t>(node.output)];
    out.shape.assign(out_dims.d.begin(), out_dims.d.begin() + out_dims.rank);
    if (!CountWithinLimit(out.shape)) {
      checker.Fail(NodeLabel(node) + ": output shape " + ShapeText(out.shape) + " has more than 2^31 elements");
    }
    if (all_constant) {
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        operands.push_back({tensors[static_cast<size_t>(node.inputs[k])].data->data(), in_dims[k]});
      }
      std::vector<double> value(static_cast<size_t>(out_dims.count()));
      internal::RunKernel(node, operands, out_dims, value.data());
      out.data = std::move(value);
      continue;
    }
    g.nodes_.push_back(std::move(node));
  }

  // memory: the evaluator holds every intermediate tensor of a sample at once
  int64_t activations = 0;
  for (const Node& node : g.nodes_) activations += Dims::From(tensors[static_cast<size_t>(node.output)].shape).count();
  if (activations > kMaxActivations) {
    checker.Fail("the graph's intermediate tensors hold " + std::to_string(activations) +
                 " values per evaluation (at most 2^27 = 134217728, 1 GiB)");
  }

  g.source_ = std::move(source);
  g.batch_leading_ = BatchLeading(tensors, g.nodes_, inputs, outputs);
  g.tensors_ = std::move(tensors);
  g.inputs_ = std::move(inputs);
  g.outputs_ = std::move(outputs);
  return g;
}

}  // namespace gauntlet::models
