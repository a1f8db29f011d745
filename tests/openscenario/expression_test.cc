// Parameter references and expressions (openscenario/expression.h), values worked out by hand.

#include "openscenario/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace gauntlet::openscenario {
namespace {

const std::map<std::string, std::string> kParams = {{"speed", "20"}, {"half", "0.5"}, {"name", "car_white"},
                                                    {"flag", "true"}, {"neg", "-3"}};

std::optional<std::string> Lookup(std::string_view name) {
  const auto it = kParams.find(std::string(name));
  if (it == kParams.end()) return std::nullopt;
  return it->second;
}

double Eval(const std::string& text) { return EvaluateExpression(text, Lookup); }

TEST(ExpressionTest, ArithmeticFollowsPrecedence) {
  EXPECT_DOUBLE_EQ(Eval("1 + 2 * 3"), 7.0);
  EXPECT_DOUBLE_EQ(Eval("(1 + 2) * 3"), 9.0);
  EXPECT_DOUBLE_EQ(Eval("10 - 4 - 3"), 3.0);  // left associative
  EXPECT_DOUBLE_EQ(Eval("12 / 4 / 3"), 1.0);
  EXPECT_DOUBLE_EQ(Eval("7 % 4"), 3.0);
  EXPECT_DOUBLE_EQ(Eval("-2 * -3"), 6.0);
  EXPECT_DOUBLE_EQ(Eval("2.5e1 / 5"), 5.0);
}

TEST(ExpressionTest, ParametersAndFunctions) {
  EXPECT_DOUBLE_EQ(Eval("$speed / 3.6"), 20.0 / 3.6);
  EXPECT_DOUBLE_EQ(Eval("$speed * $half + $neg"), 7.0);
  EXPECT_DOUBLE_EQ(Eval("pow(2, 10)"), 1024.0);
  EXPECT_DOUBLE_EQ(Eval("sqrt(16) + abs(-2) + sign($neg)"), 5.0);
  EXPECT_DOUBLE_EQ(Eval("round(2.5) + floor(-1.5) + ceil(1.2)"), 3.0 - 2.0 + 2.0);
  EXPECT_DOUBLE_EQ(Eval("max(1, 5, 3) - min(4, 2)"), 3.0);
  EXPECT_NEAR(Eval("sin(0) + cos(0) + atan(1) * 4"), 1.0 + M_PI, 1e-15);
}

TEST(ExpressionTest, BooleansAndComparisons) {
  EXPECT_EQ(Eval("$speed > 10 and $half < 1"), 1.0);
  EXPECT_EQ(Eval("$speed == 20 or false"), 1.0);
  EXPECT_EQ(Eval("not $flag"), 0.0);
  EXPECT_EQ(Eval("1 != 1"), 0.0);
  EXPECT_EQ(Eval("2 >= 2 and 3 <= 2"), 0.0);
}

TEST(ExpressionTest, ErrorsNameTheProblem) {
  auto message = [](const std::string& text) {
    try {
      (void)Eval(text);
    } catch (const ExpressionError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("$nope + 1").find("unknown parameter 'nope'"), std::string::npos);
  EXPECT_NE(message("1 / 0").find("division by zero"), std::string::npos);
  EXPECT_NE(message("1 +").find("unexpected end"), std::string::npos);
  EXPECT_NE(message("(1 + 2").find("missing ')'"), std::string::npos);
  EXPECT_NE(message("foo(1)").find("unknown function 'foo'"), std::string::npos);
  EXPECT_NE(message("$name * 2").find("is not a number"), std::string::npos);
  EXPECT_NE(message("sqrt(-1)").find("negative"), std::string::npos);
}

TEST(ExpressionTest, ResolveAttributeForms) {
  EXPECT_EQ(ResolveAttribute("$name", Lookup), "car_white");
  EXPECT_EQ(ResolveAttribute("${$speed * 2}", Lookup), "40");
  EXPECT_EQ(ResolveAttribute("${1 / 4}", Lookup), "0.25");
  EXPECT_EQ(ResolveAttribute("plain", Lookup), "plain");
  EXPECT_EQ(ResolveAttribute("12.5", Lookup), "12.5");
  EXPECT_THROW((void)ResolveAttribute("$missing", Lookup), ExpressionError);
  // a value formatted from an expression reads back to the same double
  EXPECT_EQ(std::stod(ResolveAttribute("${20 / 3.6}", Lookup)), 20 / 3.6);
}

}  // namespace
}  // namespace gauntlet::openscenario
