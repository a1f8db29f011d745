#include "verifier/stl/online_monitor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "verifier/stl/expression.h"

namespace gauntlet::verifier::stl {
namespace {

const std::vector<std::string> kSignals = {"x", "y"};

// x = 1 -2 3 0 5, y = 0 1 -1 2 2 at t = 0..4; pushes until decided, returns the verdicts seen.
std::vector<OnlineVerdict> Feed(OnlineMonitor* m) {
  const double x[] = {1, -2, 3, 0, 5};
  const double y[] = {0, 1, -1, 2, 2};
  std::vector<OnlineVerdict> seen;
  for (int i = 0; i < 5; ++i) {
    const double row[] = {x[i], y[i]};
    seen.push_back(m->Push(i, row));
    if (seen.back() != OnlineVerdict::kUndecided) break;
  }
  return seen;
}

using OV = OnlineVerdict;

TEST(OnlineMonitorTest, ViolationIsReportedAtTheFirstBadSample) {
  OnlineMonitor m(Formula::Parse("always[1,3] x > 0"), kSignals);
  EXPECT_EQ(Feed(&m), (std::vector<OV>{OV::kUndecided, OV::kViolated}));
  EXPECT_EQ(m.violation_time_s(), 1.0);
  EXPECT_FALSE(m.satisfied_so_far());
  // further samples do not change a decided verdict
  const double row[] = {9, 9};
  EXPECT_EQ(m.Push(10, row), OV::kViolated);
}

TEST(OnlineMonitorTest, SatisfiedOnceTheWindowHasPassed) {
  OnlineMonitor m(Formula::Parse("always[0,1] x > -5"), kSignals);
  EXPECT_EQ(Feed(&m), (std::vector<OV>{OV::kUndecided, OV::kUndecided, OV::kSatisfied}));
  EXPECT_FALSE(m.violation_time_s().has_value());
}

TEST(OnlineMonitorTest, UnboundedAlwaysStaysUndecidedWhileItHolds) {
  OnlineMonitor m(Formula::Parse("always (x > -5 and historically[0,1] y > -2)"), kSignals);
  EXPECT_EQ(Feed(&m), (std::vector<OV>(5, OV::kUndecided)));
  EXPECT_TRUE(m.satisfied_so_far());
}

TEST(OnlineMonitorTest, PastOperatorsInsideAlways) {
  // x since (y > 0.5) is -0.5 0.5 0.5 1.5 1.5: negative only at t=0, outside the window
  OnlineMonitor since(Formula::Parse("always[1, inf] (x since y > 0.5)"), kSignals);
  EXPECT_EQ(Feed(&since), (std::vector<OV>(5, OV::kUndecided)));
  OnlineMonitor prev(Formula::Parse("always (prev x > -1)"), kSignals);
  EXPECT_EQ(Feed(&prev), (std::vector<OV>{OV::kUndecided, OV::kUndecided, OV::kViolated}));
  EXPECT_EQ(prev.violation_time_s(), 2.0);
}

TEST(OnlineMonitorTest, StateFormulaIsDecidedAtTheFirstSample) {
  OnlineMonitor bad(Formula::Parse("x > 2 and always y < 10"), kSignals);
  EXPECT_EQ(Feed(&bad), (std::vector<OV>{OV::kViolated}));
  EXPECT_EQ(bad.violation_time_s(), 0.0);
  OnlineMonitor good(Formula::Parse("x > 0"), kSignals);
  EXPECT_EQ(Feed(&good), (std::vector<OV>{OV::kSatisfied}));
}

TEST(OnlineMonitorTest, RejectsFormulasThatNeedTheFuture) {
  try {
    OnlineMonitor m(Formula::Parse("always (x > 0 -> eventually[0,2] y > 0)"), kSignals);
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "1:1: error: the formula cannot be monitored online: it must be a conjunction of parts "
                 "'always[a,b] P' or 'P' where P uses no future operator (always, eventually, until, next, "
                 "s_next)");
  }
  EXPECT_THROW(OnlineMonitor(Formula::Parse("always z > 0"), kSignals), core::InputError);
}

TEST(OnlineMonitorTest, DivisionByZeroThrows) {
  OnlineMonitor m(Formula::Parse("always (x / y > 0)"), kSignals);
  const double row[] = {1, 0};
  EXPECT_THROW(m.Push(0.0, row), EvaluationError);
}

}  // namespace
}  // namespace gauntlet::verifier::stl
