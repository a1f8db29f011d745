#pragma once
// The immutable graph IR of a neural network: what the evaluator runs and what bound propagation
// (IBP, CROWN, branch and bound in verifier/formal) walks operator by operator.
//
// A Graph is a set of tensors and the nodes (operators) between them. It is built once by a loader
// (ONNX or .nnet, see models/model.h) through Graph::Create, which checks everything, computes the
// topological order with Boost.Graph and infers every tensor's shape. After that it never changes,
// so one Graph is shared freely between threads.
//
//   const models::Graph& g = model->graph();
//   for (const models::Node& node : g.nodes()) {          // already in topological order
//     switch (node.kind) {
//       case models::OpKind::kGemm: {
//         const models::Tensor& w = g.tensor(node.inputs[1]);   // w.data: constant weights
//         ... node.attrs.trans_b, node.attrs.alpha ...
//       }
//       case models::OpKind::kRelu: ...
//     }
//   }
//
// Conventions (read these before writing an operator's transfer function):
// - Shapes are ONNX shapes, row-major, dims int64. The batch dimension (dim 0 of a graph input when
//   it is symbolic, e.g. "N" or "batch" in a PyTorch export) is stored as 1: every shape here is the
//   shape for ONE sample. Graph::batch_leading() says whether dim 0 of every non-constant tensor is
//   that batch dimension (true for MLPs), which is what batched evaluation relies on.
// - A tensor either has constant data (initializers, Constant nodes, and graph inputs that carry a
//   stored value, as old exporters write weights) or is computed (graph inputs and node outputs).
//   Constant data is double, row-major, element_count() values. Float32 files are widened exactly.
// - Nodes whose inputs are ALL constant are evaluated at load time and disappear: their outputs
//   become constant tensors. So every node in nodes() has at least one non-constant input. Constant
//   nodes never appear in nodes() (their output is a constant tensor); OpKind::kConstant exists
//   only so that messages and SupportedOperators() can name it.
// - Operands that ONNX passes as tensors but that are really parameters (Reshape's shape, Clip's
//   min/max since opset 11, Squeeze/Unsqueeze axes since opset 13, Dropout's ratio/training_mode)
//   are moved into Node::attrs and are NOT in Node::inputs. They must be constant at load time.
// - Node::inputs holds the remaining operands in ONNX order. Missing optional operands (Gemm
//   without C) are simply absent: Gemm has 2 or 3 inputs.
// - Dropout is inference-mode (identity); Dropout's optional mask output is not supported.
//   BatchNormalization is inference-mode: inputs X, scale, B, mean, var (all but X constant).
// - Negative axes are normalised at load: NodeAttributes::axis/axes are in [0, rank).
//
// Caveats: only float (1), double (11) and, for shape operands, int64 (7) / int32 (6) tensors are
// accepted. There is one output per node.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::models {

/// Index of a tensor in Graph::tensors().
using TensorId = int32_t;

/// Every operator the IR supports. OpKindName gives the ONNX op_type.
enum class OpKind {
  kGemm,                ///< Y = alpha * A' * B' + beta * C; A' = transA ? A^T : A (2-D), C broadcasts
  kMatMul,              ///< numpy matmul; in practice [.., k] x [k, m] with B constant
  kAdd,                 ///< numpy broadcasting
  kSub,                 ///< numpy broadcasting
  kMul,                 ///< numpy broadcasting
  kDiv,                 ///< numpy broadcasting (x / 0 follows IEEE)
  kNeg,
  kRelu,
  kLeakyRelu,           ///< x >= 0 ? x : attrs.alpha * x
  kSigmoid,
  kTanh,
  kSoftplus,            ///< log(1 + exp(x)), computed stably
  kClip,                ///< min(max(x, attrs.clip_min), attrs.clip_max); absent bounds are -/+inf
  kIdentity,
  kFlatten,             ///< to 2-D [prod(dims[0:axis]), prod(dims[axis:])]
  kReshape,             ///< to attrs.reshape_target, resolved (no 0 or -1 left) to attrs.shape_out
  kSqueeze,             ///< removes attrs.axes (all size-1 dims if the ONNX node gave none)
  kUnsqueeze,           ///< inserts size-1 dims at attrs.axes (positions in the output)
  kConcat,              ///< along attrs.axis
  kConstant,            ///< folded at load; never in Graph::nodes()
  kBatchNormalization,  ///< inference: scale * (x - mean) / sqrt(var + epsilon) + B, per channel (dim 1)
  kDropout,             ///< inference: identity
};

/// Whether `kind` passes its first input's values through unchanged, in row-major order (only the
/// shape may change): Identity, Dropout (inference), Flatten, Reshape, Squeeze, Unsqueeze and Constant.
/// The evaluator copies them (models/internal/kernels.cc); the formal lowering reuses the input's
/// layer (verifier/formal/graph_lowering.cc).
[[nodiscard]] constexpr bool IsShapeOnly(OpKind kind) {
  switch (kind) {
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kConstant:
      return true;
    default:
      return false;
  }
}

/// The ONNX op_type of `kind` ("Gemm", "BatchNormalization", ...).
[[nodiscard]] std::string_view OpKindName(OpKind kind);
/// The OpKind of an ONNX op_type, or nullopt if unsupported.
[[nodiscard]] std::optional<OpKind> OpKindFromName(std::string_view op_type);
/// Every supported ONNX op_type, sorted, for error messages.
[[nodiscard]] const std::vector<std::string>& SupportedOperators();

/// Typed attributes. Only the fields of the node's OpKind are meaningful; the rest keep defaults.
struct NodeAttributes {
  // Gemm
  bool trans_a = false;
  bool trans_b = false;
  double alpha = 1.0;  ///< Gemm alpha; LeakyRelu negative slope (ONNX default 0.01 for LeakyRelu)
  double beta = 1.0;   ///< Gemm beta
  // Clip (from attributes before opset 11, from constant operands after; absent = unbounded)
  double clip_min = -std::numeric_limits<double>::infinity();
  double clip_max = std::numeric_limits<double>::infinity();
  // Flatten, Concat: normalised axis in [0, rank)
  int64_t axis = 1;
  // Squeeze, Unsqueeze: normalised, sorted axes
  std::vector<int64_t> axes;
  // BatchNormalization
  double epsilon = 1e-5;
  // Reshape: the target as written (may hold 0 = copy and -1 = infer) ...
  std::vector<int64_t> reshape_target;
  // ... and, for Reshape, the resolved output shape (equal to the output tensor's shape).
  std::vector<int64_t> shape_out;
};

/// One tensor: a graph input, a constant, or a node's output.
struct Tensor {
  TensorId id = -1;
  std::string name;                  ///< the ONNX name ("Operation_1_MatMul_W"), unique in the graph
  std::vector<int64_t> shape;        ///< per-sample shape (batch dim stored as 1); {} is a scalar
  std::optional<std::vector<double>> data;  ///< constant value, row-major; nullopt if computed

  [[nodiscard]] bool is_constant() const { return data.has_value(); }
  /// Product of the dims (1 for a scalar).
  [[nodiscard]] int64_t element_count() const;
};

/// One operator application.
struct Node {
  std::string name;              ///< ONNX node name, or "<op_type>_<index>" when the file gave none
  OpKind kind = OpKind::kIdentity;
  std::vector<TensorId> inputs;  ///< operands (see the conventions above)
  TensorId output = -1;
  NodeAttributes attrs;
};

/// An immutable, checked, topologically ordered network.
class Graph {
 public:
  /// Checks and finishes a graph. `nodes` may be in any order; `tensors[i].id` must be i. Shapes of
  /// node outputs are inferred (any shape given for them is replaced); shapes of graph inputs and
  /// constants must be set. Constant-only nodes are folded. `source` (the file name) starts every
  /// error message. Throws core::InputError naming the file and the node for: a cycle (naming a
  /// node on it), an operand that is neither a graph input, a constant nor a node output, two nodes
  /// writing one tensor, mismatched shapes, a dimension product over 2^31, NaN in constant data, a
  /// non-constant parameter operand, an output that is not computed.
  [[nodiscard]] static Graph Create(std::string source, std::vector<Tensor> tensors, std::vector<Node> nodes,
                                    std::vector<TensorId> inputs, std::vector<TensorId> outputs);

  /// The file the graph was loaded from (or the name given to Create).
  [[nodiscard]] const std::string& source() const { return source_; }
  [[nodiscard]] const std::vector<Tensor>& tensors() const { return tensors_; }
  [[nodiscard]] const Tensor& tensor(TensorId id) const { return tensors_[static_cast<size_t>(id)]; }
  /// The tensor called `name`, or nullptr.
  [[nodiscard]] const Tensor* FindTensor(std::string_view name) const;
  /// Nodes in topological order (Boost.Graph topological_sort): every operand is produced before use.
  [[nodiscard]] const std::vector<Node>& nodes() const { return nodes_; }
  /// The non-constant graph inputs, in file order (inputs that carry a stored value are constants).
  [[nodiscard]] const std::vector<TensorId>& inputs() const { return inputs_; }
  /// The graph outputs, in file order.
  [[nodiscard]] const std::vector<TensorId>& outputs() const { return outputs_; }
  /// True if dim 0 of every non-constant tensor is the batch dimension, so samples can be stacked
  /// along it (every MLP export). When false, batches are evaluated one sample at a time.
  [[nodiscard]] bool batch_leading() const { return batch_leading_; }

 private:
  Graph() = default;

  std::string source_;
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
  bool batch_leading_ = false;
};

}  // namespace gauntlet::models
