// Hand-computed robustness for every operator, including the trace ends and empty windows.

#include "verifier/stl/monitor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "verifier/stl/expression.h"

namespace gauntlet::verifier::stl {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

core::Trace MakeTrace(const std::vector<double>& t, const std::vector<double>& x, const std::vector<double>& y) {
  core::Trace trace({"x", "y"});
  for (size_t i = 0; i < t.size(); ++i) {
    const double row[] = {x[i], y[i]};
    trace.Append(t[i], row);
  }
  return trace;
}

// t = 0..4, x = 1 -2 3 0 5, y = 0 1 -1 2 2
const core::Trace& TraceA() {
  static const core::Trace trace = MakeTrace({0, 1, 2, 3, 4}, {1, -2, 3, 0, 5}, {0, 1, -1, 2, 2});
  return trace;
}

std::vector<double> Rho(std::string_view text, const core::Trace& trace = TraceA()) {
  return Monitor(Formula::Parse(text)).Run(trace).robustness;
}

using V = std::vector<double>;

TEST(MonitorTest, ComparisonsAndExpressions) {
  EXPECT_EQ(Rho("x"), (V{1, -2, 3, 0, 5}));
  EXPECT_EQ(Rho("x > 0"), (V{1, -2, 3, 0, 5}));
  EXPECT_EQ(Rho("x >= y"), (V{1, -3, 4, -2, 3}));
  EXPECT_EQ(Rho("x < 1"), (V{0, 3, -2, 1, -4}));
  EXPECT_EQ(Rho("x <= 1"), (V{0, 3, -2, 1, -4}));
  EXPECT_EQ(Rho("x == 1"), (V{0, -3, -2, -1, -4}));
  EXPECT_EQ(Rho("x != y"), (V{1, 3, 4, 2, 3}));
  EXPECT_EQ(Rho("abs(x) - max(y, 0, 1) * 2 / 4 + -min(x, y) > 0"),
            (V{1 - 0.5 - 0, 2 - 0.5 + 2, 3 - 0.5 + 1, 0 - 1 - 0, 5 - 1 - 2}));
}

TEST(MonitorTest, BooleanOperators) {
  EXPECT_EQ(Rho("not x"), (V{-1, 2, -3, 0, -5}));
  EXPECT_EQ(Rho("x and y"), (V{0, -2, -1, 0, 2}));
  EXPECT_EQ(Rho("x or y"), (V{1, 1, 3, 2, 5}));
  EXPECT_EQ(Rho("x -> y"), (V{0, 2, -1, 2, 2}));
  EXPECT_EQ(Rho("x implies y"), (V{0, 2, -1, 2, 2}));
  EXPECT_EQ(Rho("x <-> y"), (V{-1, -3, -4, -2, -3}));
  EXPECT_EQ(Rho("x iff y"), (V{-1, -3, -4, -2, -3}));
  EXPECT_EQ(Rho("x xor y"), (V{1, 3, 4, 2, 3}));
}

TEST(MonitorTest, FutureOperatorsClipAtTheEnd) {
  EXPECT_EQ(Rho("always[1,2] x"), (V{-2, 0, 0, 5, kInf}));
  EXPECT_EQ(Rho("eventually[1:2] x"), (V{3, 3, 5, 5, -kInf}));
  EXPECT_EQ(Rho("always x"), (V{-2, -2, 0, 0, 5}));
  EXPECT_EQ(Rho("eventually x"), (V{5, 5, 5, 5, 5}));
  EXPECT_EQ(Rho("always[2, inf] x"), (V{0, 0, 5, kInf, kInf}));
  EXPECT_EQ(Rho("eventually[2,2] x"), (V{3, 0, 5, -kInf, -kInf}));
  EXPECT_EQ(Rho("next x"), (V{-2, 3, 0, 5, kInf}));
  EXPECT_EQ(Rho("s_next x"), (V{-2, 3, 0, 5, -kInf}));
}

TEST(MonitorTest, PastOperatorsClipAtTheStart) {
  EXPECT_EQ(Rho("historically[1,2] x"), (V{kInf, 1, -2, -2, 0}));
  EXPECT_EQ(Rho("once[1,2] x"), (V{-kInf, 1, 1, 3, 3}));
  EXPECT_EQ(Rho("historically x"), (V{1, -2, -2, -2, -2}));
  EXPECT_EQ(Rho("once x"), (V{1, 1, 3, 3, 5}));
  EXPECT_EQ(Rho("prev x"), (V{kInf, 1, -2, 3, 0}));
  EXPECT_EQ(Rho("s_prev x"), (V{-kInf, 1, -2, 3, 0}));
}

TEST(MonitorTest, RiseAndFall) {
  EXPECT_EQ(Rho("rise(x)"), (V{1, -2, 2, -3, 0}));
  EXPECT_EQ(Rho("fall(x)"), (V{-1, 1, -3, 0, -5}));
}

TEST(MonitorTest, UntilIsNonStrict) {
  EXPECT_EQ(Rho("x until[1,2] y"), (V{1, -2, 2, 0, -kInf}));
  EXPECT_EQ(Rho("x until y"), (V{1, 1, 2, 2, 2}));
  // [0,0]: only psi now
  EXPECT_EQ(Rho("x until[0,0] y"), (V{0, 1, -1, 2, 2}));
}

TEST(MonitorTest, SinceMirrorsUntil) {
  EXPECT_EQ(Rho("x since[1,2] y"), (V{-kInf, -2, 1, 0, 2}));
  EXPECT_EQ(Rho("x since y"), (V{0, 1, 1, 2, 2}));
  EXPECT_EQ(Rho("x since[0,0] y"), (V{0, 1, -1, 2, 2}));
}

TEST(MonitorTest, NonUniformTimeStamps) {
  const core::Trace trace = MakeTrace({0, 0.5, 2, 2.1, 5}, {1, 2, 3, 4, 5}, {0, 0, 0, 0, 0});
  EXPECT_EQ(Rho("always[0,1.5] x", trace), (V{1, 2, 3, 4, 5}));
  EXPECT_EQ(Rho("eventually[1,2] x", trace), (V{3, 4, -kInf, -kInf, -kInf}));
  EXPECT_EQ(Rho("once[1.5, 2] x", trace), (V{-kInf, -kInf, 2, 2, -kInf}));
}

TEST(MonitorTest, ConstantsAndInfinities) {
  EXPECT_EQ(Rho("always[0,1] 2"), (V{2, 2, 2, 2, 2}));
  EXPECT_EQ(Rho("3"), (V{3, 3, 3, 3, 3}));
  // iff/xor/comparison of equal infinities is 0, not NaN
  EXPECT_EQ(Rho("(always[9,9] x) <-> (always[8,9] y)"), (V{0, 0, 0, 0, 0}));
  EXPECT_EQ(Rho("(always[9,9] x) xor (eventually[8,9] y)"), (V{kInf, kInf, kInf, kInf, kInf}));
}

TEST(MonitorTest, SharedDefinitionsAreComputedOnce) {
  const DefinitionText texts[] = {{"pos", "x > 0", {"", 1, 1}}};
  const Definitions lets = ParseDefinitions(texts);
  const Formula f = Formula::Parse("always[1,2] pos and once pos", {"", 1, 1}, lets);
  EXPECT_EQ(Monitor(f).Run(TraceA()).robustness, (V{-2, 0, 0, 3, 5}));
}

TEST(MonitorTest, RequirementResultOfAnAlways) {
  const RequirementResult r = Monitor(Formula::Parse("always[1,3] (x > 0)")).Evaluate(TraceA());
  EXPECT_EQ(r.robustness, -2);
  EXPECT_FALSE(r.satisfied);
  EXPECT_EQ(r.first_violation_time_s, 1.0);
  EXPECT_EQ(r.min_robustness, -2);
  EXPECT_EQ(r.min_robustness_time_s, 1.0);
  // the first sample below zero, not the lowest one
  const RequirementResult s = Monitor(Formula::Parse("always (x < 4)")).Evaluate(TraceA());
  EXPECT_EQ(s.robustness, -1);
  EXPECT_EQ(s.first_violation_time_s, 4.0);
  EXPECT_EQ(s.min_robustness_time_s, 4.0);
}

TEST(MonitorTest, RequirementResultOfAConjunction) {
  const RequirementResult r =
      Monitor(Formula::Parse("always (x > -1) and eventually[3,4] (y > 5)")).Evaluate(TraceA());
  EXPECT_EQ(r.robustness, -3);
  EXPECT_FALSE(r.satisfied);
  EXPECT_EQ(r.first_violation_time_s, 1.0);  // the always part shows it first
  EXPECT_EQ(r.min_robustness, -kInf);
  EXPECT_EQ(r.min_robustness_time_s, 2.0);
  // a violated part with future operators that is not an always: known at the end of the trace
  const RequirementResult e = Monitor(Formula::Parse("x > -5 and eventually[3,4] (y > 5)")).Evaluate(TraceA());
  EXPECT_EQ(e.first_violation_time_s, 4.0);
  // a part without future operators is decided at the first sample
  const RequirementResult p = Monitor(Formula::Parse("x > 2")).Evaluate(TraceA());
  EXPECT_EQ(p.first_violation_time_s, 0.0);
}

TEST(MonitorTest, SatisfiedRequirement) {
  const RequirementResult r = Monitor(Formula::Parse("eventually x > 4")).Evaluate(TraceA());
  EXPECT_EQ(r.robustness, 1);
  EXPECT_TRUE(r.satisfied);
  EXPECT_FALSE(r.first_violation_time_s.has_value());
  EXPECT_EQ(r.min_robustness, 1);
  EXPECT_EQ(r.min_robustness_time_s, 0.0);
  // robustness exactly 0 satisfies
  EXPECT_TRUE(Monitor(Formula::Parse("always[3,3] x >= 0")).Evaluate(TraceA()).satisfied);
}

TEST(MonitorTest, AveragedRobustness) {
  // satisfied always: the mean of the body over the window; x + 3 = 4 1 6 3 8
  EXPECT_EQ(Monitor(Formula::Parse("always (x + 3 > 0)")).Evaluate(TraceA()).averaged_robustness, 22.0 / 5);
  // the window [1,3] of time 0: 1 6 3
  EXPECT_EQ(Monitor(Formula::Parse("always[1,3] (x + 3 > 0)")).Evaluate(TraceA()).averaged_robustness, 10.0 / 3);
  // a conjunction: the lowest part; a part that is not an always counts with its robustness (y + 2 = 2 at 0)
  EXPECT_EQ(Monitor(Formula::Parse("always (x + 3 > 0) and y + 2 > 0")).Evaluate(TraceA()).averaged_robustness, 2);
  EXPECT_EQ(Monitor(Formula::Parse("always (x + 3 > 0) and always (y + 2 > 0)")).Evaluate(TraceA()).averaged_robustness,
            std::min(22.0 / 5, 14.0 / 5));
  // violated, or exactly 0: the robustness itself
  const RequirementResult v = Monitor(Formula::Parse("always (x > -1)")).Evaluate(TraceA());
  EXPECT_EQ(v.averaged_robustness, v.robustness);
  EXPECT_EQ(v.averaged_robustness, -1);
  EXPECT_EQ(Monitor(Formula::Parse("always (x + 2 >= 0)")).Evaluate(TraceA()).averaged_robustness, 0);
  // not an always at the top: the robustness
  EXPECT_EQ(Monitor(Formula::Parse("eventually x > 4")).Evaluate(TraceA()).averaged_robustness, 1);
  // an empty window keeps the robustness (+inf)
  EXPECT_EQ(Monitor(Formula::Parse("always[7,9] (x > 0)")).Evaluate(TraceA()).averaged_robustness, kInf);
}

TEST(MonitorTest, DivisionByASignalReachingZeroIsAnEvaluationError) {
  const core::Trace trace = MakeTrace({0, 1, 2}, {1, 1, 1}, {2, 1, 0});
  try {
    (void)Monitor(Formula::Parse("always (x / y > 0.1)")).Evaluate(trace);
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "1:11: error: division by zero at time 2: the divisor 'y' is 0");
    EXPECT_EQ(e.time_s(), 2.0);
  }
}

TEST(MonitorTest, NotANumberIsAnEvaluationError) {
  const core::Trace inf = MakeTrace({0, 1}, {1, kInf}, {1, kInf});
  try {
    (void)Monitor(Formula::Parse("eventually (x - y > 0)")).Evaluate(inf);
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "1:15: error: '(x - y)' is not a number at time 1");
  }
  const core::Trace nan = MakeTrace({0, 1}, {1, std::numeric_limits<double>::quiet_NaN()}, {1, 1});
  try {
    (void)Monitor(Formula::Parse("always y > 0 and x > 0")).Evaluate(nan);
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "1:18: error: signal 'x' is not a number at time 1");
  }
}

TEST(MonitorTest, MissingSignalsAndEmptyTraces) {
  try {
    (void)Monitor(Formula::Parse("always (x > 0 and gap > 1)")).Evaluate(TraceA());
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(), "1:19: error: unknown signal 'gap'; known signals: 'x', 'y'");
  }
  try {
    (void)Monitor(Formula::Parse("x > 0")).Evaluate(core::Trace({"x"}));
    FAIL() << "no error";
  } catch (const EvaluationError& e) {
    EXPECT_STREQ(e.what(), "1:3: error: the trace has no samples");
  }
}

}  // namespace
}  // namespace gauntlet::verifier::stl

namespace gauntlet::verifier::stl {
namespace {

// Series of more than a MiB go through the thread's BlockCache (internal/engine.h): evaluations that
// reuse a block, on this thread and on others, give exactly the series a direct computation gives.
TEST(MonitorTest, LongTracesReusingBuffersGiveTheDirectSeries) {
  constexpr size_t kN = 300'000;  // 2.4 MB a series
  std::vector<double> t(kN), x(kN), y(kN);
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
  };
  for (size_t i = 0; i < kN; ++i) {
    t[i] = 0.01 * static_cast<double>(i);
    x[i] = next();
    y[i] = next();
  }
  const core::Trace trace = MakeTrace(t, x, y);
  // always[0, 0.05] (x > y) at i: min over j in [i, i + 5] of x[j] - y[j]; eventually[0, 0.03] x: max
  // over [i, i + 3] of x[j]; their conjunction
  std::vector<double> expected(kN);
  for (size_t i = 0; i < kN; ++i) {
    double lo = kInf, hi = -kInf;
    for (size_t j = i; j < std::min(kN, i + 6); ++j) lo = std::min(lo, x[j] - y[j]);
    for (size_t j = i; j < std::min(kN, i + 4); ++j) hi = std::max(hi, x[j]);
    expected[i] = std::min(lo, hi);
  }
  const std::string text = "always[0, 0.05] (x > y) and eventually[0, 0.03] (x > 0)";
  for (int round = 0; round < 3; ++round) EXPECT_EQ(Rho(text, trace), expected) << "round " << round;
  std::vector<double> other;
  std::thread worker([&] {
    for (int round = 0; round < 2; ++round) other = Rho(text, trace);
  });
  worker.join();
  EXPECT_EQ(other, expected);
  EXPECT_EQ(Rho(text, trace), expected);  // after the worker's cache went away with its thread
}

}  // namespace
}  // namespace gauntlet::verifier::stl
