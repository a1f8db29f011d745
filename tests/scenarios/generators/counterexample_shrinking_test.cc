#include "scenarios/generators/counterexample_shrinking.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;

ParameterSpace Box(size_t k) {
  ParameterSpace space;
  for (size_t i = 0; i < k; ++i) {
    space.parameters.push_back({.name = "x" + std::to_string(i), .kind = Kind::kUniform, .lo = 0, .hi = 1});
  }
  return space;
}

BatchEvaluator Pointwise(std::function<double(const std::vector<double>&)> f) {
  return [f](const std::vector<std::vector<double>>& points) {
    std::vector<double> out;
    for (const auto& p : points) out.push_back(f(p));
    return out;
  };
}

TEST(ShrinkTest, MovesIrrelevantParametersToNominalAndTheOthersToTheBoundary) {
  const ParameterSpace space = Box(4);
  // fails when x0 > 0.6 and x2 < 0.3
  const auto f = [](const std::vector<double>& x) { return std::max(0.6 - x[0], x[2] - 0.3); };
  const std::vector<double> failing = {0.95, 0.9, 0.05, 0.1};
  const ShrinkResult r = ShrinkCounterexample(space, failing, f(failing), Pointwise(f));
  EXPECT_LT(r.robustness, 0.0);
  EXPECT_EQ(r.robustness, f(r.values));
  EXPECT_EQ(r.values[1], 0.5);
  EXPECT_EQ(r.values[3], 0.5);
  EXPECT_GT(r.values[0], 0.6);
  EXPECT_LT(r.values[0], 0.61);
  EXPECT_LT(r.values[2], 0.3);
  EXPECT_GT(r.values[2], 0.29);
  EXPECT_EQ(r.at_nominal, (std::vector<size_t>{1, 3}));
  EXPECT_LE(r.evaluations.size(), 200u);
}

// Random failure sets (boxes not containing the nominal point) from random failing starts: the result
// always fails, never moves a parameter away from nominal, and keeps to the budget.
TEST(ShrinkTest, RandomCasesStayFailingAndMoveTowardNominal) {
  core::Rng rng(12);
  int shrunk = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const size_t k = 1 + rng.UniformInt(6);
    ParameterSpace space = Box(k);
    space.parameters.push_back({.name = "c", .kind = Kind::kChoice, .choices = {1, 2, 3}});
    space.parameters.push_back({.name = "r", .kind = Kind::kRange, .lo = 0, .hi = 10, .step = 1, .nominal = 5});
    const size_t dims = k + 2;
    std::vector<double> lo(dims), hi(dims);
    for (size_t i = 0; i < dims; ++i) {
      const double a = rng.Uniform(0.0, 10.0), b = rng.Uniform(0.0, 10.0);
      lo[i] = std::min(a, b) - 1.0;
      hi[i] = std::max(a, b) + 1.0;
      if (i < k) {
        lo[i] /= 10.0;
        hi[i] /= 10.0;
      }
    }
    const auto f = [&](const std::vector<double>& x) {
      double r = -1e9;
      for (size_t i = 0; i < dims; ++i) r = std::max({r, lo[i] - x[i], x[i] - hi[i]});
      return r;  // < 0 inside the box
    };
    // a failing start: uniform inside the box, clipped to the space, snapped to the discrete values
    std::vector<double> start(dims);
    for (size_t i = 0; i < dims; ++i) {
      const Parameter& p = space.parameters[i];
      const double v = rng.Uniform(std::max(lo[i], p.Min()), std::min(hi[i], p.Max()));
      start[i] = p.FromUnit(p.ToUnit(v));
    }
    if (!(f(start) < 0.0)) continue;
    const size_t budget = 1 + rng.UniformInt(150);
    const ShrinkResult r = ShrinkCounterexample(space, start, f(start), Pointwise(f), {.budget = budget});
    ASSERT_LT(f(r.values), 0.0);
    ASSERT_EQ(r.robustness, f(r.values));
    ASSERT_LE(r.evaluations.size(), budget);
    const std::vector<double> nominal = space.NominalPoint();
    for (size_t i = 0; i < dims; ++i) {
      ASSERT_LE(std::fabs(r.values[i] - nominal[i]), std::fabs(start[i] - nominal[i]) + 1e-12) << trial << " " << i;
    }
    for (const SearchEvaluation& e : r.evaluations) ASSERT_EQ(e.robustness, f(e.values));
    ++shrunk;
  }
  EXPECT_GT(shrunk, 300);  // the others had no failing start
}

TEST(ShrinkTest, NanDoesNotCountAsFailing) {
  const ParameterSpace space = Box(2);
  const auto f = [](const std::vector<double>& x) { return x[0] < 0.8 ? std::nan("") : -1.0; };
  const ShrinkResult r = ShrinkCounterexample(space, {0.9, 0.9}, -1.0, Pointwise(f));
  EXPECT_GE(r.values[0], 0.8);
  EXPECT_EQ(r.values[1], 0.5);
}

}  // namespace
}  // namespace gauntlet::scenarios
