#pragma once
// Owen-scrambled Sobol points in the unit cube.
//
// A Sobol sequence in base 2 whose dimension j >= 1 uses the j-th primitive polynomial over GF(2)
// (by degree, then value; computed here, not tabulated) and initial direction numbers drawn from a
// fixed hash, then a nested uniform (Owen) scramble keyed by the seed. Scrambling keeps the
// stratification: for any dimension and any m, the points with indices [q 2^m, (q+1) 2^m) put
// exactly one coordinate in each interval [i/2^m, (i+1)/2^m); the first 2^m points do the same in
// every pair of dimensions for strata 2^a x 2^b when a + b <= m - t for the pair's t-value.
//
//   SobolSequence sobol(/*dimension=*/5, /*seed=*/42);
//   std::vector<double> u = sobol.Point(17);   // five coordinates in [0, 1)
//
// Caveats: the initial direction numbers are not the optimised Joe-Kuo ones, so unscrambled
// two-dimensional projections of high dimensions are weaker; the scramble repairs most of that.
// At most kMaxDimension dimensions and 2^32 points.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gauntlet::scenarios {

/// A deterministic, seeded, Owen-scrambled Sobol sequence.
class SobolSequence {
 public:
  static constexpr size_t kMaxDimension = 1024;

  /// A sequence of `dimension` (1 .. kMaxDimension) coordinates scrambled by `seed`.
  SobolSequence(size_t dimension, uint64_t seed);

  [[nodiscard]] size_t dimension() const { return directions_.size(); }
  /// Point `index` (< 2^32), coordinates in [0, 1).
  [[nodiscard]] std::vector<double> Point(uint64_t index) const;
  /// The unscrambled 32-bit coordinate `dim` of point `index` (for tests).
  [[nodiscard]] uint32_t RawCoordinate(uint64_t index, size_t dim) const;

 private:
  std::vector<std::vector<uint32_t>> directions_;  // [dim][bit] direction numbers v_k << (32 - k)
  uint64_t seed_;
};

/// The first `count` primitive polynomials over GF(2) of degree >= 1, by degree then value, each
/// as its bit pattern (x^3 + x + 1 is 0b1011).
[[nodiscard]] std::vector<uint32_t> PrimitivePolynomials(size_t count);

}  // namespace gauntlet::scenarios
