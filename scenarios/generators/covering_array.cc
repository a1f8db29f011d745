#include "scenarios/generators/covering_array.h"

#include <algorithm>

#include "core/check.h"

namespace gauntlet::scenarios {
namespace {

// C(n, r), saturating at 2^62.
uint64_t Binomial(uint64_t n, uint64_t r) {
  if (r > n) return 0;
  r = std::min(r, n - r);
  uint64_t result = 1;
  for (uint64_t i = 1; i <= r; ++i) {
    result = result * (n - r + i) / i;  // exact: a product of i consecutive integers is divisible by i!
    if (result > (uint64_t{1} << 62)) return uint64_t{1} << 62;
  }
  return result;
}

}  // namespace

size_t BinaryCoveringArrayRows(size_t k) {
  if (k <= 1) return 2;
  size_t n = 4;
  while (Binomial(n - 1, (n + 1) / 2) < k) ++n;
  return n;
}

std::vector<std::vector<uint8_t>> BinaryCoveringArray(size_t k) {
  if (k == 0) return {std::vector<uint8_t>{}};
  const size_t n = BinaryCoveringArrayRows(k);
  const size_t weight = k == 1 ? 1 : (n + 1) / 2;
  std::vector<std::vector<uint8_t>> rows(n, std::vector<uint8_t>(k, 0));
  // the first `weight`-subsets of rows 1 .. n-1 in lexicographic order
  std::vector<size_t> subset(weight);
  for (size_t i = 0; i < weight; ++i) subset[i] = i;
  const size_t m = n - 1;
  for (size_t column = 0; column < k; ++column) {
    for (size_t r : subset) rows[1 + r][column] = 1;
    // next subset
    size_t i = weight;
    while (i > 0 && subset[i - 1] == m - weight + i - 1) --i;
    if (i == 0) {
      GAUNTLET_CHECK(column + 1 == k);
      break;
    }
    ++subset[i - 1];
    for (size_t j = i; j < weight; ++j) subset[j] = subset[j - 1] + 1;
  }
  return rows;
}

}  // namespace gauntlet::scenarios
