#pragma once
// OpenSCENARIO parameter references and expressions (ASAM OpenSCENARIO 1.2, "Expressions").
//
// An attribute value is either literal text, `$name` (the value of a declared parameter, verbatim)
// or `${expression}`: arithmetic on numbers and parameters with `+ - * / %`, unary `-`, `not`,
// comparisons `< <= > >= == !=`, `and`, `or`, parentheses and the functions round, floor, ceil,
// sqrt, pow, sin, cos, tan, asin, acos, atan, sign, abs, max, min. Booleans are 1 (true) and 0.
//
//   ParameterLookup lookup = [&](std::string_view name) -> std::optional<std::string> { ... };
//   double v = EvaluateExpression("2 * $speed + 1", lookup);   // throws ExpressionError

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gauntlet::openscenario {

/// The value of the parameter `name` (without `$`), or nullopt when it is not declared.
using ParameterLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A malformed expression or an unknown parameter; the message names the problem (no position).
class ExpressionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The value of the expression text (what is between `${` and `}`). Throws ExpressionError.
[[nodiscard]] double EvaluateExpression(std::string_view text, const ParameterLookup& lookup);

/// An attribute's text with its parameter reference resolved: `$name` gives the parameter's value,
/// `${expr}` the expression's value formatted as the shortest decimal that reads back the same
/// (integers without a decimal point), anything else is returned as written. Throws ExpressionError.
[[nodiscard]] std::string ResolveAttribute(std::string_view text, const ParameterLookup& lookup);

/// The shortest decimal text of `value` that reads back to the same double ("3", "0.1", "-2.5").
[[nodiscard]] std::string FormatNumber(double value);

}  // namespace gauntlet::openscenario
