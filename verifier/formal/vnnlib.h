#pragma once
// VNN-LIB properties (the VNN-COMP subset of SMT-LIB) for `gauntlet prove`.
//
// A property describes the UNSAFE set: constraints on the inputs X_i (boxes, or a union of boxes
// through `or`) and linear constraints on the outputs Y_j. It holds ("unsat") when no input in the
// region reaches an output satisfying all constraints of one disjunct.
//
//   formal::VnnlibProperty p = formal::LoadVnnlib("prop_1.vnnlib", 5, 5);
//   for (const formal::PropertyRegion& r : p.regions) { ... r.box ... r.unsafe[k].c ... }
//
// Supported: `(declare-const X_0 Real)`, `(assert F)` with F built from `and`, `or`, `<=`, `>=`, `<`,
// `>` over linear terms (numbers in decimal or scientific notation, variables, `+`, `-`, `*` by a
// constant); comments after `;`. Each atom must involve either one input (a bound) or only outputs.
// The conjunction of all asserts is brought into disjunctive normal form (at most 100000 clauses).
// Errors are core::InputError with `path:line:col` for: unbalanced parentheses, an undeclared variable
// (with a did-you-mean), an operator outside this subset, a variable index beyond the model's inputs
// or outputs, and an input without a lower or upper bound.

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/formal/bounds.h"

namespace gauntlet::verifier::formal {

/// Unsafe when every row holds: c.row(k) . y <= d[k] (or < d[k] where strict[k]).
struct OutputConjunction {
  Eigen::MatrixXd c;
  Eigen::VectorXd d;
  std::vector<bool> strict;

  /// Whether `y` satisfies every row (evaluated in double).
  [[nodiscard]] bool IsSatisfiedBy(const Eigen::VectorXd& y) const;
};

/// One input box and the disjunction of unsafe output conjunctions on it.
struct PropertyRegion {
  Box box;
  std::vector<OutputConjunction> unsafe;
};

/// A parsed property: the union over regions of (box x unsafe outputs).
struct VnnlibProperty {
  int num_inputs = 0;
  int num_outputs = 0;
  std::vector<PropertyRegion> regions;
};

/// The deepest nesting of parentheses a property may have (real properties use fewer than ten levels);
/// deeper input is an InputError, so neither the parser nor the tree it builds recurses without bound.
inline constexpr size_t kMaxVnnlibDepth = 1000;

/// Parses `text`; `path` starts every error message. `model_inputs`/`model_outputs` (if >= 0) are the
/// model's sizes that the X_i/Y_j indices are checked against.
[[nodiscard]] VnnlibProperty ParseVnnlib(std::string_view text, const std::string& path, int model_inputs = -1,
                                         int model_outputs = -1);
/// Reads and parses the file `path` (InputError if it cannot be read, is not a regular file or is
/// larger than 64 MiB: core::ReadInputFile).
[[nodiscard]] VnnlibProperty LoadVnnlib(const std::string& path, int model_inputs = -1, int model_outputs = -1);

}  // namespace gauntlet::verifier::formal
