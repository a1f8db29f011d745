#include "verifier/formal/vnnlib.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace gauntlet::verifier::formal {
namespace {

std::string ErrorOf(const std::string& text, int inputs = 2, int outputs = 2) {
  try {
    (void)ParseVnnlib(text, "p.vnnlib", inputs, outputs);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

constexpr const char* kDecls =
    "(declare-const X_0 Real)\n"
    "(declare-const X_1 Real)\n"
    "(declare-const Y_0 Real)\n"
    "(declare-const Y_1 Real)\n";

TEST(VnnlibTest, ParsesBoxesAndOutputConstraints) {
  const std::string text = std::string("; a comment\n") + kDecls +
                           "(assert (<= X_0 0.5))\n(assert (>= X_0 -1.5e-1))\n"
                           "(assert (<= X_1 2))(assert (>= X_1 1E0)) ; trailing comment\n"
                           "(assert (<= Y_0 Y_1))\n(assert (>= Y_0 3))\n";
  const VnnlibProperty p = ParseVnnlib(text, "p.vnnlib", 2, 2);
  ASSERT_EQ(p.regions.size(), 1u);
  const PropertyRegion& r = p.regions[0];
  EXPECT_EQ(r.box.lo[0], -0.15);
  EXPECT_EQ(r.box.hi[0], 0.5);
  EXPECT_EQ(r.box.lo[1], 1.0);
  EXPECT_EQ(r.box.hi[1], 2.0);
  ASSERT_EQ(r.unsafe.size(), 1u);
  const OutputConjunction& c = r.unsafe[0];
  ASSERT_EQ(c.c.rows(), 2);
  // Y_0 - Y_1 <= 0 ; -Y_0 <= -3
  EXPECT_EQ(c.c(0, 0), 1.0);
  EXPECT_EQ(c.c(0, 1), -1.0);
  EXPECT_EQ(c.d[0], 0.0);
  EXPECT_EQ(c.c(1, 0), -1.0);
  EXPECT_EQ(c.d[1], -3.0);
  EXPECT_TRUE(c.IsSatisfiedBy(Eigen::Vector2d(3.0, 4.0)));
  EXPECT_FALSE(c.IsSatisfiedBy(Eigen::Vector2d(2.0, 4.0)));
  EXPECT_FALSE(c.IsSatisfiedBy(Eigen::Vector2d(5.0, 4.0)));
}

TEST(VnnlibTest, OrOfAndsOnOutputsAndUnionOfInputBoxes) {
  const std::string text = std::string(kDecls) +
                           "(assert (or (and (<= X_0 0) (>= X_0 -1) (<= X_1 1) (>= X_1 0))\n"
                           "            (and (<= X_0 1) (>= X_0 0.5) (<= X_1 1) (>= X_1 0))))\n"
                           "(assert (or (and (<= Y_0 Y_1) (<= Y_0 1)) (and (>= (+ Y_0 (* 2 Y_1)) (- 1)))))\n";
  const VnnlibProperty p = ParseVnnlib(text, "p.vnnlib", 2, 2);
  ASSERT_EQ(p.regions.size(), 2u);
  for (const PropertyRegion& r : p.regions) {
    ASSERT_EQ(r.unsafe.size(), 2u);
    EXPECT_EQ(r.unsafe[0].c.rows(), 2);
    ASSERT_EQ(r.unsafe[1].c.rows(), 1);
    // -(Y_0 + 2 Y_1) <= 1
    EXPECT_EQ(r.unsafe[1].c(0, 0), -1.0);
    EXPECT_EQ(r.unsafe[1].c(0, 1), -2.0);
    EXPECT_EQ(r.unsafe[1].d[0], 1.0);
  }
  EXPECT_EQ(p.regions[1].box.lo[0], 0.5);
}

TEST(VnnlibTest, StrictInequalitiesAndReversedBounds) {
  const std::string text = std::string(kDecls) +
                           "(assert (<= -1 X_0))(assert (> 1 X_0))(assert (and (>= X_1 0) (<= X_1 0)))\n"
                           "(assert (< Y_0 0))\n";
  const VnnlibProperty p = ParseVnnlib(text, "p.vnnlib", 2, 2);
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_EQ(p.regions[0].box.lo[0], -1.0);
  EXPECT_EQ(p.regions[0].box.hi[0], 1.0);
  EXPECT_TRUE(p.regions[0].unsafe[0].strict[0]);
  EXPECT_FALSE(p.regions[0].unsafe[0].IsSatisfiedBy(Eigen::Vector2d(0.0, 0.0)));
  EXPECT_TRUE(p.regions[0].unsafe[0].IsSatisfiedBy(Eigen::Vector2d(-1e-9, 0.0)));
}

TEST(VnnlibTest, UnbalancedParentheses) {
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= X_0 1)\n"),
            "p.vnnlib:5:1: error: unbalanced parentheses: '(' is never closed");
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= X_0 1)))\n"),
            "p.vnnlib:5:20: error: unbalanced parentheses: unexpected ')'");
}

TEST(VnnlibTest, UndeclaredVariable) {
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= X_0 1))\n(assert (>= X_0 0))\n"
                                          "(assert (<= X_1 1))\n(assert (>= X_1 0))\n(assert (<= Y_2 0))\n"),
            "p.vnnlib:9:13: error: undeclared variable 'Y_2' (did you mean 'Y_0'?)");
}

TEST(VnnlibTest, OperatorOutsideTheSubset) {
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (=> (<= X_0 1) (<= Y_0 0)))\n"),
            "p.vnnlib:5:10: error: operator '=>' is outside the supported VNN-LIB subset (did you mean '>='?); "
            "supported: "
            "'declare-const', 'assert', 'and', 'or', '<=', '>=', '<', '>', '+', '-', '*'");
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= (* X_0 X_1) 1))\n"),
            "p.vnnlib:5:13: error: a product of variables is not linear");
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(asert (<= X_0 1))\n"),
            "p.vnnlib:5:2: error: operator 'asert' is outside the supported VNN-LIB subset (did you mean 'assert'?); "
            "supported: 'declare-const', 'assert', 'and', 'or', '<=', '>=', '<', '>', '+', '-', '*'");
}

TEST(VnnlibTest, VariableBeyondTheModel) {
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(declare-const X_2 Real)\n", 2, 2),
            "p.vnnlib:5:16: error: variable 'X_2' is beyond the model's 2 inputs (X_0 .. X_1)");
  EXPECT_EQ(ErrorOf(std::string(kDecls), 2, 1),
            "p.vnnlib:4:16: error: variable 'Y_1' is beyond the model's 1 outputs (Y_0 .. Y_0)");
}

TEST(VnnlibTest, MissingBoundAndMixedConstraints) {
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= X_0 1))(assert (>= X_0 0))(assert (<= X_1 1))\n"),
            "p.vnnlib:2:16: error: input X_1 has no lower bound");
  EXPECT_EQ(ErrorOf(std::string(kDecls) + "(assert (<= X_0 Y_0))\n"),
            "p.vnnlib:5:9: error: a constraint mixing inputs and outputs is not supported");
}

TEST(VnnlibTest, ParsesEveryAcasXuProperty) {
  const std::string dir = std::string(GAUNTLET_ACASXU_DIR) + "/vnnlib/";
  for (int k = 1; k <= 10; ++k) {
    const std::string path = dir + "prop_" + std::to_string(k) + ".vnnlib";
    const VnnlibProperty p = LoadVnnlib(path, 5, 5);
    EXPECT_EQ(p.num_inputs, 5);
    EXPECT_FALSE(p.regions.empty());
    if (k == 6) {
      EXPECT_EQ(p.regions.size(), 2u);
    }
    if (k == 2) {
      ASSERT_EQ(p.regions.size(), 1u);
      ASSERT_EQ(p.regions[0].unsafe.size(), 1u);
      EXPECT_EQ(p.regions[0].unsafe[0].c.rows(), 4);
      EXPECT_EQ(p.regions[0].box.hi[0], 0.679857769);
    }
  }
}

TEST(VnnlibTest, DeepNestingIsAPositionedErrorNotACrash) {
  // 20,000 levels crashed the parser and the tree's destructor (issue 15 point 11)
  const std::string deep = "(assert " + std::string(20000, '(') + std::string(20000, ')') + ")";
  EXPECT_EQ(ErrorOf(deep), "p.vnnlib:1:1008: error: parentheses nested more than 1000 levels deep (the limit of a "
                           "VNN-LIB property)");
  EXPECT_EQ(ErrorOf(std::string(1000000, '(')),
            "p.vnnlib:1:1001: error: parentheses nested more than 1000 levels deep (the limit of a VNN-LIB property)");
  // at the limit: parsed (and refused for what it says, not for its depth)
  const std::string at_limit = "(assert " + std::string(999, '(') + "<= X_0 1" + std::string(999, ')') + ")";
  EXPECT_EQ(ErrorOf(at_limit).find("nested"), std::string::npos) << ErrorOf(at_limit);
}

TEST(VnnlibTest, AHugeTokenIsQuotedAsAnExcerpt) {
  const std::string name = "X_" + std::string(100000, '9');
  EXPECT_EQ(ErrorOf("(declare-const " + name + " Real)"),
            "p.vnnlib:1:16: error: unsupported variable name 'X_" + std::string(46, '9') + "..." + std::string(12, '9') +
                "' (100002 bytes) (expected X_<i> for inputs or Y_<j> for outputs)");
}

TEST(VnnlibTest, AFileThatIsNotARegularFileIsRefused) {
  try {
    (void)LoadVnnlib("/dev/zero");
    FAIL() << "/dev/zero was read";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/zero: error: cannot read the property file: it is a device, not a regular file");
  }
}

}  // namespace
}  // namespace gauntlet::verifier::formal
