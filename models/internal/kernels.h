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

}  // namespace gauntlet::models::internal
