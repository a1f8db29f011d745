#include "scenarios/generators/covering_array.h"

#include <gtest/gtest.h>

namespace gauntlet::scenarios {
namespace {

bool CoversAllPairs(const std::vector<std::vector<uint8_t>>& rows, size_t k) {
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) {
      int seen = 0;
      for (const auto& row : rows) seen |= 1 << (row[a] * 2 + row[b]);
      if (seen != 0xf) return false;
    }
  }
  return true;
}

TEST(CoveringArrayTest, KnownOptimalSizes) {
  EXPECT_EQ(BinaryCoveringArrayRows(1), 2u);
  EXPECT_EQ(BinaryCoveringArrayRows(2), 4u);
  EXPECT_EQ(BinaryCoveringArrayRows(3), 4u);
  EXPECT_EQ(BinaryCoveringArrayRows(4), 5u);
  EXPECT_EQ(BinaryCoveringArrayRows(10), 6u);
  EXPECT_EQ(BinaryCoveringArrayRows(11), 7u);
  EXPECT_EQ(BinaryCoveringArrayRows(15), 7u);
  EXPECT_EQ(BinaryCoveringArrayRows(35), 8u);
  EXPECT_EQ(BinaryCoveringArrayRows(36), 9u);
}

TEST(CoveringArrayTest, CoversEveryPairOfLevels) {
  for (size_t k = 1; k <= 300; k += (k < 40 ? 1 : 13)) {
    const auto rows = BinaryCoveringArray(k);
    ASSERT_EQ(rows.size(), BinaryCoveringArrayRows(k));
    for (const auto& row : rows) ASSERT_EQ(row.size(), k);
    EXPECT_TRUE(CoversAllPairs(rows, k)) << k;
    // every column takes both levels
    for (size_t c = 0; c < k; ++c) {
      int seen = 0;
      for (const auto& row : rows) seen |= 1 << row[c];
      EXPECT_EQ(seen, 3);
    }
  }
}

// No array with one row fewer covers the pairs (checked exhaustively for small k).
TEST(CoveringArrayTest, NoSmallerArrayExistsForSmallK) {
  for (size_t k = 2; k <= 4; ++k) {
    const size_t n = BinaryCoveringArrayRows(k) - 1;
    bool found = false;
    // columns are n-bit words; try every k-tuple of words
    const size_t words = size_t{1} << n;
    std::vector<size_t> cols(k, 0);
    while (!found) {
      std::vector<std::vector<uint8_t>> rows(n, std::vector<uint8_t>(k));
      for (size_t c = 0; c < k; ++c) {
        for (size_t r = 0; r < n; ++r) rows[r][c] = (cols[c] >> r) & 1;
      }
      found = CoversAllPairs(rows, k);
      size_t i = 0;
      while (i < k && ++cols[i] == words) cols[i++] = 0;
      if (i == k) break;
    }
    EXPECT_FALSE(found) << k;
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
