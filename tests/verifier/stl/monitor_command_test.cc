// `gauntlet monitor`: output, exit codes and messages.

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace gauntlet::app {
int RunMonitorCommand(const std::vector<std::string>& args);
}

namespace {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Data(const std::string& name) { return GAUNTLET_SOURCE_DIR "/tests/verifier/stl/testdata/" + name; }

Outcome RunMonitor(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  Outcome o;
  o.code = gauntlet::app::RunMonitorCommand(args);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

TEST(MonitorCommandTest, PrintsRobustnessAtTheFirstSample) {
  const Outcome violated = RunMonitor({"--spec", "always[1,3] x > 0", "--trace", Data("trace.csv")});
  EXPECT_EQ(violated.code, 1);
  EXPECT_EQ(violated.out, "-2\n");
  EXPECT_EQ(violated.err, "");
  const Outcome holds = RunMonitor({"--trace=" + Data("trace.csv"), "--spec=eventually x > 0.1 * 4"});
  EXPECT_EQ(holds.code, 0);
  EXPECT_EQ(holds.out, "4.5999999999999996\n");
  const Outcome zero = RunMonitor({"--spec", "always[3,3] x >= 0", "--trace", Data("trace.csv")});
  EXPECT_EQ(zero.code, 0);
  EXPECT_EQ(zero.out, "0\n");
}

TEST(MonitorCommandTest, SeriesPrintsOneLinePerSample) {
  const Outcome o = RunMonitor({"--spec", "always[1,2] x", "--trace", Data("trace.csv"), "--series"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.out, "time,robustness\n0,-2\n1,0\n2,0\n3,5\n4,inf\n");
}

TEST(MonitorCommandTest, BadFormulaIsAnInputError) {
  const Outcome o = RunMonitor({"--spec", "always[0.5, 2.0 (x > 0)", "--trace", Data("trace.csv")});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "1:17: error: expected ']' after interval\n");
  const Outcome unknown = RunMonitor({"--spec", "always xx > 0", "--trace", Data("trace.csv")});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err, "1:8: error: unknown signal 'xx' (did you mean 'x'?); known signals: 'x', 'y'\n");
  const Outcome interval = RunMonitor({"--spec", "eventually[3,1] x > 0", "--trace", Data("trace.csv")});
  EXPECT_EQ(interval.code, 2);
  EXPECT_EQ(interval.err,
            "1:11: error: empty interval [3, 1]: the lower bound is greater than the upper bound\n");
}

TEST(MonitorCommandTest, BadTraceIsAnInputError) {
  const Outcome time = RunMonitor({"--spec", "x > 0", "--trace", Data("non_increasing_time.csv")});
  EXPECT_EQ(time.code, 2);
  EXPECT_EQ(time.err, Data("non_increasing_time.csv") +
                          ":4:1: error: time 1 is not greater than 1 on line 3; time must be strictly increasing\n");
  const Outcome number = RunMonitor({"--spec", "x > 0", "--trace", Data("not_a_number.csv")});
  EXPECT_EQ(number.code, 2);
  EXPECT_EQ(number.err, Data("not_a_number.csv") + ":3:3: error: 'abc' is not a number\n");
  const Outcome column = RunMonitor({"--spec", "x > 0", "--trace", Data("missing_column.csv")});
  EXPECT_EQ(column.code, 2);
  EXPECT_EQ(column.err, Data("missing_column.csv") + ":3:1: error: expected 3 fields, found 2\n");
  const Outcome missing = RunMonitor({"--spec", "x > 0", "--trace", Data("no_such_file.csv")});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, Data("no_such_file.csv") + ": error: cannot open trace file\n");
}

TEST(MonitorCommandTest, DivisionByZeroOnTheDataIsReported) {
  const Outcome o = RunMonitor({"--spec", "always (y / x > -10)", "--trace", Data("trace.csv")});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "1:11: error: division by zero at time 3: the divisor 'x' is 0\n");
}

TEST(MonitorCommandTest, UsageErrors) {
  const std::string usage =
      "usage: gauntlet monitor --spec FORMULA --trace FILE.csv [--series]\n"
      "       gauntlet monitor --scenario FILE.yaml --trace LOG.csv\n";
  EXPECT_EQ(RunMonitor({}).code, 2);
  EXPECT_EQ(RunMonitor({}).err, "gauntlet monitor: --spec is required\n" + usage);
  EXPECT_EQ(RunMonitor({"--spec", "x > 0"}).err, "gauntlet monitor: --trace is required\n" + usage);
  const Outcome typo = RunMonitor({"--spec", "x > 0", "--trace", Data("trace.csv"), "--seris"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(typo.err, "gauntlet monitor: unknown argument '--seris' (did you mean '--series'?)\n" + usage);
  EXPECT_EQ(RunMonitor({"--spec"}).err, "gauntlet monitor: --spec needs a value\n" + usage);
  EXPECT_EQ(RunMonitor({"--spec", "a", "--spec", "b"}).err, "gauntlet monitor: --spec given twice\n" + usage);
}

}  // namespace
