#include "core/trace.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"

namespace gauntlet::core {
namespace {

std::string ReadError(const std::string& csv) {
  std::istringstream in(csv);
  try {
    (void)Trace::ReadCsv(in, "t.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TraceTest, CsvRoundTripIsExact) {
  Trace trace({"ego.speed", "lead.gap"});
  trace.SetFixedStep(0.01);  // times on a uniform grid are read back as a fixed-step trace
  trace.Append(0.0, std::vector<double>{20.0, 0.1});
  trace.Append(0.01, std::vector<double>{19.999999999999996, -1e-300});
  std::ostringstream out;
  trace.WriteCsv(out);
  EXPECT_EQ(out.str(), "time,ego.speed,lead.gap\n0,20,0.1\n0.01,19.999999999999996,-1e-300\n");
  std::istringstream in(out.str());
  EXPECT_EQ(Trace::ReadCsv(in, "x.csv"), trace);
  // irregular times stay irregular
  Trace irregular({"x"});
  for (const double t : {0.0, 0.1, 0.25}) irregular.Append(t, std::vector<double>{t});
  std::ostringstream out2;
  irregular.WriteCsv(out2);
  std::istringstream in2(out2.str());
  EXPECT_EQ(Trace::ReadCsv(in2, "y.csv"), irregular);
}

TEST(TraceTest, CsvErrorsArePositioned) {
  EXPECT_EQ(ReadError("t,x\n0,1\n"), "t.csv:1:1: error: the first column must be 'time', found 't'");
  EXPECT_EQ(ReadError("time,x,x\n0,1,2\n"), "t.csv:1:8: error: duplicate column 'x'");
  EXPECT_EQ(ReadError("time,x\n0,1\n1,abc\n2\n"),
            "t.csv:3:3: error: 'abc' is not a number\nt.csv:4:1: error: expected 2 fields, found 1");
  EXPECT_EQ(ReadError("time,x\n0,1\n0,2\n"),
            "t.csv:3:1: error: time 0 is not greater than 0 on line 2; time must be strictly increasing");
  EXPECT_EQ(ReadError(""), "t.csv:1:1: error: empty trace: expected a header 'time,<signal>,...'");
  EXPECT_EQ(ReadError("time,x\n"), "t.csv:2:1: error: the trace has no samples");
  EXPECT_EQ(ReadError("time,x\n0,nan\n"), "t.csv:2:3: error: 'nan' is not a number");
}

TEST(TraceTest, AHugeCellIsQuotedAsAnExcerpt) {
  const std::string cell = std::string(5'000'000, '7') + "x";
  EXPECT_EQ(ReadError("time,x\n0," + cell + "\n"),
            "t.csv:2:3: error: '" + std::string(48, '7') + "..." + std::string(11, '7') + "x' (5000001 bytes) is not a number");
  EXPECT_EQ(ReadError(cell + ",x\n"),
            "t.csv:1:1: error: the first column must be 'time', found '" + std::string(48, '7') + "..." +
                std::string(11, '7') + "x' (5000001 bytes)");
}

}  // namespace
}  // namespace gauntlet::core
