#include "verifier/stl/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/test_files.h"

namespace gauntlet::verifier::stl {
namespace {

std::string ErrorOf(std::string_view text) {
  return test::InputErrors([&] { (void)Expression::Parse(text, {"s.yaml", 3, 10}); });
}

double Eval(std::string_view text, const std::vector<std::string>& names, const std::vector<double>& values) {
  return Expression::Parse(text).Bind(names).Evaluate(values.data());
}

TEST(ExpressionTest, ArithmeticPrecedenceAndAssociativity) {
  EXPECT_EQ(Expression::Parse("1 + 2 * 3").EvaluateConstant(), 7.0);
  EXPECT_EQ(Expression::Parse("(1 + 2) * 3").EvaluateConstant(), 9.0);
  EXPECT_EQ(Expression::Parse("8 - 3 - 2").EvaluateConstant(), 3.0);
  EXPECT_EQ(Expression::Parse("8 / 4 / 2").EvaluateConstant(), 1.0);
  EXPECT_EQ(Expression::Parse("-2 * -3").EvaluateConstant(), 6.0);
  EXPECT_EQ(Expression::Parse("- -2").EvaluateConstant(), 2.0);
  EXPECT_EQ(Expression::Parse("2 - -2").EvaluateConstant(), 4.0);
  EXPECT_EQ(Expression::Parse("1.5e2 + .5 + 2. + 1E-1").EvaluateConstant(), 150.0 + 0.5 + 2.0 + 0.1);
  EXPECT_EQ(Expression::Parse("abs(-3) + min(4, 2, 3) + max(1, 5)").EvaluateConstant(), 10.0);
  EXPECT_EQ(Expression::Parse("min(1, -1)").EvaluateConstant(), -1.0);
}

TEST(ExpressionTest, NamesWithDotsBindToSlots) {
  const Expression e = Expression::Parse("lead.x - ego.x - ego_len / 2 + lead.x");
  EXPECT_EQ(e.names(), (std::vector<std::string>{"lead.x", "ego.x", "ego_len"}));
  EXPECT_FALSE(e.IsConstant());
  const std::vector<std::string> slots = {"ego.x", "ego.v", "lead.x", "ego_len"};
  const BoundExpression b = e.Bind(slots);
  const double values[] = {10.0, 20.0, 35.0, 4.0};
  EXPECT_EQ(b.Evaluate(values), 35.0 - 10.0 - 2.0 + 35.0);
  EXPECT_EQ(b.slot_count(), 4u);
  const size_t direct[] = {0, 1, 2};
  const double packed[] = {1.0, 2.0, 8.0};
  EXPECT_EQ(e.BindSlots(direct).Evaluate(packed), 1.0 - 2.0 - 4.0 + 1.0);
  EXPECT_EQ(Eval("ego_speed * 1.2", {"ego_speed"}, {25.0}), 25.0 * 1.2);
}

TEST(ExpressionTest, ToStringIsCanonical) {
  EXPECT_EQ(Expression::Parse("a+b*c").ToString(), "(a + (b * c))");
  EXPECT_EQ(Expression::Parse("-(a - 1e3)").ToString(), "-(a - 1000)");
  EXPECT_EQ(Expression::Parse("max(a,b,c)").ToString(), "max(a, b, c)");
}

TEST(ExpressionTest, DivisionByZeroThrowsEvaluationError) {
  const BoundExpression b = Expression::Parse("gap / ego.speed", {"s.yaml", 7, 20}).Bind(
      std::vector<std::string>{"gap", "ego.speed"});
  const double ok[] = {10.0, 4.0};
  EXPECT_EQ(b.Evaluate(ok), 2.5);
  const double zero[] = {10.0, 0.0};
  try {
    (void)b.Evaluate(zero);
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "s.yaml:7:24: error: division by zero: the divisor 'ego.speed' is 0");
    EXPECT_EQ(e.message(), "division by zero: the divisor 'ego.speed' is 0");
    EXPECT_FALSE(e.time_s().has_value());
  }
  EXPECT_THROW((void)Expression::Parse("1 / (2 - 2)").EvaluateConstant(), EvaluationError);
}

TEST(ExpressionTest, NotANumberThrowsEvaluationError) {
  const BoundExpression b = Expression::Parse("a - b").Bind(std::vector<std::string>{"a", "b"});
  const double inf = std::numeric_limits<double>::infinity();
  const double values[] = {inf, inf};
  try {
    (void)b.Evaluate(values);
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "1:3: error: '(a - b)' is not a number (inf - inf)");
  }
}

TEST(ExpressionTest, UnknownNamesAreAllReportedWithSuggestions) {
  try {
    (void)Expression::Parse("ego.sped + lead.x * gapp + ego.sped", {"s.yaml", 2, 5})
        .Bind(std::vector<std::string>{"ego.speed", "lead.x", "gap"});
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:2:5: error: unknown name 'ego.sped' (did you mean 'ego.speed'?); known names: "
                 "'ego.speed', 'lead.x', 'gap'\n"
                 "s.yaml:2:25: error: unknown name 'gapp' (did you mean 'gap'?); known names: "
                 "'ego.speed', 'lead.x', 'gap'");
  }
}

TEST(ExpressionTest, SyntaxErrorsPointAtTheColumn) {
  EXPECT_EQ(ErrorOf("1 + "), "s.yaml:3:14: error: expected an expression, found end of text");
  EXPECT_EQ(ErrorOf("(a + b"), "s.yaml:3:16: error: expected ')', found end of text");
  EXPECT_EQ(ErrorOf("a $ b"), "s.yaml:3:12: error: unexpected character '$'");
  EXPECT_EQ(ErrorOf("a > b"), "s.yaml:3:12: error: expected end of expression, found '>'");
  EXPECT_EQ(ErrorOf("always a"), "s.yaml:3:10: error: 'always' cannot be used in an arithmetic expression");
  EXPECT_EQ(ErrorOf("abs(a, b)"), "s.yaml:3:10: error: 'abs' takes one argument, found 2");
  EXPECT_EQ(ErrorOf("max(a)"), "s.yaml:3:10: error: 'max' needs at least two arguments");
  EXPECT_EQ(ErrorOf("min(a b)"), "s.yaml:3:16: error: expected ',' or ')', found 'b'");
  EXPECT_EQ(ErrorOf("abs a"), "s.yaml:3:14: error: expected '(' after 'abs'");
  EXPECT_EQ(ErrorOf("2 3"), "s.yaml:3:12: error: expected end of expression, found '3'");
  EXPECT_EQ(ErrorOf("1e999"), "s.yaml:3:10: error: number '1e999' is out of range");
  EXPECT_EQ(ErrorOf(""), "s.yaml:3:10: error: expected an expression, found end of text");
}

TEST(ExpressionTest, MultiLineTextPositions) {
  EXPECT_EQ(ErrorOf("a +\n  * b"), "s.yaml:4:3: error: expected an expression, found '*'");
}

}  // namespace
}  // namespace gauntlet::verifier::stl
