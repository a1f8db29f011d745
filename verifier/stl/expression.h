#pragma once
// Arithmetic expressions over named values: `lead.x - ego.x`, `${ego_speed * 1.2}`, `abs(a) / max(b, 1e-3)`.
//
// Syntax: numbers (`3`, `2.5`, `.5`, `1e-3`), names with dots (`ego.speed`), `+ - * /`, unary minus,
// `abs(x)`, `min(a, b, ...)`, `max(a, b, ...)` (two or more arguments) and parentheses; `*` and `/` bind
// tighter than `+` and `-`, all are left-associative. The same syntax is the arithmetic part of STL
// formulas (verifier/stl/formula.h).
//
// Parse once, bind the names to slots once, then evaluate as often as needed: Evaluate neither
// allocates nor looks up strings.
//
//   const auto e = stl::Expression::Parse("lead.x - ego.x", {"suite.yaml", 12, 18});
//   // e.names() == {"lead.x", "ego.x"}
//   const stl::BoundExpression gap = e.Bind(std::vector<std::string>{"ego.x", "ego.v", "lead.x"});
//   double slots[] = {10.0, 20.0, 35.0};
//   double value = gap.Evaluate(slots);   // 25
//
// Caveats: a division by zero, or a result that is not a number (`inf - inf`), throws EvaluationError;
// no NaN or infinity made by a division is ever returned. An Expression is immutable and may be shared
// between threads; so is a BoundExpression.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gauntlet::verifier::stl {

namespace internal {
struct Node;
}

/// An arithmetic error while evaluating an expression or a formula on data: a division by zero or a
/// result that is not a number. It is an error of that run (an instance error in a campaign), not of
/// the input file. what() is `path:line:col: error: <message>` pointing at the operator.
class EvaluationError : public std::runtime_error {
 public:
  EvaluationError(core::SourcePos pos, std::string message, std::optional<double> time_s);

  /// Where the failing operator is written.
  [[nodiscard]] const core::SourcePos& pos() const { return pos_; }
  /// The message without the position ("division by zero at time 2.5: the divisor 'v' is 0").
  [[nodiscard]] const std::string& message() const { return message_; }
  /// The time of the sample being evaluated, when evaluating over a trace.
  [[nodiscard]] std::optional<double> time_s() const { return time_s_; }

 private:
  core::SourcePos pos_;
  std::string message_;
  std::optional<double> time_s_;
};

class BoundExpression;

/// A parsed arithmetic expression (immutable).
class Expression {
 public:
  /// Parses `text`; `origin` is where the text starts in its file (line and column of its first
  /// character), so messages point into that file. Throws core::InputError
  /// (`file:1:7: error: expected an expression, found ')'`).
  [[nodiscard]] static Expression Parse(std::string_view text, const core::SourcePos& origin = {"", 1, 1});

  /// The names the expression references, each once, in order of first use.
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
  /// A canonical, fully parenthesised text of the expression.
  [[nodiscard]] std::string ToString() const;
  /// True when the expression references no name.
  [[nodiscard]] bool IsConstant() const { return names_.empty(); }

  /// Binds every name to its index in `slot_names`. Throws core::InputError listing every unknown name
  /// with a suggestion and the known names.
  [[nodiscard]] BoundExpression Bind(std::span<const std::string> slot_names) const;
  /// Binds names()[k] to slot `slots[k]`; `slots.size() == names().size()`.
  [[nodiscard]] BoundExpression BindSlots(std::span<const size_t> slots) const;

  /// Evaluates a constant expression (no names). Throws EvaluationError on a division by zero.
  [[nodiscard]] double EvaluateConstant() const;

  /// The syntax tree (for verifier/stl internals).
  [[nodiscard]] const std::shared_ptr<const internal::Node>& root() const { return root_; }

 private:
  explicit Expression(std::shared_ptr<const internal::Node> root);

  std::shared_ptr<const internal::Node> root_;
  std::vector<std::string> names_;
};

/// An expression with its names bound to slot indices: fast, allocation-free evaluation.
class BoundExpression {
 public:
  /// The value for the slot values `slots` (indexed as bound). Throws EvaluationError on a division by
  /// zero or a result that is not a number.
  [[nodiscard]] double Evaluate(const double* slots) const { return Eval(static_cast<int>(code_.size()) - 1, slots); }
  /// The largest slot index used plus one (0 for a constant expression).
  [[nodiscard]] size_t slot_count() const { return slot_count_; }

 private:
  friend class Expression;
  struct Instr {
    uint8_t op = 0;
    int a = -1;             // first operand (index into code_)
    int b = -1;             // second operand
    size_t slot = 0;        // signal slot
    double number = 0.0;    // constant
    const internal::Node* node = nullptr;  // for messages
  };
  double Eval(int k, const double* slots) const;

  std::shared_ptr<const internal::Node> root_;  // keeps `node` pointers alive
  std::vector<Instr> code_;                     // operands before their operator; the root is last
  size_t slot_count_ = 0;
};

}  // namespace gauntlet::verifier::stl
