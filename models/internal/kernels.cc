#include "models/internal/kernels.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/check.h"
#include "models/internal/tanh.h"

namespace gauntlet::models::internal {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using MutMap = Eigen::Map<RowMatrix>;

std::string DimsText(const Dims& d) {
  std::string s = "[";
  for (int i = 0; i < d.rank; ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

// numpy broadcasting of two shapes; false if they do not broadcast
bool Broadcast(const Dims& a, const Dims& b, Dims* out) {
  out->rank = std::max(a.rank, b.rank);
  for (int i = 0; i < out->rank; ++i) {
    const int ia = a.rank - out->rank + i;
    const int ib = b.rank - out->rank + i;
    const int64_t da = ia >= 0 ? a[ia] : 1;
    const int64_t db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = da == 1 ? db : da;
  }
  return true;
}

// The period of `a` inside an output of shape `out` when `a`, left-padded with ones, equals a
// suffix of `out` after its leading ones (so a[i % period] is the broadcast element); 0 otherwise.
int64_t SuffixPeriod(const Dims& a, const Dims& out) {
  int k = 0;
  const int pad = out.rank - a.rank;
  while (k < a.rank && a[k] == 1) ++k;
  for (int i = k; i < a.rank; ++i) {
    if (a[i] != out[pad + i]) return 0;
  }
  return a.count();
}

// Strides of `a` broadcast into `out` (0 along broadcast dims).
std::array<int64_t, kMaxRank> BroadcastStrides(const Dims& a, const Dims& out) {
  std::array<int64_t, kMaxRank> strides{};
  int64_t s = 1;
  for (int i = a.rank - 1; i >= 0; --i) {
    const int o = out.rank - a.rank + i;
    strides[static_cast<size_t>(o)] = a[i] == 1 ? 0 : s;
    s *= a[i];
  }
  return strides;
}

template <typename F>
void Binary(const Operand& a, const Operand& b, const Dims& out_dims, double* out, F f) {
  const int64_t n = out_dims.count();
  if (n == 0) return;
  const int64_t pa = SuffixPeriod(a.dims, out_dims);
  const int64_t pb = SuffixPeriod(b.dims, out_dims);
  if (pa == n && pb == n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a.data[i], b.data[i]);
    return;
  }
  if (pa == n && pb > 0) {
    for (int64_t r = 0; r < n; r += pb) {
      for (int64_t j = 0; j < pb; ++j) out[r + j] = f(a.data[r + j], b.data[j]);
    }
    return;
  }
  if (pb == n && pa > 0) {
    for (int64_t r = 0; r < n; r += pa) {
      for (int64_t j = 0; j < pa; ++j) out[r + j] = f(a.data[j], b.data[r + j]);
    }
    return;
  }
  // general broadcast: an odometer over the output index
  const auto sa = BroadcastStrides(a.dims, out_dims);
  const auto sb = BroadcastStrides(b.dims, out_dims);
  std::array<int64_t, kMaxRank> index{};
  int64_t ia = 0;
  int64_t ib = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = f(a.data[ia], b.data[ib]);
    for (int k = out_dims.rank - 1; k >= 0; --k) {
      const size_t uk = static_cast<size_t>(k);
      ++index[uk];
      ia += sa[uk];
      ib += sb[uk];
      if (index[uk] < out_dims[k]) break;
      ia -= sa[uk] * index[uk];
      ib -= sb[uk] * index[uk];
      index[uk] = 0;
    }
  }
}

template <typename F>
void Unary(const Operand& a, int64_t n, double* out, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(a.data[i]);
}

double Sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double Softplus(double x) {
  if (x > 0) return x + std::log1p(std::exp(-x));
  return std::log1p(std::exp(x));
}

// One sample through a layer stored as ONNX exports it (y = a B' + C, alpha 1): the kernel Eigen's
// product dispatch ends in for these shapes, called directly (bit-identical; the dispatch cost more
// than a 32 x 32 layer). Returns false for the shapes Eigen evaluates otherwise (a coefficient-based
// product below EIGEN_GEMM_TO_COEFFBASED_THRESHOLD), which the general path keeps.
bool SingleRowGemm(const Node& node, const ConstMap& a, const ConstMap& b, MutMap& y) {
  const auto& at = node.attrs;
  const Eigen::Index k = a.cols();
  const Eigen::Index n = y.cols();
  if (y.rows() != 1 || at.trans_a || !at.trans_b || at.alpha != 1.0) return false;
  if (k + 1 + n < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD || k == 0 || n == 0) return false;
  if (n == 1) {
    // Eigen's GEMV falls back to an inner product for a 1 x 1 result
    y.coeffRef(0, 0) += a.row(0).dot(b.transpose().col(0));
    return true;
  }
  using LhsMapper = Eigen::internal::const_blas_data_mapper<double, Eigen::Index, Eigen::RowMajor>;
  using RhsMapper = Eigen::internal::const_blas_data_mapper<double, Eigen::Index, Eigen::ColMajor>;
  Eigen::internal::general_matrix_vector_product<Eigen::Index, double, LhsMapper, Eigen::RowMajor, false, double,
                                                 RhsMapper, false>::run(n, k, LhsMapper(b.data(), b.outerStride()),
                                                                        RhsMapper(a.data(), 1), y.data(), 1, 1.0);
  return true;
}

void Gemm(const Node& node, std::span<const Operand> in, const Dims& out_dims, double* out) {
  const auto& at = node.attrs;
  const int64_t m = out_dims[0];
  const int64_t n = out_dims[1];
  MutMap y(out, m, n);
  // y = beta * C (broadcast), then y += alpha * A' B'
  if (in.size() > 2 && at.beta != 0.0) {
    if (SuffixPeriod(in[2].dims, out_dims) == n) {
      // C is one row (a bias): repeated over the rows
      for (int64_t r = 0; r < m; ++r) std::memcpy(out + r * n, in[2].data, static_cast<size_t>(n) * sizeof(double));
    } else {
      y.setZero();
      Binary(Operand{out, out_dims}, in[2], out_dims, out, [&](double, double c) { return c; });
    }
    if (at.beta != 1.0) y *= at.beta;
  } else {
    y.setZero();
  }
  const ConstMap a(in[0].data, in[0].dims[0], in[0].dims[1]);
  const ConstMap b(in[1].data, in[1].dims[0], in[1].dims[1]);
  if (SingleRowGemm(node, a, b, y)) return;
  if (at.alpha == 1.0) {
    if (!at.trans_a && !at.trans_b) y.noalias() += a * b;
    if (!at.trans_a && at.trans_b) y.noalias() += a * b.transpose();
    if (at.trans_a && !at.trans_b) y.noalias() += a.transpose() * b;
    if (at.trans_a && at.trans_b) y.noalias() += a.transpose() * b.transpose();
  } else {
    if (!at.trans_a && !at.trans_b) y.noalias() += at.alpha * (a * b);
    if (!at.trans_a && at.trans_b) y.noalias() += at.alpha * (a * b.transpose());
    if (at.trans_a && !at.trans_b) y.noalias() += at.alpha * (a.transpose() * b);
    if (at.trans_a && at.trans_b) y.noalias() += at.alpha * (a.transpose() * b.transpose());
  }
}

}  // namespace

bool PackGemv(const Node& node, std::span<const Operand> in, const Dims& out_dims, PackedGemv* packed) {
  *packed = PackedGemv{};
  const auto& at = node.attrs;
  if (node.kind != OpKind::kGemm || in.size() < 2 || out_dims.rank != 2 || out_dims[0] != 1) return false;
  if (in[0].dims.rank != 2 || in[1].dims.rank != 2 || in[1].data == nullptr) return false;
  if (at.trans_a || !at.trans_b || at.alpha != 1.0) return false;
  const int64_t n = out_dims[1];
  const int64_t k = in[0].dims[1];
  if (in[1].dims[0] != n || in[1].dims[1] != k) return false;
  // the shapes SingleRowGemm hands to Eigen's matrix-vector product (n = 1 is an inner product)
  if (k + 1 + n < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD || k == 0 || n <= 1) return false;
  const bool has_c = in.size() > 2 && at.beta != 0.0;
  if (has_c && (in[2].data == nullptr || at.beta != 1.0 || SuffixPeriod(in[2].dims, out_dims) != n)) return false;
  constexpr int64_t r = PackedGemv::kPackedRows;
  const int64_t blocks = (n + r - 1) / r;
  packed->weights.assign(static_cast<size_t>(blocks * r * k), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      packed->weights[static_cast<size_t>((i / r) * r * k + j * r + i % r)] = in[1].data[i * k + j];
    }
  }
  if (has_c) packed->bias.assign(in[2].data, in[2].data + n);
  packed->n = n;
  packed->k = k;
  return true;
}

// One function, compiled twice (the loader picks the AVX2 copy where the CPU has it): the vector type
// holds one block's rows, whatever the registers' width. No FMA either way (-ffp-contract=off, and the
// target does not enable it): every product is rounded before its sum, as in Eigen's SSE2 kernel.
__attribute__((target_clones("avx2", "default"))) void RunPackedGemv(const PackedGemv& packed, const double* x,
                                                                     double* out) {
  using Block = double __attribute__((vector_size(PackedGemv::kPackedRows * sizeof(double))));
  constexpr int64_t r = PackedGemv::kPackedRows;
  const int64_t n = packed.n;
  const int64_t k = packed.k;
  const double* w = packed.weights.data();
  for (int64_t first = 0; first < n; first += r, w += r * k) {
    Block even = {}, odd = {}, column;
    int64_t j = 0;
    // Eigen's packets of two inputs: c = a * b + c per lane, lane 0 the even inputs, lane 1 the odd
    for (; j + 2 <= k; j += 2) {
      std::memcpy(&column, w + j * r, sizeof(Block));
      even = column * x[j] + even;
      std::memcpy(&column, w + (j + 1) * r, sizeof(Block));
      odd = column * x[j + 1] + odd;
    }
    Block sum = even + odd;  // predux: lane 0 + lane 1
    if (j < k) {
      std::memcpy(&column, w + j * r, sizeof(Block));
      sum = sum + column * x[j];  // the remaining input: cc += a * b
    }
    const int64_t rows = std::min(r, n - first);
    for (int64_t i = 0; i < rows; ++i) {
      out[first + i] = (packed.bias.empty() ? 0.0 : packed.bias[static_cast<size_t>(first + i)]) + sum[i];
    }
  }
}

namespace {

// numpy matmul: rank-1 operands are promoted (and the added dim removed from the output)
struct MatMulShape {
  int64_t m = 1, k = 1, n = 1;
  Dims batch;  // broadcast batch dims
  Dims a_batch, b_batch;
};

bool MatMulShapes(const Dims& a, const Dims& b, MatMulShape* s, Dims* out) {
  if (a.rank < 1 || b.rank < 1) return false;
  const bool a_vec = a.rank == 1;
  const bool b_vec = b.rank == 1;
  s->m = a_vec ? 1 : a[a.rank - 2];
  s->k = a[a.rank - 1];
  const int64_t kb = b_vec ? b[0] : b[b.rank - 2];
  s->n = b_vec ? 1 : b[b.rank - 1];
  if (s->k != kb) return false;
  s->a_batch.rank = std::max(0, a.rank - 2);
  for (int i = 0; i < s->a_batch.rank; ++i) s->a_batch[i] = a[i];
  s->b_batch.rank = std::max(0, b.rank - 2);
  for (int i = 0; i < s->b_batch.rank; ++i) s->b_batch[i] = b[i];
  if (!Broadcast(s->a_batch, s->b_batch, &s->batch)) return false;
  *out = s->batch;
  if (!a_vec) (*out)[out->rank++] = s->m;
  if (!b_vec) (*out)[out->rank++] = s->n;
  return out->rank <= kMaxRank;
}

void MatMul(const Operand& a, const Operand& b, const Dims& out_dims, double* out) {
  MatMulShape s;
  Dims unused;
  MatMulShapes(a.dims, b.dims, &s, &unused);
  (void)out_dims;
  if (s.b_batch.rank == 0) {
    // every batch of A against one matrix B: one GEMM with the batches stacked
    const int64_t rows = s.a_batch.count() * s.m;
    MutMap(out, rows, s.n).noalias() = ConstMap(a.data, rows, s.k) * ConstMap(b.data, s.k, s.n);
    return;
  }
  const int64_t batches = s.batch.count();
  const auto sa = BroadcastStrides(s.a_batch, s.batch);
  const auto sb = BroadcastStrides(s.b_batch, s.batch);
  std::array<int64_t, kMaxRank> index{};
  for (int64_t i = 0; i < batches; ++i) {
    int64_t ia = 0;
    int64_t ib = 0;
    for (int d = 0; d < s.batch.rank; ++d) {
      ia += index[static_cast<size_t>(d)] * sa[static_cast<size_t>(d)];
      ib += index[static_cast<size_t>(d)] * sb[static_cast<size_t>(d)];
    }
    MutMap(out + i * s.m * s.n, s.m, s.n).noalias() =
        ConstMap(a.data + ia * s.m * s.k, s.m, s.k) * ConstMap(b.data + ib * s.k * s.n, s.k, s.n);
    for (int d = s.batch.rank - 1; d >= 0; --d) {
      if (++index[static_cast<size_t>(d)] < s.batch[d]) break;
      index[static_cast<size_t>(d)] = 0;
    }
  }
}

}  // namespace

Dims Dims::From(std::span<const int64_t> shape) {
  Dims d;
  d.rank = static_cast<int>(std::min<size_t>(shape.size(), kMaxRank));
  for (int i = 0; i < d.rank; ++i) d[i] = shape[static_cast<size_t>(i)];
  return d;
}

namespace {

// Sections of InferDims: the output shapes of the operators with more to check than an operand count.

/// `axis` in [-rank, rank) made non-negative into `result`; false when out of range.
bool NormAxis(int64_t axis, int rank, int64_t* result) {
  if (axis < -rank || axis >= rank) return false;
  *result = axis < 0 ? axis + rank : axis;
  return true;
}

std::string GemmDims(const NodeAttributes& at, std::span<const Dims> in, Dims* out) {
  const size_t arity = in.size();
  if (in[0].rank != 2 || in[1].rank != 2) {
    return "operands A " + DimsText(in[0]) + " and B " + DimsText(in[1]) + " must be 2-D";
  }
  const int64_t m = at.trans_a ? in[0][1] : in[0][0];
  const int64_t k = at.trans_a ? in[0][0] : in[0][1];
  const int64_t kb = at.trans_b ? in[1][1] : in[1][0];
  const int64_t n = at.trans_b ? in[1][0] : in[1][1];
  if (k != kb) {
    return "shapes A " + DimsText(in[0]) + " and B " + DimsText(in[1]) + " do not match (transA=" +
           std::to_string(at.trans_a) + ", transB=" + std::to_string(at.trans_b) + ")";
  }
  out->rank = 2;
  (*out)[0] = m;
  (*out)[1] = n;
  if (arity == 3) {
    Dims bc;
    if (in[2].rank > 2 || !Broadcast(in[2], *out, &bc) || bc.count() != out->count() || bc.rank != 2) {
      return "C " + DimsText(in[2]) + " does not broadcast to " + DimsText(*out);
    }
  }
  return "";
}

/// Resolves attrs.reshape_target (0 copies an input dim, -1 is inferred) into attrs.shape_out.
std::string ReshapeDims(NodeAttributes& at, const Dims& input, Dims* out) {
  if (static_cast<int>(at.reshape_target.size()) > kMaxRank) return "target rank over 8 is not supported";
  out->rank = static_cast<int>(at.reshape_target.size());
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < out->rank; ++i) {
    int64_t t = at.reshape_target[static_cast<size_t>(i)];
    if (t == 0) {
      if (i >= input.rank) return "target dim 0 at position " + std::to_string(i) + " has no input dim to copy";
      t = input[i];
    }
    if (t == -1) {
      if (infer >= 0) return "target " + DimsText(Dims::From(at.reshape_target)) + " has more than one -1";
      infer = i;
      continue;
    }
    if (t < -1) return "target " + DimsText(Dims::From(at.reshape_target)) + " has a negative dim";
    if (t > (int64_t{1} << 31)) return "target " + DimsText(Dims::From(at.reshape_target)) + " has a dim over 2^31";
    (*out)[i] = t;
    known *= t;
  }
  const int64_t total = input.count();
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      return "cannot reshape " + DimsText(input) + " to " + DimsText(Dims::From(at.reshape_target));
    }
    (*out)[infer] = total / known;
  } else if (known != total) {
    return "cannot reshape " + DimsText(input) + " to " + DimsText(Dims::From(at.reshape_target));
  }
  at.shape_out.assign(out->d.begin(), out->d.begin() + out->rank);
  return "";
}

/// Normalises attrs.axes (all size-1 dims when empty), sorted and unique.
std::string SqueezeDims(NodeAttributes& at, const Dims& input, Dims* out) {
  const int r = input.rank;
  std::vector<int64_t> axes;
  for (int64_t a : at.axes) {
    int64_t x;
    if (!NormAxis(a, r, &x)) return "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r);
    if (input[static_cast<int>(x)] != 1) {
      return "cannot squeeze axis " + std::to_string(a) + " of " + DimsText(input) + " (size is not 1)";
    }
    axes.push_back(x);
  }
  if (at.axes.empty()) {
    for (int i = 0; i < r; ++i) {
      if (input[i] == 1) axes.push_back(i);
    }
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  at.axes = axes;
  out->rank = 0;
  for (int i = 0; i < r; ++i) {
    if (!std::binary_search(axes.begin(), axes.end(), int64_t{i})) (*out)[out->rank++] = input[i];
  }
  return "";
}

/// Normalises attrs.axes (positions in the output), sorted.
std::string UnsqueezeDims(NodeAttributes& at, const Dims& input, Dims* out) {
  const int r = input.rank + static_cast<int>(at.axes.size());
  if (r > kMaxRank) return "output rank over 8 is not supported";
  std::vector<int64_t> axes;
  for (int64_t a : at.axes) {
    int64_t x;
    if (!NormAxis(a, r, &x)) return "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r);
    axes.push_back(x);
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return "axes repeat";
  at.axes = axes;
  out->rank = r;
  int j = 0;
  for (int i = 0; i < r; ++i) {
    (*out)[i] = std::binary_search(axes.begin(), axes.end(), int64_t{i}) ? 1 : input[j++];
  }
  return "";
}

/// Normalises attrs.axis.
std::string ConcatDims(NodeAttributes& at, std::span<const Dims> in, Dims* out) {
  const size_t arity = in.size();
  const int r = in[0].rank;
  int64_t axis;
  if (!NormAxis(at.axis, r, &axis)) {
    return "axis " + std::to_string(at.axis) + " is out of range for rank " + std::to_string(r);
  }
  at.axis = axis;
  *out = in[0];
  for (size_t k = 1; k < arity; ++k) {
    bool ok = in[k].rank == r;
    for (int i = 0; ok && i < r; ++i) ok = i == axis || in[k][i] == in[0][i];
    if (!ok) {
      return "operand shapes " + DimsText(in[0]) + " and " + DimsText(in[k]) + " do not match off axis " +
             std::to_string(axis);
    }
    (*out)[static_cast<int>(axis)] += in[k][static_cast<int>(axis)];
  }
  return "";
}

}  // namespace

std::string InferDims(Node& node, std::span<const Dims> in, Dims* out) {
  auto& at = node.attrs;
  const size_t arity = in.size();
  auto need = [&](size_t lo, size_t hi) -> std::string {
    if (arity >= lo && arity <= hi) return "";
    return "expects " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
           " operands, got " + std::to_string(arity);
  };
  switch (node.kind) {
    case OpKind::kGemm: {
      if (auto e = need(2, 3); !e.empty()) return e;
      return GemmDims(at, in, out);
    }
    case OpKind::kMatMul: {
      if (auto e = need(2, 2); !e.empty()) return e;
      MatMulShape s;
      if (!MatMulShapes(in[0], in[1], &s, out)) {
        return "shapes " + DimsText(in[0]) + " and " + DimsText(in[1]) + " do not match";
      }
      return "";
    }
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv: {
      if (auto e = need(2, 2); !e.empty()) return e;
      if (!Broadcast(in[0], in[1], out)) {
        return "operand shapes " + DimsText(in[0]) + " and " + DimsText(in[1]) + " do not broadcast";
      }
      return "";
    }
    case OpKind::kNeg:
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kSoftplus:
    case OpKind::kClip:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kConstant: {
      if (auto e = need(1, 1); !e.empty()) return e;
      *out = in[0];
      return "";
    }
    case OpKind::kFlatten: {
      if (auto e = need(1, 1); !e.empty()) return e;
      const int r = in[0].rank;
      if (at.axis < -r || at.axis > r) {
        return "axis " + std::to_string(at.axis) + " is out of range for rank " + std::to_string(r);
      }
      if (at.axis < 0) at.axis += r;
      out->rank = 2;
      (*out)[0] = 1;
      (*out)[1] = 1;
      for (int i = 0; i < r; ++i) (*out)[i < at.axis ? 0 : 1] *= in[0][i];
      return "";
    }
    case OpKind::kReshape: {
      if (auto e = need(1, 1); !e.empty()) return e;
      return ReshapeDims(at, in[0], out);
    }
    case OpKind::kSqueeze: {
      if (auto e = need(1, 1); !e.empty()) return e;
      return SqueezeDims(at, in[0], out);
    }
    case OpKind::kUnsqueeze: {
      if (auto e = need(1, 1); !e.empty()) return e;
      return UnsqueezeDims(at, in[0], out);
    }
    case OpKind::kConcat: {
      if (arity < 1) return "expects at least 1 operand, got 0";
      return ConcatDims(at, in, out);
    }
    case OpKind::kBatchNormalization: {
      if (auto e = need(5, 5); !e.empty()) return e;
      if (in[0].rank < 2) return "input " + DimsText(in[0]) + " must have rank 2 or more";
      for (size_t k = 1; k < 5; ++k) {
        if (in[k].rank != 1 || in[k][0] != in[0][1]) {
          return "parameter " + DimsText(in[k]) + " does not match " + std::to_string(in[0][1]) + " channels";
        }
      }
      *out = in[0];
      return "";
    }
  }
  return "unsupported operator";
}

void RunKernel(const Node& node, std::span<const Operand> in, const Dims& out_dims, double* out) {
  const auto& at = node.attrs;
  const int64_t n = out_dims.count();
  switch (node.kind) {
    case OpKind::kGemm:
      Gemm(node, in, out_dims, out);
      return;
    case OpKind::kMatMul:
      MatMul(in[0], in[1], out_dims, out);
      return;
    case OpKind::kAdd:
      Binary(in[0], in[1], out_dims, out, [](double a, double b) { return a + b; });
      return;
    case OpKind::kSub:
      Binary(in[0], in[1], out_dims, out, [](double a, double b) { return a - b; });
      return;
    case OpKind::kMul:
      Binary(in[0], in[1], out_dims, out, [](double a, double b) { return a * b; });
      return;
    case OpKind::kDiv:
      Binary(in[0], in[1], out_dims, out, [](double a, double b) { return a / b; });
      return;
    case OpKind::kNeg:
      Unary(in[0], n, out, [](double x) { return -x; });
      return;
    case OpKind::kRelu:
      Unary(in[0], n, out, [](double x) { return x < 0.0 ? 0.0 : x; });
      return;
    case OpKind::kLeakyRelu: {
      const double alpha = at.alpha;
      Unary(in[0], n, out, [alpha](double x) { return x < 0.0 ? alpha * x : x; });
      return;
    }
    case OpKind::kSigmoid:
      Unary(in[0], n, out, Sigmoid);
      return;
    case OpKind::kTanh:
      TanhArray(in[0].data, n, out);
      return;
    case OpKind::kSoftplus:
      Unary(in[0], n, out, Softplus);
      return;
    case OpKind::kClip: {
      const double lo = at.clip_min;
      const double hi = at.clip_max;
      Unary(in[0], n, out, [lo, hi](double x) { return x < lo ? lo : (x > hi ? hi : x); });
      return;
    }
    default:  // the values of the first input, reshaped
      GAUNTLET_CHECK(IsShapeOnly(node.kind));
      if (n > 0) std::memcpy(out, in[0].data, static_cast<size_t>(n) * sizeof(double));
      return;
    case OpKind::kConcat: {
      const int axis = static_cast<int>(at.axis);
      int64_t outer = 1;
      for (int i = 0; i < axis; ++i) outer *= out_dims[i];
      double* dst = out;
      for (int64_t o = 0; o < outer; ++o) {
        for (const Operand& op : in) {
          int64_t inner = 1;
          for (int i = axis; i < op.dims.rank; ++i) inner *= op.dims[i];
          if (inner > 0) std::memcpy(dst, op.data + o * inner, static_cast<size_t>(inner) * sizeof(double));
          dst += inner;
        }
      }
      return;
    }
    case OpKind::kBatchNormalization: {
      const int64_t batch = out_dims[0];
      const int64_t channels = out_dims[1];
      const int64_t inner = channels == 0 ? 0 : n / (batch * channels);
      const double* x = in[0].data;
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t c = 0; c < channels; ++c) {
          const double scale = in[1].data[c];
          const double bias = in[2].data[c];
          const double mean = in[3].data[c];
          const double denom = std::sqrt(in[4].data[c] + at.epsilon);
          const int64_t base = (b * channels + c) * inner;
          for (int64_t i = 0; i < inner; ++i) out[base + i] = (x[base + i] - mean) / denom * scale + bias;
        }
      }
      return;
    }
  }
}

}  // namespace gauntlet::models::internal
