#pragma once
// Internal: the syntax tree shared by stl::Expression and stl::Formula, and the parser that builds it.
// Not part of the public API; use verifier/stl/expression.h and verifier/stl/formula.h.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gauntlet::verifier::stl::internal {

enum class Op : uint8_t {
  // arithmetic (an expression)
  kNumber, kSignal, kNeg, kAdd, kSub, kMul, kDiv, kAbs, kMin, kMax,
  // comparisons (expression operands, a formula result)
  kLt, kLe, kGt, kGe, kEq, kNe,
  // boolean
  kNot, kAnd, kOr, kImplies, kIff, kXor,
  // temporal
  kAlways, kEventually, kOnce, kHistorically, kUntil, kSince, kPrev, kNext, kSPrev, kSNext, kRise, kFall,
};

/// `[lo, hi]` in the trace's time unit; hi may be +inf (unbounded).
struct Interval {
  double lo = 0.0;
  double hi = std::numeric_limits<double>::infinity();
  bool written = false;  ///< the interval appeared in the text
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  Op op = Op::kNumber;
  double number = 0.0;        ///< kNumber
  std::string name;           ///< kSignal
  Interval interval;          ///< temporal operators with a window
  std::vector<NodePtr> args;  ///< operands, left to right
  core::SourcePos pos;        ///< where the operator (or the atom) is written
  int depth = 1;              ///< 1 + the largest depth of the operands
};

/// The deepest tree the parser builds; deeper input is an error, so no later recursion overflows.
inline constexpr int kMaxDepth = 500;

/// True for the reserved words (operators, functions, `inf`), which cannot name a signal.
[[nodiscard]] bool IsKeyword(std::string_view word);
/// True for numbers, signals and arithmetic operators: a node whose value is a number, not a verdict.
[[nodiscard]] bool IsArithmetic(Op op);
/// True for operators that look at other samples than the current one.
[[nodiscard]] bool IsTemporal(Op op);
/// True for temporal operators that look at later samples (always, eventually, until, next, s_next).
[[nodiscard]] bool IsFutureOp(Op op);
/// True when no node below `node` looks at later samples.
[[nodiscard]] bool IsPastOnly(const Node& node);
/// The operator as written in formulas ("always", "+", "<=").
[[nodiscard]] const char* OpText(Op op);
/// A canonical text of the tree, parenthesised so it parses back to the same tree.
[[nodiscard]] std::string ToText(const Node& node);
/// Signal names used below `node`, each once, in order of first use.
[[nodiscard]] std::vector<std::string> SignalNames(const Node& node);

/// Named, already parsed sub-formulas a text may reference.
using NodeDefinitions = std::map<std::string, NodePtr, std::less<>>;

/// Parses `text` (a whole formula, or only an arithmetic expression if `expression_only`). Throws
/// core::InputError with every problem found (a syntax error stops the parse).
[[nodiscard]] NodePtr Parse(std::string_view text, const core::SourcePos& origin,
                            const NodeDefinitions* definitions, bool expression_only);

}  // namespace gauntlet::verifier::stl::internal
