// The Gemm kernel's single-row path (models/internal/kernels.cc) against the Eigen product it
// replaces, bit for bit: a network's results must not change with the evaluator's speed.

#include "models/internal/kernels.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "models/graph.h"

namespace gauntlet::models::internal {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Dims Shape(std::vector<int64_t> d) { return Dims::From(d); }

TEST(KernelsTest, SingleRowGemmEqualsTheEigenProductBitForBit) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> value(0.0, 1.0);
  int compared = 0;
  for (int64_t k = 1; k <= 40; ++k) {
    for (int64_t n : {1, 2, 3, 7, 8, 9, 16, 31, 32, 33, 64}) {
      for (int64_t misalign : {0, 1}) {  // operands at an odd offset too (unaligned packets)
        std::vector<double> storage(static_cast<size_t>(1 + k + n * k + n + 3 * misalign));
        for (double& v : storage) v = value(rng);
        const double* a = storage.data() + misalign;
        const double* b = a + k + misalign;
        const double* c = b + n * k + misalign;
        Node node;
        node.kind = OpKind::kGemm;
        node.attrs.trans_b = true;
        const Operand operands[3] = {{a, Shape({1, k})}, {b, Shape({n, k})}, {c, Shape({n})}};
        std::vector<double> got(static_cast<size_t>(n));
        RunKernel(node, operands, Shape({1, n}), got.data());
        // the reference: what Gemm computed before it had a single-row path
        std::vector<double> want(static_cast<size_t>(n));
        Eigen::Map<RowMatrix> y(want.data(), 1, n);
        for (int64_t j = 0; j < n; ++j) want[static_cast<size_t>(j)] = c[j];
        const Eigen::Map<const RowMatrix> am(a, 1, k);
        const Eigen::Map<const RowMatrix> bm(b, n, k);
        y.noalias() += am * bm.transpose();
        for (int64_t j = 0; j < n; ++j) {
          EXPECT_EQ(std::bit_cast<uint64_t>(want[static_cast<size_t>(j)]), std::bit_cast<uint64_t>(got[static_cast<size_t>(j)]))
              << "k=" << k << " n=" << n << " j=" << j;
        }
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 40 * 11 * 2);
}

}  // namespace
}  // namespace gauntlet::models::internal
