// ONNX loading: protobuf ModelProto -> models::Graph.

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"
#include "core/suggest.h"
#include "models/internal/loaders.h"

namespace gauntlet::models::internal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMinOpset = 8;
constexpr int64_t kMaxOpset = 17;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

class OnnxLoader {
 public:
  explicit OnnxLoader(std::string path) : path_(std::move(path)), pos_{path_, 0, 0} {}

  Graph Load() {
    // parse
    // a regular file of at most 2 GiB (not a FIFO, a directory or /dev/zero)
    const std::string bytes = core::ReadInputFile(path_, core::InputKind::kModel);
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes)) {
      Fail("not an ONNX model (the file does not parse as an ONNX ModelProto; truncated or another format?)");
    }
    if (!model.has_graph() || (model.graph().node_size() == 0 && model.graph().output_size() == 0)) {
      Fail("not an ONNX model (no graph; truncated or another format?)");
    }
    ReadOpset(model);
    const onnx::GraphProto& g = model.graph();

    // constants: initializers, then graph inputs that are not initializers, then Constant nodes
    std::set<std::string> initializer_names;
    for (const onnx::TensorProto& t : g.initializer()) {
      if (!initializer_names.insert(t.name()).second) Fail("initializer '" + t.name() + "' is defined twice");
      std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
      AddTensor(t.name(), shape, ReadTensorData(t, "initializer '" + t.name() + "'"));
    }
    std::vector<TensorId> inputs;
    for (const onnx::ValueInfoProto& v : g.input()) {
      if (initializer_names.count(v.name())) continue;  // an input that carries a stored value
      inputs.push_back(AddTensor(v.name(), InputShape(v), std::nullopt));
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const onnx::NodeProto& n = g.node(i);
      if (n.op_type() == "Constant" && IsOnnxDomain(n)) AddConstantNode(n, NodeName(n, i));
    }

    // operators
    std::set<std::string> consumed;
    for (const onnx::NodeProto& n : g.node()) {
      for (const std::string& name : n.input()) consumed.insert(name);
    }
    for (const onnx::ValueInfoProto& v : g.output()) consumed.insert(v.name());
    std::vector<Node> nodes;
    for (int i = 0; i < g.node_size(); ++i) {
      const onnx::NodeProto& n = g.node(i);
      if (n.op_type() == "Constant" && IsOnnxDomain(n)) continue;
      nodes.push_back(ConvertNode(n, NodeName(n, i), consumed));
    }

    std::vector<TensorId> outputs;
    for (const onnx::ValueInfoProto& v : g.output()) outputs.push_back(Id(v.name()));

    Graph graph = Graph::Create(path_, std::move(tensors_), std::move(nodes), std::move(inputs), outputs);
    CheckDeclaredOutputs(g, graph);
    return graph;
  }

 private:
  [[noreturn]] void Fail(const std::string& message) const { throw core::InputError(pos_, message); }

  static bool IsOnnxDomain(const onnx::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

  static std::string NodeName(const onnx::NodeProto& n, int index) {
    return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
  }

  static std::string Label(const std::string& name, const std::string& op) { return "node '" + name + "' (" + op + ")"; }

  void ReadOpset(const onnx::ModelProto& model) {
    bool found = false;
    for (const auto& op : model.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") {
        opset_ = op.version();
        found = true;
      }
    }
    if (!found) Fail("declares no ONNX opset (opset_import)");
    if (opset_ < kMinOpset || opset_ > kMaxOpset) {
      Fail("opset " + std::to_string(opset_) + " is not supported (opsets " + std::to_string(kMinOpset) + " to " +
           std::to_string(kMaxOpset) + " are)");
    }
  }

  TensorId Id(const std::string& name) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    return AddTensor(name, {}, std::nullopt);
  }

  TensorId AddTensor(const std::string& name, std::vector<int64_t> shape, std::optional<std::vector<double>> data) {
    if (ids_.count(name)) Fail("tensor '" + name + "' is defined twice");
    const TensorId id = static_cast<TensorId>(tensors_.size());
    tensors_.push_back(Tensor{id, name, std::move(shape), std::move(data)});
    ids_[name] = id;
    return id;
  }

  std::vector<int64_t> InputShape(const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type()) Fail("graph input '" + v.name() + "' is not a tensor");
    const auto& tt = v.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto_DataType_FLOAT && tt.elem_type() != onnx::TensorProto_DataType_DOUBLE) {
      Fail("graph input '" + v.name() + "' has element type " + std::to_string(tt.elem_type()) +
           " (only float and double are supported)");
    }
    if (!tt.has_shape()) Fail("graph input '" + v.name() + "' has no shape");
    std::vector<int64_t> shape;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (d.has_dim_value()) {
        if (d.dim_value() < 0) Fail("graph input '" + v.name() + "' has a negative dim");
        shape.push_back(d.dim_value());
      } else if (i == 0) {
        shape.push_back(1);  // the symbolic batch dimension: shapes are per sample
      } else {
        Fail("graph input '" + v.name() + "' has a symbolic dim '" + d.dim_param() + "' at position " +
             std::to_string(i) + " (only the batch dim, dim 0, may be symbolic)");
      }
    }
    return shape;
  }

  // Raw bytes of `t`: inline raw_data or external data inside the model's folder.
  bool RawBytes(const onnx::TensorProto& t, const std::string& what, std::string* bytes) {
    if (t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL) {
      if (!t.has_raw_data()) return false;
      *bytes = t.raw_data();
      return true;
    }
    std::string location;
    int64_t offset = 0;
    int64_t length = -1;
    for (const auto& kv : t.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        if (kv.key() == "offset") offset = std::stoll(kv.value());
        if (kv.key() == "length") length = std::stoll(kv.value());
      } catch (const std::exception&) {
        Fail(what + ": external data has a bad '" + kv.key() + "' value '" + kv.value() + "'");
      }
    }
    if (location.empty()) Fail(what + ": external data has no location");
    const fs::path dir = fs::weakly_canonical(fs::absolute(fs::path(path_)).parent_path());
    const fs::path target = fs::weakly_canonical(dir / fs::path(location));
    const fs::path rel = target.lexically_relative(dir);
    if (fs::path(location).is_absolute() || rel.empty() || *rel.begin() == "..") {
      Fail(what + ": external data '" + location + "' points outside the model's folder (refused)");
    }
    std::string file;
    try {
      file = core::ReadInputFile(target.string(), core::InputKind::kExternalData);
    } catch (const core::InputError&) {
      const std::string problem = core::InputFileProblem(target.string(), core::InputKind::kExternalData);
      const bool said = problem.empty() || problem == "does not exist";  // the message says it already
      Fail(what + ": cannot read external data file '" + location + "'" + (said ? "" : ": it " + problem));
    }
    if (offset < 0 || static_cast<size_t>(offset) > file.size() ||
        (length >= 0 && static_cast<uint64_t>(length) > file.size() - static_cast<size_t>(offset))) {
      Fail(what + ": external data '" + location + "' is shorter than offset + length");
    }
    *bytes = file.substr(static_cast<size_t>(offset), length >= 0 ? static_cast<size_t>(length) : std::string::npos);
    return true;
  }

  template <typename T>
  std::vector<double> FromRaw(const std::string& bytes, int64_t count, const std::string& what) {
    if (bytes.size() != static_cast<size_t>(count) * sizeof(T)) {
      Fail(what + " has " + std::to_string(bytes.size()) + " bytes of data, expected " +
           std::to_string(static_cast<size_t>(count) * sizeof(T)));
    }
    std::vector<double> v(static_cast<size_t>(count));
    for (size_t i = 0; i < v.size(); ++i) {
      T x;
      std::memcpy(&x, bytes.data() + i * sizeof(T), sizeof(T));
      v[i] = static_cast<double>(x);
    }
    return v;
  }

  template <typename Field>
  std::vector<double> FromField(const Field& field, int64_t count, const std::string& what) {
    if (field.size() != count) {
      Fail(what + " has " + std::to_string(field.size()) + " values for " + std::to_string(count) + " elements");
    }
    return std::vector<double>(field.begin(), field.end());
  }

  std::vector<double> ReadTensorData(const onnx::TensorProto& t, const std::string& what) {
    int64_t count = 1;
    for (int64_t d : t.dims()) {
      if (d < 0 || (d > 0 && count > (int64_t{1} << 31) / d)) {
        Fail(what + " has shape " + ShapeText({t.dims().begin(), t.dims().end()}) +
             ", a negative dim or more than 2^31 elements");
      }
      count *= d;
    }
    if (t.has_segment()) Fail(what + ": segmented tensors are not supported");
    std::string bytes;
    const bool raw = RawBytes(t, what, &bytes);
    switch (t.data_type()) {
      case onnx::TensorProto_DataType_FLOAT:
        return raw ? FromRaw<float>(bytes, count, what) : FromField(t.float_data(), count, what);
      case onnx::TensorProto_DataType_DOUBLE:
        return raw ? FromRaw<double>(bytes, count, what) : FromField(t.double_data(), count, what);
      case onnx::TensorProto_DataType_INT64:
        return raw ? FromRaw<int64_t>(bytes, count, what) : FromField(t.int64_data(), count, what);
      case onnx::TensorProto_DataType_INT32:
        return raw ? FromRaw<int32_t>(bytes, count, what) : FromField(t.int32_data(), count, what);
      default:
        Fail(what + " has element type " + std::to_string(t.data_type()) +
             " (float, double, int64 and int32 are supported)");
    }
  }

  void AddConstantNode(const onnx::NodeProto& n, const std::string& name) {
    const std::string label = Label(name, "Constant");
    if (n.output_size() != 1) Fail(label + ": expects 1 output");
    for (const auto& a : n.attribute()) {
      if (a.name() == "value") {
        std::vector<int64_t> shape(a.t().dims().begin(), a.t().dims().end());
        AddTensor(n.output(0), shape, ReadTensorData(a.t(), label + ": value"));
        return;
      }
      if (a.name() == "value_float") {
        AddTensor(n.output(0), {}, std::vector<double>{a.f()});
        return;
      }
      if (a.name() == "value_floats") {
        AddTensor(n.output(0), {a.floats_size()}, std::vector<double>(a.floats().begin(), a.floats().end()));
        return;
      }
      if (a.name() == "value_int") {
        AddTensor(n.output(0), {}, std::vector<double>{static_cast<double>(a.i())});
        return;
      }
      if (a.name() == "value_ints") {
        AddTensor(n.output(0), {a.ints_size()}, std::vector<double>(a.ints().begin(), a.ints().end()));
        return;
      }
    }
    Fail(label + ": has no supported value attribute (value, value_float(s), value_int(s))");
  }

  // A parameter operand (Reshape shape, Clip bounds, axes): must be constant.
  const std::vector<double>* ConstantOperand(const onnx::NodeProto& n, int k, const std::string& label) {
    if (k >= n.input_size() || n.input(k).empty()) return nullptr;
    auto it = ids_.find(n.input(k));
    if (it == ids_.end() || !tensors_[static_cast<size_t>(it->second)].is_constant()) {
      Fail(label + ": operand '" + n.input(k) + "' must be a constant (an initializer or a Constant node)");
    }
    return &*tensors_[static_cast<size_t>(it->second)].data;
  }

  /// Shape and axes values, which arrive as doubles: each must be an integer that a double holds exactly.
  std::vector<int64_t> ToInts(const std::vector<double>& v, const std::string& label) const {
    std::vector<int64_t> out;
    out.reserve(v.size());
    for (double x : v) {
      if (!std::isfinite(x) || x != std::trunc(x) || std::fabs(x) > 9007199254740992.0) {
        Fail(label + ": shape or axes value " + core::FormatDouble(x) + " is not an integer in range");
      }
      out.push_back(static_cast<int64_t>(x));
    }
    return out;
  }

  Node ConvertNode(const onnx::NodeProto& n, const std::string& name, const std::set<std::string>& consumed) {
    const std::string& op = n.op_type();
    const std::string label = Label(name, op);
    const std::optional<OpKind> kind = IsOnnxDomain(n) ? OpKindFromName(op) : std::nullopt;
    if (!kind) {
      const std::string shown = IsOnnxDomain(n) ? op : n.domain() + "." + op;
      Fail(label + ": unsupported operator '" + shown + "'" + core::DidYouMean(op, SupportedOperators()) +
           "; supported: " + core::QuotedList(SupportedOperators()));
    }
    Node node;
    node.name = name;
    node.kind = *kind;
    if (n.output_size() < 1 || n.output(0).empty()) Fail(label + ": has no output");
    // operands: the data operands go to node.inputs, parameter operands to attributes
    size_t data_operands = static_cast<size_t>(n.input_size());
    auto& at = node.attrs;
    if (*kind == OpKind::kLeakyRelu) at.alpha = 0.01;
    bool axis_seen = false;
    for (const auto& a : n.attribute()) {
      const std::string& an = a.name();
      switch (*kind) {
        case OpKind::kGemm:
          if (an == "transA") at.trans_a = a.i() != 0;
          if (an == "transB") at.trans_b = a.i() != 0;
          if (an == "alpha") at.alpha = a.f();
          if (an == "beta") at.beta = a.f();
          break;
        case OpKind::kLeakyRelu:
          if (an == "alpha") at.alpha = a.f();
          break;
        case OpKind::kClip:
          if (an == "min") at.clip_min = a.f();
          if (an == "max") at.clip_max = a.f();
          break;
        case OpKind::kFlatten:
        case OpKind::kConcat:
          if (an == "axis") {
            at.axis = a.i();
            axis_seen = true;
          }
          break;
        case OpKind::kSqueeze:
        case OpKind::kUnsqueeze:
          if (an == "axes") at.axes.assign(a.ints().begin(), a.ints().end());
          break;
        case OpKind::kBatchNormalization:
          if (an == "epsilon") at.epsilon = a.f();
          if (an == "spatial" && a.i() == 0) Fail(label + ": spatial=0 is not supported");
          if (an == "training_mode" && a.i() != 0) Fail(label + ": training_mode=1 is not supported (inference only)");
          break;
        case OpKind::kReshape:
          if (an == "allowzero" && a.i() != 0) at.axis = -1;  // marks allowzero; checked below
          break;
        default:
          break;
      }
    }
    switch (*kind) {
      case OpKind::kConcat:
        if (!axis_seen) Fail(label + ": has no 'axis' attribute");
        break;
      case OpKind::kReshape: {
        const auto* shape = ConstantOperand(n, 1, label);
        if (!shape) Fail(label + ": has no shape operand");
        at.reshape_target = ToInts(*shape, label);
        if (at.axis == -1 && std::count(at.reshape_target.begin(), at.reshape_target.end(), 0) > 0) {
          Fail(label + ": allowzero=1 with a zero in the shape is not supported");
        }
        at.axis = 1;
        data_operands = 1;
        break;
      }
      case OpKind::kClip:
        if (opset_ >= 11) {
          if (const auto* lo = ConstantOperand(n, 1, label)) {
            if (lo->size() != 1) Fail(label + ": min must be a scalar");
            at.clip_min = (*lo)[0];
          }
          if (const auto* hi = ConstantOperand(n, 2, label)) {
            if (hi->size() != 1) Fail(label + ": max must be a scalar");
            at.clip_max = (*hi)[0];
          }
          data_operands = 1;
        }
        break;
      case OpKind::kSqueeze:
      case OpKind::kUnsqueeze:
        if (opset_ >= 13) {
          if (const auto* axes = ConstantOperand(n, 1, label)) at.axes = ToInts(*axes, label);
          else if (*kind == OpKind::kUnsqueeze) Fail(label + ": has no axes operand");
          data_operands = 1;
        }
        break;
      case OpKind::kDropout:
        if (const auto* mode = ConstantOperand(n, 2, label); mode && !mode->empty() && (*mode)[0] != 0.0) {
          Fail(label + ": training_mode=1 is not supported (inference only)");
        }
        ConstantOperand(n, 1, label);
        data_operands = 1;
        break;
      default:
        break;
    }
    // extra outputs: only Dropout's mask and BatchNormalization's training outputs exist, unused
    for (int k = 1; k < n.output_size(); ++k) {
      if (n.output(k).empty()) continue;
      if (*kind == OpKind::kDropout || *kind == OpKind::kBatchNormalization) {
        if (consumed.count(n.output(k))) Fail(label + ": output '" + n.output(k) + "' is not supported");
        continue;
      }
      Fail(label + ": has " + std::to_string(n.output_size()) + " outputs (only 1 is supported)");
    }
    for (size_t k = 0; k < std::min(data_operands, static_cast<size_t>(n.input_size())); ++k) {
      if (n.input(static_cast<int>(k)).empty()) {
        if (*kind == OpKind::kGemm && k == 2) continue;  // optional C
        Fail(label + ": operand " + std::to_string(k) + " is empty");
      }
      node.inputs.push_back(Id(n.input(static_cast<int>(k))));
    }
    node.output = Id(n.output(0));
    return node;
  }

  void CheckDeclaredOutputs(const onnx::GraphProto& g, const Graph& graph) const {
    for (const onnx::ValueInfoProto& v : g.output()) {
      if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) continue;
      const auto& shape = v.type().tensor_type().shape();
      const Tensor* t = graph.FindTensor(v.name());
      std::vector<int64_t> declared;
      bool match = t != nullptr && static_cast<size_t>(shape.dim_size()) == t->shape.size();
      for (int i = 0; i < shape.dim_size(); ++i) {
        const auto& d = shape.dim(i);
        declared.push_back(d.has_dim_value() ? d.dim_value() : (t && static_cast<size_t>(i) < t->shape.size() ? t->shape[static_cast<size_t>(i)] : 1));
        if (match && d.has_dim_value() && d.dim_value() != t->shape[static_cast<size_t>(i)]) match = false;
      }
      if (!match && t != nullptr) {
        Fail("graph output '" + v.name() + "' is declared with shape " + ShapeText(declared) + " but computes " +
             ShapeText(t->shape));
      }
    }
  }

  std::string path_;
  core::SourcePos pos_;
  int64_t opset_ = 0;
  std::vector<Tensor> tensors_;
  std::map<std::string, TensorId> ids_;
};

}  // namespace

Graph LoadOnnxGraph(const std::string& path) { return OnnxLoader(path).Load(); }

}  // namespace gauntlet::models::internal
