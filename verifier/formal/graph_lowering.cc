#include "verifier/formal/graph_lowering.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/error.h"

namespace gauntlet::verifier::formal {
namespace {

using models::Graph;
using models::Node;
using models::OpKind;
using models::Tensor;
using models::TensorId;
using Shape = std::vector<int64_t>;

int64_t Count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// For each flat index of `out`, the flat index of the operand of shape `in` under numpy broadcasting.
std::vector<int64_t> BroadcastIndex(const Shape& out, const Shape& in) {
  const size_t r = out.size();
  std::vector<int64_t> in_stride(r, 0);
  int64_t stride = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t di = in.size() - 1 - k;
    const size_t dout = r - 1 - k;
    in_stride[dout] = in[di] == 1 ? 0 : stride;
    stride *= in[di];
  }
  const int64_t n = Count(out);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::vector<int64_t> pos(r, 0);
  for (int64_t o = 0; o < n; ++o) {
    int64_t f = 0;
    for (size_t k = 0; k < r; ++k) f += pos[k] * in_stride[k];
    idx[static_cast<size_t>(o)] = f;
    for (size_t k = r; k-- > 0;) {
      if (++pos[k] < out[k]) break;
      pos[k] = 0;
    }
  }
  return idx;
}

class Lowering {
 public:
  explicit Lowering(const Graph& g) : g_(g), layer_of_(g.tensors().size(), -1), uses_(g.tensors().size(), 0) {
    for (const Node& node : g.nodes()) {
      for (TensorId id : node.inputs) ++uses_[static_cast<size_t>(id)];
    }
    for (TensorId id : g.outputs()) uses_[static_cast<size_t>(id)] += 2;
  }

  Network Run() {
    // inputs
    int total = 0;
    for (TensorId id : g_.inputs()) total += static_cast<int>(g_.tensor(id).element_count());
    net_.AddInput(total);
    if (g_.inputs().size() == 1) {
      layer_of_[static_cast<size_t>(g_.inputs()[0])] = 0;
    } else {
      int offset = 0;
      for (TensorId id : g_.inputs()) {
        const int n = static_cast<int>(g_.tensor(id).element_count());
        Eigen::MatrixXd sel = Eigen::MatrixXd::Zero(n, total);
        for (int i = 0; i < n; ++i) sel(i, offset + i) = 1.0;
        layer_of_[static_cast<size_t>(id)] = net_.AddLinear({LinearTerm::Dense(0, sel)}, Eigen::VectorXd::Zero(n), 0);
        offset += n;
      }
    }
    for (const Node& node : g_.nodes()) Lower(node);
    // outputs
    if (g_.outputs().size() == 1 && !g_.tensor(g_.outputs()[0]).is_constant()) {
      net_.SetOutput(Layer(g_.outputs()[0]));
    } else {
      std::vector<Operand> ops;
      for (TensorId id : g_.outputs()) ops.push_back(Get(id));
      net_.SetOutput(ConcatFlat(ops));
    }
    return std::move(net_);
  }

 private:
  struct Operand {
    int layer = -1;                    // computed: the layer holding its flat values
    const std::vector<double>* data = nullptr;  // constant
    Shape shape;
    [[nodiscard]] bool constant() const { return data != nullptr; }
    [[nodiscard]] int64_t count() const { return Count(shape); }
  };

  Operand Get(TensorId id) const {
    const Tensor& t = g_.tensor(id);
    Operand o;
    o.shape = t.shape;
    if (t.is_constant()) {
      o.data = &*t.data;
    } else {
      o.layer = Layer(id);
    }
    return o;
  }

  int Layer(TensorId id) const { return layer_of_[static_cast<size_t>(id)]; }

  [[noreturn]] void Fail(const Node& node, const std::string& what) const {
    throw core::InputError({g_.source(), 0, 0}, "node '" + node.name + "' (" +
                                                   std::string(models::OpKindName(node.kind)) + "): " + what);
  }

  // Concatenation of flat operands (constants become bias entries).
  int ConcatFlat(const std::vector<Operand>& ops) {
    int64_t total = 0;
    for (const Operand& o : ops) total += o.count();
    std::vector<LinearTerm> terms;
    Eigen::VectorXd bias = Eigen::VectorXd::Zero(total);
    int64_t offset = 0;
    for (const Operand& o : ops) {
      const int64_t n = o.count();
      if (o.constant()) {
        for (int64_t i = 0; i < n; ++i) bias[offset + i] = (*o.data)[static_cast<size_t>(i)];
      } else {
        Eigen::MatrixXd sel = Eigen::MatrixXd::Zero(total, n);
        for (int64_t i = 0; i < n; ++i) sel(offset + i, i) = 1.0;
        terms.push_back(LinearTerm::Dense(o.layer, sel));
      }
      offset += n;
    }
    if (terms.empty()) terms.push_back(LinearTerm::Dense(0, Eigen::MatrixXd::Zero(total, net_.input_size())));
    return net_.AddLinear(std::move(terms), bias, 0);
  }

  // y[o] = sum over operands of scale * x[idx[o]] + constants, for broadcasting elementwise ops.
  LinearTerm Broadcast(const Operand& o, const Shape& out, double scale) {
    const int64_t n = Count(out);
    if (o.shape == out || Count(o.shape) == n) {
      return LinearTerm::Diagonal(o.layer, Eigen::VectorXd::Constant(n, scale));
    }
    const std::vector<int64_t> idx = BroadcastIndex(out, o.shape);
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, o.count());
    for (int64_t i = 0; i < n; ++i) w(i, idx[static_cast<size_t>(i)]) = scale;
    return LinearTerm::Dense(o.layer, w);
  }

  Eigen::VectorXd BroadcastConst(const Operand& o, const Shape& out, double scale) {
    const int64_t n = Count(out);
    const std::vector<int64_t> idx = BroadcastIndex(out, o.shape);
    Eigen::VectorXd v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = scale * (*o.data)[static_cast<size_t>(idx[static_cast<size_t>(i)])];
    return v;
  }

  void Lower(const Node& node) {
    const Shape& out = g_.tensor(node.output).shape;
    const int64_t n = Count(out);
    std::vector<Operand> in;
    for (TensorId id : node.inputs) in.push_back(Get(id));
    int result = -1;
    switch (node.kind) {
      default:  // the values of the first input pass through
        GAUNTLET_CHECK(IsShapeOnly(node.kind));
        result = in[0].layer;
        break;
      case OpKind::kNeg:
        result = net_.AddLinear({LinearTerm::Diagonal(in[0].layer, Eigen::VectorXd::Constant(n, -1.0))},
                                Eigen::VectorXd::Zero(n), 0);
        break;
      case OpKind::kAdd:
      case OpKind::kSub:
        result = AddSub(node, in, out);
        break;
      case OpKind::kMul:
      case OpKind::kDiv:
        result = MulDiv(node, in, out);
        break;
      case OpKind::kGemm:
        result = Gemm(node, in, out);
        break;
      case OpKind::kMatMul:
        result = MatMul(node, in, out);
        break;
      case OpKind::kRelu:
        result = net_.AddActivation(LayerKind::kRelu, in[0].layer);
        break;
      case OpKind::kSigmoid:
        result = net_.AddActivation(LayerKind::kSigmoid, in[0].layer);
        break;
      case OpKind::kTanh:
        result = net_.AddActivation(LayerKind::kTanh, in[0].layer);
        break;
      case OpKind::kSoftplus:
        result = net_.AddActivation(LayerKind::kSoftplus, in[0].layer);
        break;
      case OpKind::kLeakyRelu: {
        const double a = node.attrs.alpha;
        const int r = net_.AddActivation(LayerKind::kRelu, in[0].layer);
        result = net_.AddLinear({LinearTerm::Diagonal(in[0].layer, Eigen::VectorXd::Constant(n, a)),
                                 LinearTerm::Diagonal(r, Eigen::VectorXd::Constant(n, 1.0 - a))},
                                Eigen::VectorXd::Zero(n), 2);
        break;
      }
      case OpKind::kClip:
        result = Clip(node, in[0], n);
        break;
      case OpKind::kConcat:
        result = Concat(node, in, out);
        break;
      case OpKind::kBatchNormalization:
        result = BatchNormalization(node, in, out);
        break;
    }
    if (result < 0) Fail(node, "operator cannot be bounded");
    layer_of_[static_cast<size_t>(node.output)] = result;
  }

  // x + c, x - c (fused into the layer computing x when it is the last one and x has no other use),
  // c - x and x +- y.
  int AddSub(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const int64_t n = Count(out);
    const int k_const = in[1].constant() ? 1 : (in[0].constant() ? 0 : -1);
    if (k_const >= 0) {
      const Operand& x = in[static_cast<size_t>(1 - k_const)];
      const Eigen::VectorXd c =
          BroadcastConst(in[static_cast<size_t>(k_const)], out, node.kind == OpKind::kSub && k_const == 1 ? -1.0 : 1.0);
      const bool negated = node.kind == OpKind::kSub && k_const == 0;  // c - x
      if (!negated && x.count() == n && c.isZero(0.0)) {
        return x.layer;  // x + 0 and x - 0 are exact
      }
      const TensorId x_id = node.inputs[static_cast<size_t>(1 - k_const)];
      if (!negated && x.count() == n && x.layer == net_.num_layers() - 1 && x.layer > 0 &&
          net_.layer(x.layer).kind == LayerKind::kLinear && uses_[static_cast<size_t>(x_id)] == 1) {
        // fuse the constant into the layer computing x: one more term in its sums
        net_.AddToLastBias(c, c.cwiseAbs(), 1);
        return x.layer;
      }
    }
    std::vector<LinearTerm> terms;
    Eigen::VectorXd bias = Eigen::VectorXd::Zero(n);
    for (size_t k = 0; k < 2; ++k) {
      const double s = (node.kind == OpKind::kSub && k == 1) ? -1.0 : 1.0;
      if (in[k].constant()) {
        bias += BroadcastConst(in[k], out, s);
      } else {
        terms.push_back(Broadcast(in[k], out, s));
      }
    }
    return net_.AddLinear(std::move(terms), bias, 1);
  }

  // x * c and x / c (a constant factor, broadcast).
  int MulDiv(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const int64_t n = Count(out);
    const bool div = node.kind == OpKind::kDiv;
    if (!in[0].constant() && !in[1].constant()) {
      Fail(node, std::string(div ? "a quotient" : "a product") +
                     " of two computed tensors is not linear and cannot be bounded");
    }
    if (div && in[1].layer >= 0) Fail(node, "division by a computed tensor cannot be bounded");
    const Operand& x = in[0].constant() ? in[1] : in[0];
    const Operand& c = in[0].constant() ? in[0] : in[1];
    Eigen::VectorXd scale = BroadcastConst(c, out, 1.0);
    if (div) {
      for (int64_t i = 0; i < n; ++i) {
        if (scale[i] == 0.0) Fail(node, "division by zero");
        scale[i] = 1.0 / scale[i];
      }
    }
    if (!scale.allFinite()) Fail(node, "non-finite constant factor");
    LinearTerm t;
    if (x.count() == n) {
      t = LinearTerm::Diagonal(x.layer, scale);
    } else {
      const std::vector<int64_t> idx = BroadcastIndex(out, x.shape);
      Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, x.count());
      for (int64_t i = 0; i < n; ++i) w(i, idx[static_cast<size_t>(i)]) = scale[i];
      t = LinearTerm::Dense(x.layer, w);
    }
    return net_.AddLinear({t}, Eigen::VectorXd::Zero(n), div ? 3 : 1);
  }

  // Concat along attrs.axis: for each outer index, the operands' inner blocks in order.
  int Concat(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const int64_t n = Count(out);
    const int64_t axis = node.attrs.axis;
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= out[static_cast<size_t>(k)];
    std::vector<LinearTerm> terms;
    Eigen::VectorXd bias = Eigen::VectorXd::Zero(n);
    int64_t block_offset = 0;
    int64_t out_inner = n / std::max<int64_t>(outer, 1);
    for (const Operand& o : in) {
      const int64_t inner = o.count() / std::max<int64_t>(outer, 1);
      Eigen::MatrixXd sel;
      if (!o.constant()) sel = Eigen::MatrixXd::Zero(n, o.count());
      for (int64_t p = 0; p < outer; ++p) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t dst = p * out_inner + block_offset + i;
          const int64_t src = p * inner + i;
          if (o.constant()) {
            bias[dst] = (*o.data)[static_cast<size_t>(src)];
          } else {
            sel(dst, src) = 1.0;
          }
        }
      }
      if (!o.constant()) terms.push_back(LinearTerm::Dense(o.layer, sel));
      block_offset += inner;
    }
    return net_.AddLinear(std::move(terms), bias, 0);
  }

  // BatchNormalization in inference mode: a diagonal affine map per channel.
  int BatchNormalization(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const int64_t n = Count(out);
    const std::vector<double>& scale = *in[1].data;
    const std::vector<double>& b = *in[2].data;
    const std::vector<double>& mean = *in[3].data;
    const std::vector<double>& var = *in[4].data;
    const int64_t channels = out.size() > 1 ? out[1] : 1;
    const int64_t inner = n / std::max<int64_t>(out.empty() ? 1 : out[0] * channels, 1);
    Eigen::VectorXd s(n), t(n), t_abs(n);
    for (int64_t i = 0; i < n; ++i) {
      const size_t c = static_cast<size_t>((i / inner) % channels);
      const double denom = std::sqrt(var[c] + node.attrs.epsilon);
      const double sc = scale[c] / denom;
      s[i] = sc;
      t[i] = b[c] - sc * mean[c];
      t_abs[i] = std::abs(b[c]) + std::abs(sc * mean[c]) * (1.0 + 1e-15);
    }
    if (!s.allFinite() || !t.allFinite()) Fail(node, "non-finite normalisation constants");
    return net_.AddLinear({LinearTerm::Diagonal(in[0].layer, s)}, t, 12, t_abs);
  }

  int Gemm(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const auto& at = node.attrs;
    const int64_t m = out[0];
    const int64_t nn = out[1];
    const Operand& a = in[0];
    const Operand& b = in[1];
    if (!a.constant() && !b.constant()) Fail(node, "a product of two computed tensors cannot be bounded");
    const int64_t k = at.trans_a ? a.shape[0] : a.shape[1];
    auto a_at = [&](int64_t i, int64_t kk) { return at.trans_a ? kk * m + i : i * k + kk; };
    auto b_at = [&](int64_t kk, int64_t j) { return at.trans_b ? j * k + kk : kk * nn + j; };
    const int64_t n = m * nn;
    Eigen::VectorXd bias = Eigen::VectorXd::Zero(n);
    std::vector<LinearTerm> terms;
    if (!a.constant()) {
      Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, a.count());
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < nn; ++j)
          for (int64_t kk = 0; kk < k; ++kk) w(i * nn + j, a_at(i, kk)) = at.alpha * (*b.data)[static_cast<size_t>(b_at(kk, j))];
      terms.push_back(LinearTerm::Dense(a.layer, w));
    } else {
      Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, b.count());
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < nn; ++j)
          for (int64_t kk = 0; kk < k; ++kk) w(i * nn + j, b_at(kk, j)) = at.alpha * (*a.data)[static_cast<size_t>(a_at(i, kk))];
      terms.push_back(LinearTerm::Dense(b.layer, w));
    }
    Eigen::VectorXd bias_abs = Eigen::VectorXd::Zero(n);
    if (in.size() > 2) {
      const Operand& c = in[2];
      if (c.constant()) {
        bias = BroadcastConst(c, out, at.beta);
        bias_abs = bias.cwiseAbs();
      } else {
        terms.push_back(Broadcast(c, out, at.beta));
      }
    }
    const int extra = (at.alpha != 1.0 ? 2 : 0) + (at.beta != 1.0 ? 2 : 0) + 1;
    if (!bias.allFinite()) Fail(node, "non-finite constants");
    return net_.AddLinear(std::move(terms), bias, extra, bias_abs);
  }

  int MatMul(const Node& node, const std::vector<Operand>& in, const Shape& out) {
    const Operand& a = in[0];
    const Operand& b = in[1];
    if (!a.constant() && !b.constant()) Fail(node, "a product of two computed tensors cannot be bounded");
    const int64_t n = Count(out);
    if (!b.constant()) {
      // constant A [M, K] or [K], computed B [..., K, N]
      if (a.shape.size() > 2) Fail(node, "a constant left operand of rank > 2 is not supported");
      const int64_t k = a.shape.back();
      const int64_t m = a.shape.size() == 2 ? a.shape[0] : 1;
      const int64_t nn = b.shape.size() >= 2 ? b.shape.back() : 1;
      const int64_t batches = b.count() / (k * nn);
      Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, b.count());
      for (int64_t bt = 0; bt < batches; ++bt)
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < nn; ++j)
            for (int64_t kk = 0; kk < k; ++kk)
              w((bt * m + i) * nn + j, (bt * k + kk) * nn + j) = (*a.data)[static_cast<size_t>(i * k + kk)];
      return net_.AddLinear({LinearTerm::Dense(b.layer, w)}, Eigen::VectorXd::Zero(n), 1);
    }
    // computed A [..., M, K] or [K], constant B [K, N] or [K]
    if (b.shape.size() > 2) Fail(node, "a constant right operand of rank > 2 is not supported");
    const int64_t k = b.shape[0];
    const int64_t nn = b.shape.size() == 2 ? b.shape[1] : 1;
    const int64_t rows = a.count() / k;
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, a.count());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < nn; ++j)
        for (int64_t kk = 0; kk < k; ++kk) w(r * nn + j, r * k + kk) = (*b.data)[static_cast<size_t>(kk * nn + j)];
    return net_.AddLinear({LinearTerm::Dense(a.layer, w)}, Eigen::VectorXd::Zero(n), 1);
  }

  int Clip(const Node& node, const Operand& x, int64_t n) {
    const double lo = node.attrs.clip_min;
    const double hi = node.attrs.clip_max;
    if (std::isnan(lo) || std::isnan(hi)) Fail(node, "NaN clip bounds");
    const bool has_lo = std::isfinite(lo);
    const bool has_hi = std::isfinite(hi);
    const Eigen::VectorXd zero = Eigen::VectorXd::Zero(n);
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
    if (has_lo && has_hi && lo > hi) {
      return net_.AddLinear({LinearTerm::Diagonal(x.layer, zero)}, Eigen::VectorXd::Constant(n, hi), 0);
    }
    if (!has_lo && !has_hi) return x.layer;
    if (has_lo && !has_hi) {
      // lo + relu(x - lo)
      const int s = net_.AddLinear({LinearTerm::Diagonal(x.layer, ones)}, Eigen::VectorXd::Constant(n, -lo), 1);
      const int r = net_.AddActivation(LayerKind::kRelu, s);
      return net_.AddLinear({LinearTerm::Diagonal(r, ones)}, Eigen::VectorXd::Constant(n, lo), 1);
    }
    if (!has_lo) {
      // hi - relu(hi - x)
      const int s = net_.AddLinear({LinearTerm::Diagonal(x.layer, -ones)}, Eigen::VectorXd::Constant(n, hi), 1);
      const int r = net_.AddActivation(LayerKind::kRelu, s);
      return net_.AddLinear({LinearTerm::Diagonal(r, -ones)}, Eigen::VectorXd::Constant(n, hi), 1);
    }
    // min(max(x, lo), hi) = hi - relu(hi - (lo + relu(x - lo))): each step is monotone in one
    // variable, so interval propagation through the chain is exact (a sum of two ReLUs would lose
    // their correlation and give bounds wider than [lo, hi])
    const int s1 = net_.AddLinear({LinearTerm::Diagonal(x.layer, ones)}, Eigen::VectorXd::Constant(n, -lo), 1);
    const int r1 = net_.AddActivation(LayerKind::kRelu, s1);
    // (every constant is lo or hi themselves, so the chain is the clip exactly in real arithmetic)
    const int y1 = net_.AddLinear({LinearTerm::Diagonal(r1, ones)}, Eigen::VectorXd::Constant(n, lo), 1);
    const int s2 = net_.AddLinear({LinearTerm::Diagonal(y1, -ones)}, Eigen::VectorXd::Constant(n, hi), 1);
    const int r2 = net_.AddActivation(LayerKind::kRelu, s2);
    return net_.AddLinear({LinearTerm::Diagonal(r2, -ones)}, Eigen::VectorXd::Constant(n, hi), 1);
  }

  const Graph& g_;
  Network net_;
  std::vector<int> layer_of_;
  std::vector<int> uses_;  // consumers of each tensor (graph outputs count twice)
};

}  // namespace

Network LowerGraph(const models::Graph& graph) {
  if (graph.inputs().empty()) throw core::InputError({graph.source(), 0, 0}, "the model has no computed input");
  return Lowering(graph).Run();
}

}  // namespace gauntlet::verifier::formal
