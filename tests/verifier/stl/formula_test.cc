#include "verifier/stl/formula.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/test_files.h"

namespace gauntlet::verifier::stl {
namespace {

std::string ErrorOf(std::string_view text, const Definitions& lets = {}) {
  return test::InputErrors([&] { (void)Formula::Parse(text, {"", 1, 1}, lets); });
}

std::string Canon(std::string_view text) { return Formula::Parse(text).ToString(); }

TEST(FormulaTest, PrecedenceFromLoosestToTightest) {
  EXPECT_EQ(Canon("a > 0 and b > 0 or c > 0"), "(((a > 0) and (b > 0)) or (c > 0))");
  EXPECT_EQ(Canon("a > 0 or b > 0 and c > 0"), "((a > 0) or ((b > 0) and (c > 0)))");
  EXPECT_EQ(Canon("a -> b -> c"), "(a -> (b -> c))");
  EXPECT_EQ(Canon("a implies b or c"), "(a -> (b or c))");
  EXPECT_EQ(Canon("a <-> b -> c"), "(a <-> (b -> c))");
  EXPECT_EQ(Canon("a iff b iff c"), "((a <-> b) <-> c)");
  EXPECT_EQ(Canon("a xor b and c"), "(a xor (b and c))");
  EXPECT_EQ(Canon("not a > 0 and b > 0"), "((not (a > 0)) and (b > 0))");
  EXPECT_EQ(Canon("always[0,5] x + 1 > 2 * y"), "(always[0, 5] ((x + 1) > (2 * y)))");
  EXPECT_EQ(Canon("always eventually[1:2] x > 0"), "(always (eventually[1, 2] (x > 0)))");
  EXPECT_EQ(Canon("a until[0,3] b and c"), "((a until[0, 3] b) and c)");
  EXPECT_EQ(Canon("not a until b"), "((not a) until b)");
  EXPECT_EQ(Canon("a since b since c"), "((a since b) since c)");
  EXPECT_EQ(Canon("once[1, inf] historically x <= 1"), "(once[1, inf] (historically (x <= 1)))");
  EXPECT_EQ(Canon("prev next s_prev s_next x"), "(prev (next (s_prev (s_next x))))");
  EXPECT_EQ(Canon("rise(x > 0) or fall(y == 1)"), "(rise((x > 0)) or fall((y == 1)))");
  EXPECT_EQ(Canon("-x.y.z != abs(w)"), "(-x.y.z != abs(w))");
  EXPECT_EQ(Canon("(always x > 0) -> y"), "((always (x > 0)) -> y)");
}

TEST(FormulaTest, SignalNamesInOrderOfFirstUse) {
  const Formula f = Formula::Parse("always (ego.speed < limit) and eventually gap / ego.speed > 1");
  EXPECT_EQ(f.signal_names(), (std::vector<std::string>{"ego.speed", "limit", "gap"}));
  EXPECT_FALSE(f.IsExpression());
  EXPECT_TRUE(Formula::Parse("x * 2").IsExpression());
}

TEST(FormulaTest, IntervalErrors) {
  EXPECT_EQ(ErrorOf("always[0.5, 2.0 (x > 0)"), "1:17: error: expected ']' after interval");
  EXPECT_EQ(ErrorOf("always[0.5 2] x"), "1:12: error: expected ',' or ':' in interval");
  EXPECT_EQ(ErrorOf("always[a, 2] x"), "1:8: error: expected a number in interval");
  EXPECT_EQ(ErrorOf("eventually[5, 2] x > 0"), "1:11: error: empty interval [5, 2]: the lower bound is "
                                                "greater than the upper bound");
  EXPECT_EQ(ErrorOf("once[-1, 2] x and historically[0, -3] y"),
            "1:6: error: interval bound -1 is negative\n1:35: error: interval bound -3 is negative");
  EXPECT_EQ(ErrorOf("x until[inf, inf] y"), "1:9: error: the lower bound of an interval must be finite");
}

TEST(FormulaTest, SyntaxErrors) {
  EXPECT_EQ(ErrorOf("x > 0 and"), "1:10: error: expected an expression, found end of text");
  EXPECT_EQ(ErrorOf("always (x > 0"), "1:14: error: expected ')', found end of text");
  EXPECT_EQ(ErrorOf("x > 0 y"), "1:7: error: expected end of formula, found 'y'");
  EXPECT_EQ(ErrorOf("0 < x < 5"), "1:7: error: comparisons cannot be chained; combine them with 'and'");
  EXPECT_EQ(ErrorOf("x > 0 && y"), "1:7: error: unexpected character '&'");
  EXPECT_EQ(ErrorOf("rise x"), "1:6: error: expected '(' after 'rise'");
  EXPECT_EQ(ErrorOf("and x"), "1:1: error: expected an expression, found 'and'");
  EXPECT_EQ(ErrorOf("x > inf"), "1:5: error: expected an expression, found 'inf'");
  EXPECT_EQ(ErrorOf("prev[0,1] x"), "1:5: error: expected an expression, found '['");
}

TEST(FormulaTest, DeepNestingIsAnErrorNotACrash) {
  EXPECT_EQ(ErrorOf(std::string(100000, '(') + "x" + std::string(100000, ')')),
            "1:167: error: the formula is nested too deeply");
  std::string chain = "x";
  for (int i = 0; i < 1000; ++i) chain += " + x";
  EXPECT_EQ(ErrorOf(chain + " > 0"), "1:1999: error: the formula is nested too deeply");
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_EQ(ErrorOf(nots + "x"), "1:1997: error: the formula is nested too deeply");
  // deep but within the limit
  std::string ok = "x";
  for (int i = 0; i < 150; ++i) ok = "(" + ok + " and x)";
  EXPECT_EQ(ErrorOf(ok), "ok");
}

TEST(FormulaTest, TypeErrorsAreAllCollected) {
  EXPECT_EQ(ErrorOf("(x > 0) + 1 > 2 and abs((always y)) < 3"),
            "1:9: error: '+' needs an arithmetic operand, found a formula ('(x > 0)')\n"
            "1:21: error: 'abs' needs an arithmetic operand, found a formula ('(always y)')");
  EXPECT_EQ(ErrorOf("abs(always y)"), "1:5: error: expected an expression, found 'always'");
  EXPECT_EQ(ErrorOf("-(x < 1)"), "1:1: error: '-' needs an arithmetic operand, found a formula ('(x < 1)')");
}

TEST(FormulaTest, UnknownSignalsListKnownOnesAndSuggest) {
  const Formula f = Formula::Parse("always (ego.sped > 0 and gap > 2 and lane_ofset < 1 and ego.sped < 40)",
                                   {"suite.yaml", 9, 14});
  const std::vector<std::string> known = {"ego.speed", "gap", "lane_offset"};
  try {
    f.CheckSignals(known);
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "suite.yaml:9:22: error: unknown signal 'ego.sped' (did you mean 'ego.speed'?); known signals: "
                 "'ego.speed', 'gap', 'lane_offset'\n"
                 "suite.yaml:9:51: error: unknown signal 'lane_ofset' (did you mean 'lane_offset'?); known "
                 "signals: 'ego.speed', 'gap', 'lane_offset'");
  }
  const std::vector<std::string> other = {"speed"};
  try {
    Formula::Parse("zzz > 1").CheckSignals(other);
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(), "1:1: error: unknown signal 'zzz'; known signals: 'speed'");
  }
  EXPECT_NO_THROW(Formula::Parse("gap > 2").CheckSignals(known));
}

TEST(FormulaTest, DefinitionsAreReferencedByName) {
  const DefinitionText texts[] = {
      {"close", "lead.x - ego.x < 5", {"s.yaml", 4, 12}},
      {"dist", "lead.x - ego.x", {"s.yaml", 5, 11}},
      {"braking", "ego.brake > 0.5 and dist > 0", {"s.yaml", 6, 14}},
  };
  const Definitions lets = ParseDefinitions(texts);
  const Formula f = Formula::Parse("always (close -> eventually[0, 2] braking) and dist * 2 > 1", {"", 1, 1}, lets);
  EXPECT_EQ(f.ToString(),
            "((always (((lead.x - ego.x) < 5) -> (eventually[0, 2] ((ego.brake > 0.5) and ((lead.x - ego.x) > 0)))))"
            " and (((lead.x - ego.x) * 2) > 1))");
  EXPECT_EQ(f.signal_names(), (std::vector<std::string>{"lead.x", "ego.x", "ego.brake"}));
  // a formula-valued definition cannot be used in arithmetic
  EXPECT_EQ(ErrorOf("close + 1 > 0", lets),
            "1:7: error: '+' needs an arithmetic operand, found a formula ('((lead.x - ego.x) < 5)')");
}

TEST(FormulaTest, DefinitionErrorsAreAllCollected) {
  const DefinitionText texts[] = {
      {"ok", "x > 0", {"s.yaml", 2, 9}},
      {"ok", "y > 0", {"s.yaml", 3, 9}},
      {"always", "y > 0", {"s.yaml", 4, 9}},
      {"bad name", "y > 0", {"s.yaml", 5, 9}},
      {"broken", "x >", {"s.yaml", 6, 13}},
      {"uses_later", "later and ok", {"s.yaml", 7, 17}},
  };
  try {
    (void)ParseDefinitions(texts);
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:3:9: error: 'ok' is defined twice\n"
                 "s.yaml:4:9: error: 'always' is a keyword and cannot name a definition\n"
                 "s.yaml:5:9: error: 'bad name' is not a valid name for a definition\n"
                 "s.yaml:6:16: error: expected an expression, found end of text");
  }
}

TEST(FormulaTest, OnlineMonitorability) {
  EXPECT_TRUE(Formula::Parse("always (x > 0)").IsOnlineMonitorable());
  EXPECT_TRUE(Formula::Parse("always[1, 5] (x > 0 -> once[0, 2] y > 0)").IsOnlineMonitorable());
  EXPECT_TRUE(Formula::Parse("x > 0 and always (y since[0,1] x)").IsOnlineMonitorable());
  EXPECT_TRUE(Formula::Parse("historically x > 0").IsOnlineMonitorable());
  EXPECT_FALSE(Formula::Parse("eventually x > 0").IsOnlineMonitorable());
  EXPECT_FALSE(Formula::Parse("always (x > 0 -> eventually[0, 2] y > 0)").IsOnlineMonitorable());
  EXPECT_FALSE(Formula::Parse("always (x > 0) or y > 0").IsOnlineMonitorable());
  EXPECT_FALSE(Formula::Parse("always next x").IsOnlineMonitorable());
}

}  // namespace
}  // namespace gauntlet::verifier::stl
