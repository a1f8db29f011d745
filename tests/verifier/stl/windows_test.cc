// Closed cases, checked by hand, for window bounds on the sample times of a fixed-step trace, the
// tolerance of irregular times, and the verdict of a trace that ended before its horizon.

#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/trace.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"
#include "verifier/stl/online_monitor.h"

namespace gauntlet::verifier::stl {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// x = k at step k, time k * dt (as a simulation computes it), `steps` samples.
core::Trace Ramp(double dt, size_t steps, bool fixed = true) {
  core::Trace trace({"x"});
  if (fixed) trace.SetFixedStep(dt);
  for (size_t k = 0; k < steps; ++k) {
    const double row[] = {static_cast<double>(k)};
    trace.Append(static_cast<double>(k) * dt, row);
  }
  return trace;
}

RequirementResult Eval(const std::string& text, const core::Trace& trace) {
  return Monitor(Formula::Parse(text)).Evaluate(trace);
}

TEST(WindowsTest, BoundOnASampleTimeHoldsThatSample) {
  // 3 * 0.1 = 0.30000000000000004 > 0.3: the sample at 0.3 s is in [0, 0.3] all the same
  const core::Trace trace = Ramp(0.1, 10);
  EXPECT_EQ(Eval("always[0, 0.3] (x < 2.5)", trace).robustness, -0.5);
  EXPECT_EQ(Eval("always[0, 0.3] (x < 2.5)", trace).first_violation_time_s, 3 * 0.1);
  EXPECT_EQ(Eval("eventually[0, 0.3] (x > 2.5)", trace).robustness, 0.5);
  EXPECT_EQ(Eval("eventually[0.3, 0.3] x", trace).robustness, 3.0);
  EXPECT_EQ(Eval("eventually[0.7, 0.7] x", trace).robustness, 7.0);  // 0.7 / 0.1 = 6.999999999999999
  EXPECT_EQ(Eval("always[0.15, 0.25] x", trace).robustness, 2.0);    // only the sample at 0.2 s
  EXPECT_EQ(Eval("always[0.25, 0.29] x", trace).robustness, kInf);   // no sample: empty window
  // the past mirrors it: at 0.9 s, once[0.3, 0.6] spans samples 3..6
  const auto once = Monitor(Formula::Parse("once[0.3, 0.6] (0 - x)")).Run(trace).robustness;
  EXPECT_EQ(once[9], -3.0);
  const auto historically = Monitor(Formula::Parse("historically[0.3, 0.6] x")).Run(trace).robustness;
  EXPECT_EQ(historically[9], 3.0);
  // until and since: psi at 0.3 s exactly
  EXPECT_EQ(Eval("(x < 5) until[0.3, 0.3] (x > 2.5)", trace).robustness, 0.5);
  const auto since = Monitor(Formula::Parse("(x < 10) since[0.6, 0.6] (x < 3.5)")).Run(trace).robustness;
  EXPECT_EQ(since[9], 0.5);  // psi at 0.3 s: 3.5 - 3; phi over (0.3, 0.9]: at least 10 - 9
}

TEST(WindowsTest, OneSecondWindowsHoldOneHundredAndOneSamplesAtDt001) {
  // at dt 0.01, [t_i, t_i + 1] holds samples i..i+100 for every start sample
  const core::Trace trace = Ramp(0.01, 1200);
  const std::vector<double> rho = Monitor(Formula::Parse("eventually[0, 1] x")).Run(trace).robustness;
  const std::vector<double> low = Monitor(Formula::Parse("always[1, 1] x")).Run(trace).robustness;
  for (size_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(rho[i], static_cast<double>(i + 100)) << "start sample " << i;
    ASSERT_EQ(low[i], static_cast<double>(i + 100)) << "start sample " << i;
  }
}

TEST(WindowsTest, IrregularTimesUseTheRelativeTolerance) {
  // the same times without a declared step: the tolerance of 1e-9 of the bound still takes 0.3
  const core::Trace trace = Ramp(0.1, 10, /*fixed=*/false);
  EXPECT_EQ(trace.fixed_step(), 0.0);
  EXPECT_EQ(Eval("always[0, 0.3] (x < 2.5)", trace).robustness, -0.5);
  // but not a sample farther than that
  core::Trace far({"x"});
  for (const double t : {0.0, 0.3000001}) {
    const double row[] = {t > 0 ? 3.0 : 0.0};
    far.Append(t, row);
  }
  EXPECT_EQ(Eval("always[0, 0.3] (x < 2.5)", far).robustness, 2.5);
}

TEST(WindowsTest, CsvOnAUniformGridIsReadAsFixedStep) {
  std::istringstream uniform("time,x\n0,0\n0.1,1\n0.2,2\n0.30000000000000004,3\n0.4,4\n");
  const core::Trace a = core::Trace::ReadCsv(uniform, "a.csv");
  EXPECT_DOUBLE_EQ(a.fixed_step(), 0.1);
  std::istringstream irregular("time,x\n0,0\n0.1,1\n0.25,2\n");
  EXPECT_EQ(core::Trace::ReadCsv(irregular, "b.csv").fixed_step(), 0.0);
  // seven printed digits of a 1/3 step are within the grid tolerance (a millionth of a step)
  std::istringstream thirds("time,x\n0,0\n0.3333333,1\n0.6666667,2\n1,3\n");
  EXPECT_NEAR(core::Trace::ReadCsv(thirds, "c.csv").fixed_step(), 1.0 / 3.0, 1e-15);
}

TEST(WindowsTest, OnlineMonitorCountsStepsToo) {
  const core::Trace trace = Ramp(0.1, 10);
  OnlineMonitor online(Formula::Parse("always[0, 0.3] (x < 2.5)"), {"x"}, 0.1);
  OnlineVerdict verdict = OnlineVerdict::kUndecided;
  for (size_t i = 0; i < trace.size() && verdict == OnlineVerdict::kUndecided; ++i) {
    const double row[] = {trace.column(0)[i]};
    verdict = online.Push(trace.time()[i], row);
  }
  EXPECT_EQ(verdict, OnlineVerdict::kViolated);
  EXPECT_EQ(online.violation_time_s(), 3 * 0.1);
}

// A run of nominally 101 samples (10 s at dt 0.1) that stopped at 2.5 s: gap = 10 until then.
core::Trace Stopped(double gap = 10.0) {
  core::Trace trace({"gap"});
  trace.SetFixedStep(0.1);
  for (size_t k = 0; k <= 25; ++k) {
    const double row[] = {k == 10 ? gap : 10.0};
    trace.Append(static_cast<double>(k) * 0.1, row);
  }
  return trace;
}

RequirementResult Truncated(const std::string& text, const core::Trace& trace = Stopped()) {
  return Monitor(Formula::Parse(text)).EvaluateTruncated(trace, 101);
}

using Bounds = std::optional<std::pair<double, double>>;

TEST(EarlyStopTest, WindowPastTheStopIsInconclusiveNotAVacuousPass) {
  const RequirementResult vacuous = Monitor(Formula::Parse("always[3, 5] (gap > 5)")).Evaluate(Stopped());
  EXPECT_EQ(vacuous.robustness, kInf);  // the recorded trace alone: the empty window
  const RequirementResult r = Truncated("always[3, 5] (gap > 5)");
  EXPECT_TRUE(r.inconclusive);
  EXPECT_FALSE(r.satisfied);
  EXPECT_EQ(r.robustness_bounds, Bounds({-kInf, kInf}));
  EXPECT_EQ(r.robustness, -kInf);
  EXPECT_EQ(r.averaged_robustness, -kInf);
  EXPECT_FALSE(r.first_violation_time_s.has_value());
  EXPECT_TRUE(Truncated("not always[3, 5] (gap > 5)").inconclusive);
  EXPECT_TRUE(Truncated("eventually[0, 10] (gap > 50)").inconclusive);  // may still come
  // the window reaches past the stop by one step
  EXPECT_TRUE(Truncated("always[0, 2.6] (gap > 5)").inconclusive);
  // implication: [max(-5, -inf), max(-5, inf)]
  EXPECT_EQ(Truncated("(gap > 5) -> always[3, 5] (gap > 100)").robustness_bounds, Bounds({-5.0, kInf}));
}

TEST(EarlyStopTest, WhatTheRecordedPartDecidesStands) {
  // the window ends at the stop: decided, same robustness as the whole run would give
  const RequirementResult inside = Truncated("always[0, 2.5] (gap > 5)");
  EXPECT_TRUE(inside.satisfied);
  EXPECT_FALSE(inside.inconclusive);
  EXPECT_EQ(inside.robustness, 5.0);
  EXPECT_EQ(inside.robustness_bounds, Bounds({5.0, 5.0}));
  // a violation seen before the stop fails whatever follows: [-inf, -2]
  const RequirementResult seen = Truncated("always (gap > 5)", Stopped(3.0));
  EXPECT_FALSE(seen.satisfied);
  EXPECT_FALSE(seen.inconclusive);
  EXPECT_EQ(seen.robustness, -2.0);
  EXPECT_EQ(seen.robustness_bounds, Bounds({-kInf, -2.0}));
  EXPECT_EQ(seen.first_violation_time_s, 10 * 0.1);
  // reached before the stop: [5, inf]
  const RequirementResult reached = Truncated("eventually[0, 5] (gap > 5)");
  EXPECT_TRUE(reached.satisfied);
  EXPECT_EQ(reached.robustness, 5.0);
  EXPECT_EQ(reached.robustness_bounds, Bounds({5.0, kInf}));
  // abs is never negative whatever the unknown values: [min(10, 0), min(10, inf)]
  const RequirementResult nonnegative = Truncated("always abs(gap) >= 0");
  EXPECT_TRUE(nonnegative.satisfied);
  EXPECT_EQ(nonnegative.robustness_bounds, Bounds({0.0, 10.0}));
}

TEST(EarlyStopTest, ConstantsPastTheStopAreKnown) {
  // the recorded trace alone gives the empty window's -inf; every completion gives 1
  const RequirementResult holds = Truncated("eventually[3, 5] (1 > 0)");
  EXPECT_TRUE(holds.satisfied);
  EXPECT_EQ(holds.robustness, 1.0);
  EXPECT_FALSE(holds.first_violation_time_s.has_value());
  // +inf on the recorded trace, -1 on every completion: a failure, shown at the stop
  const RequirementResult fails = Truncated("always[3, 5] (0 > 1)");
  EXPECT_FALSE(fails.satisfied);
  EXPECT_FALSE(fails.inconclusive);
  EXPECT_EQ(fails.robustness, -1.0);
  EXPECT_EQ(fails.first_violation_time_s, 25 * 0.1);
}

TEST(EarlyStopTest, CompleteTraceGivesThePlainResult) {
  const core::Trace trace = Stopped();
  for (const char* text : {"always[3, 5] (gap > 5)", "always (gap > 5)", "eventually[0, 1] gap"}) {
    const Monitor monitor(Formula::Parse(text));
    EXPECT_EQ(monitor.EvaluateTruncated(trace, trace.size()), monitor.Evaluate(trace)) << text;
    EXPECT_FALSE(monitor.EvaluateTruncated(trace, trace.size()).robustness_bounds.has_value());
  }
}

}  // namespace
}  // namespace gauntlet::verifier::stl
