#pragma once
// Internal: the operator kernels shared by load-time constant folding (models/graph.cc) and the
// evaluator (models/model.cc). Not part of the public API.
//
// A kernel works on actual shapes: for batched evaluation the caller replaces dim 0 of every
// non-constant operand by the batch size, which is valid when Graph::batch_leading() holds.
// Kernels never allocate; shapes are small fixed arrays (rank <= kMaxRank, checked at load).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/graph.h"

namespace gauntlet::models::internal {

inline constexpr int kMaxRank = 8;

/// A shape of rank <= kMaxRank.
struct Dims {
  std::array<int64_t, kMaxRank> d{};
  int rank = 0;

  [[nodiscard]] int64_t count() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= d[static_cast<size_t>(i)];
    return n;
  }
  int64_t& operator[](int i) { return d[static_cast<size_t>(i)]; }
  int64_t operator[](int i) const { return d[static_cast<size_t>(i)]; }
  static Dims From(std::span<const int64_t> shape);
};

/// One operand of a kernel: its data and its actual shape.
struct Operand {
  const double* data = nullptr;
  Dims dims;
};

/// Checks the operand shapes of `node` and computes its output shape (per sample). Returns "" on
/// success, else the problem ("operand shapes [1,5] and [4] do not broadcast"). For Reshape it also
/// needs attrs.reshape_target; Graph::Create stores the result in attrs.shape_out.
[[nodiscard]] std::string InferDims(Node& node, std::span<const Dims> in, Dims* out);

/// Computes `node` on `in` into `out` (out_dims.count() values, not aliasing any input).
void RunKernel(const Node& node, std::span<const Operand> in, const Dims& out_dims, double* out);

/// A Gemm node's constant weights (and bias) repacked for one sample, y = c + x W^T with x one row of
/// k values and W n x k: blocks of kPackedRows rows stored column by column (rows past n are zero),
/// so that the rows of a block accumulate side by side in vector registers.
struct PackedGemv {
  static constexpr int64_t kPackedRows = 4;
  int64_t n = 0;                 ///< outputs (0: the node is not packed)
  int64_t k = 0;                 ///< inputs
  std::vector<double> weights;   ///< ceil(n / kPackedRows) blocks of k * kPackedRows values
  std::vector<double> bias;      ///< n values, or empty: y starts at 0
};

/// Packs `node` (operand shapes and constant data as RunKernel gets them for one sample; the data of
/// operand 0, the sample, is not read) when RunKernel would evaluate it as Eigen's matrix-vector
/// product: a Gemm with one row, alpha = 1, B transposed and constant, no or a constant one-row C with
/// beta = 1, more than one output and a product over Eigen's coefficient-based threshold. Returns
/// false (and leaves `packed` empty) for any other node.
bool PackGemv(const Node& node, std::span<const Operand> in, const Dims& out_dims, PackedGemv* packed);

/// out = the packed node's value on the sample `x` (k values) into `out` (n values): bit for bit what
/// RunKernel computes (the same products and sums in the same order as Eigen's matrix-vector
/// product: per row, two partial sums over the even and the odd inputs, added, then the last odd
/// input, then the bias; tests/models/kernels_test.cc compares them on many random cases). A NaN
/// result is NaN in both, its sign and payload unspecified (as in Eigen's kernel).
void RunPackedGemv(const PackedGemv& packed, const double* x, double* out);

}  // namespace gauntlet::models::internal
