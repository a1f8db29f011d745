// `gauntlet eval`: app/eval_command.cc is linked into this test directly.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/commands.h"

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result RunEval(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = gauntlet::app::RunEvalCommand(args);
  Result r{code, ::testing::internal::GetCapturedStdout(), ::testing::internal::GetCapturedStderr()};
  return r;
}

const std::string kNnet = GAUNTLET_SOURCE_DIR "/tests/models/testdata/tiny.nnet";

TEST(EvalCommandTest, PrintsOutputsWith17Digits) {
  const Result r = RunEval({kNnet, "--input", "0.5,-0.25"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1.75\n");
  const Result raw = RunEval({kNnet, "--input=3,-0.5", "--raw"});
  EXPECT_EQ(raw.out, "7.5\n");
  const Result third = RunEval({kNnet, "--input", "0.1,0"});
  EXPECT_EQ(third.out, "1.4000000000000001\n");  // 0.25 + (relu(0.1) + relu(1 + 0.05)), printed %.17g
}

TEST(EvalCommandTest, UsageAndInputErrors) {
  EXPECT_EQ(RunEval({}).code, 2);
  EXPECT_EQ(RunEval({kNnet}).err, "error: missing --input\nusage: gauntlet eval MODEL --input v1,v2,... [--raw]\n");
  const Result bad = RunEval({kNnet, "--input", "1,x"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "error: input value 2 'x' is not a finite number\n");
  const Result count = RunEval({kNnet, "--input", "1,2,3"});
  EXPECT_EQ(count.code, 2);
  EXPECT_EQ(count.err, kNnet + ": error: the model takes 2 inputs, got 3\n");
  const Result missing = RunEval({"nothere.onnx", "--input", "1"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, "nothere.onnx: error: cannot read the file\n");
  EXPECT_EQ(RunEval({kNnet, "--input", "1,2", "--bogus"}).code, 2);
}

}  // namespace
