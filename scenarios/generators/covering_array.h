#pragma once
// Binary strength-2 covering arrays: few rows in which every pair of columns shows all four
// combinations 00, 01, 10, 11.
//
// Used for the corners of a box when 2^k corners are too many: with 0 = a parameter's lower bound
// and 1 its upper bound, the rows put every pair of parameters at every pair of bounds. The size is
// optimal (Kleitman-Spencer, Katona): the smallest N with C(N-1, ceil(N/2)) >= k, i.e. 8 rows for up
// to 35 parameters, 12 rows for up to 462.
//
//   std::vector<std::vector<uint8_t>> rows = BinaryCoveringArray(10);   // 6 rows of 10 zeros/ones
//
// Construction: row 0 is all zeros; column j is the j-th (N-1)-bit word of weight ceil(N/2) in
// lexicographic order, written in rows 1 .. N-1. Two distinct such words each have a one where the
// other has a zero, and they share a one because 2 ceil(N/2) > N - 1.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gauntlet::scenarios {

/// The number of rows BinaryCoveringArray(k) has (2 for k <= 1).
[[nodiscard]] size_t BinaryCoveringArrayRows(size_t k);

/// A strength-2 covering array with `k` binary columns (rows x k). k = 0 gives one empty row.
[[nodiscard]] std::vector<std::vector<uint8_t>> BinaryCoveringArray(size_t k);

}  // namespace gauntlet::scenarios
