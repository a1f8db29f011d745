// The Gemm kernel's single-row path (models/internal/kernels.cc) against the Eigen product it
// replaces, bit for bit: a network's results must not change with the evaluator's speed.

#include "models/internal/kernels.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "models/graph.h"
#include "models/internal/tanh.h"

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

// A value for a weight, a bias or an input: mostly normal ones, sometimes a signed zero, a tiny or
// huge one, an infinity or a NaN (special values must come out as RunKernel's too).
double AnyValue(std::mt19937_64& rng) {
  std::normal_distribution<double> value(0.0, 1.0);
  const double special[] = {0.0, -0.0, 1e-310, -1e300, 1e300, std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()};
  if (rng() % 16 == 0) return special[rng() % 8];
  return value(rng);
}

TEST(KernelsTest, PackedGemvEqualsRunKernelBitForBit) {
  std::mt19937_64 rng(11);
  int compared = 0;
  for (int64_t k = 1; k <= 40; ++k) {
    for (int64_t n : {2, 3, 4, 5, 7, 8, 9, 16, 31, 32, 33, 64}) {
      for (int bias : {0, 1, 2}) {  // no C, a C of n values, a C with beta = 0
        for (int trial = 0; trial < 3; ++trial) {
          std::vector<double> x(static_cast<size_t>(k)), w(static_cast<size_t>(n * k)), c(static_cast<size_t>(n));
          for (double& v : x) v = AnyValue(rng);
          for (double& v : w) v = AnyValue(rng);
          for (double& v : c) v = AnyValue(rng);
          if (trial == 0) {  // exact cancellations: products of opposite sign that sum to a signed zero
            for (double& v : x) v = -0.0;
          }
          Node node;
          node.kind = OpKind::kGemm;
          node.attrs.trans_b = true;
          if (bias == 2) node.attrs.beta = 0.0;
          const Operand operands[3] = {{x.data(), Shape({1, k})}, {w.data(), Shape({n, k})}, {c.data(), Shape({n})}};
          const std::span<const Operand> in(operands, bias == 0 ? 2 : 3);
          std::vector<double> want(static_cast<size_t>(n)), got(static_cast<size_t>(n), 7.0);
          RunKernel(node, in, Shape({1, n}), want.data());
          PackedGemv packed;
          const bool packs = PackGemv(node, in, Shape({1, n}), &packed);
          // Eigen's coefficient-based product below its threshold: RunKernel keeps that path
          ASSERT_EQ(packs, k + 1 + n >= EIGEN_GEMM_TO_COEFFBASED_THRESHOLD) << "k=" << k << " n=" << n;
          if (!packs) {
            EXPECT_EQ(packed.n, 0);
            continue;
          }
          RunPackedGemv(packed, x.data(), got.data());
          for (int64_t j = 0; j < n; ++j) {
            const double a = want[static_cast<size_t>(j)], b = got[static_cast<size_t>(j)];
            // a NaN's sign and payload depend on the order the compiler gives a sum's operands (C++
            // leaves them unspecified, and Eigen's kernel has no fixed one either): NaN is all that counts
            if (std::isnan(a) || std::isnan(b)) {
              EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << "k=" << k << " n=" << n << " j=" << j;
              continue;
            }
            EXPECT_EQ(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b))
                << "k=" << k << " n=" << n << " bias=" << bias << " j=" << j;
          }
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 3000);
}

TEST(KernelsTest, TanhEqualsTheScalarFormBitForBit) {
  // the operator runs TanhArray over the layer: its values are the scalar Tanh's
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> value(-4.0, 4.0);
  for (int64_t n : {1, 3, 32, 64, 65, 1000}) {
    std::vector<double> in(static_cast<size_t>(n)), out(static_cast<size_t>(n), 7.0);
    for (double& v : in) v = rng() % 16 == 0 ? AnyValue(rng) : value(rng);
    Node node;
    node.kind = OpKind::kTanh;
    const Operand operand{in.data(), Shape({1, n})};
    RunKernel(node, std::span(&operand, 1), Shape({1, n}), out.data());
    for (size_t i = 0; i < in.size(); ++i) {
      const double want = Tanh(in[i]);
      EXPECT_EQ(std::bit_cast<uint64_t>(want), std::bit_cast<uint64_t>(out[i])) << "x=" << in[i] << " n=" << n;
    }
  }
}

TEST(KernelsTest, PackGemvLeavesOtherNodesToRunKernel) {
  std::vector<double> w(64 * 40, 0.5), c(64, 1.0), x(40, 1.0);
  auto packs = [&](Node node, Dims b_dims, Dims c_dims, Dims out_dims, bool constant_b = true) {
    const Operand operands[3] = {{x.data(), Shape({1, 40})}, {constant_b ? w.data() : nullptr, b_dims},
                                 {c.data(), c_dims}};
    PackedGemv packed;
    const bool result = PackGemv(node, operands, out_dims, &packed);
    EXPECT_EQ(result, packed.n > 0);
    return result;
  };
  Node gemm;
  gemm.kind = OpKind::kGemm;
  gemm.attrs.trans_b = true;
  EXPECT_TRUE(packs(gemm, Shape({32, 40}), Shape({32}), Shape({1, 32})));
  EXPECT_FALSE(packs(gemm, Shape({32, 40}), Shape({32}), Shape({1, 32}), false));  // weights not constant
  EXPECT_FALSE(packs(gemm, Shape({1, 40}), Shape({1}), Shape({1, 1})));            // one output: a dot product
  EXPECT_FALSE(packs(gemm, Shape({32, 40}), Shape({32}), Shape({2, 32})));         // two rows
  EXPECT_FALSE(packs(gemm, Shape({32, 40}), Shape({1, 1}), Shape({1, 32})));       // C is a scalar
  Node other = gemm;
  other.attrs.alpha = 2.0;
  EXPECT_FALSE(packs(other, Shape({32, 40}), Shape({32}), Shape({1, 32})));
  other = gemm;
  other.attrs.beta = 0.5;
  EXPECT_FALSE(packs(other, Shape({32, 40}), Shape({32}), Shape({1, 32})));
  other = gemm;
  other.attrs.trans_b = false;
  EXPECT_FALSE(packs(other, Shape({40, 32}), Shape({32}), Shape({1, 32})));
  other.kind = OpKind::kMatMul;
  EXPECT_FALSE(packs(other, Shape({40, 32}), Shape({32}), Shape({1, 32})));
}

}  // namespace
}  // namespace gauntlet::models::internal
