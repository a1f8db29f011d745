// `gauntlet prove` and `gauntlet bounds` (app/prove_command.cc, app/bounds_command.cc), linked in.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "models/model.h"
#include "verifier/formal/checks.h"
#include "tests/test_files.h"

namespace gauntlet::app {
namespace {

const std::string kDir = std::string(GAUNTLET_ACASXU_DIR) + "/";

std::string Net(const std::string& id) { return kDir + "onnx/ACASXU_run2a_" + id + "_batch_2000.onnx"; }

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

CommandRun Call(int (*command)(const std::vector<std::string>&), const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = command(args);
  CommandRun r{code, ::testing::internal::GetCapturedStdout(), ::testing::internal::GetCapturedStderr()};
  return r;
}

using gauntlet::test::ReadFile;

std::string TempPath(const std::string& name) { return ::testing::TempDir() + name; }

TEST(ProveCommandTest, UnsatWritesTheVerdictAndExitsZero) {
  const std::string out = TempPath("prove_unsat.txt");
  const CommandRun r = Call(RunProveCommand, {Net("1_1"), kDir + "vnnlib/prop_1.vnnlib", "--timeout", "100", "--out", out});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "unsat\n");
  EXPECT_EQ(ReadFile(out), "unsat\n");
}

TEST(ProveCommandTest, SatPrintsACounterexampleThatReEvaluates) {
  const CommandRun r = Call(RunProveCommand, {Net("2_2"), kDir + "vnnlib/prop_2.vnnlib", "--timeout=100"});
  ASSERT_EQ(r.code, 1) << r.err;
  ASSERT_EQ(r.out.rfind("sat\n((X_0 ", 0), 0u) << r.out;
  // parse ((X_0 v) ... (X_4 v) (Y_0 v) ...) and re-evaluate
  std::vector<double> x, y;
  std::string text = r.out.substr(4);
  for (char& c : text) {
    if (c == '(' || c == ')') c = ' ';
  }
  std::stringstream ss(text);
  std::string name;
  double v = 0.0;
  while (ss >> name >> v) (name[0] == 'X' ? x : y).push_back(v);
  ASSERT_EQ(x.size(), 5u);
  ASSERT_EQ(y.size(), 5u);
  const auto model = models::Model::LoadModel(Net("2_2"));
  const Eigen::VectorXd ye =
      verifier::formal::MakeForwardPass(*model)(Eigen::Map<Eigen::VectorXd>(x.data(), 5));
  for (int j = 0; j < 5; ++j) EXPECT_EQ(ye[j], y[static_cast<size_t>(j)]);
  for (int j = 1; j < 5; ++j) EXPECT_LE(ye[j], ye[0]);
}

TEST(ProveCommandTest, InputErrorsExitTwoWithPositions) {
  const std::string prop = TempPath("bad.vnnlib");
  std::ofstream(prop) << "(declare-const X_0 Real)\n(declare-const X_7 Real)\n";
  const CommandRun r = Call(RunProveCommand, {Net("1_1"), prop});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "error\n");
  EXPECT_EQ(r.err, prop + ":2:16: error: variable 'X_7' is beyond the model's 5 inputs (X_0 .. X_4)\n");
  const CommandRun usage = Call(RunProveCommand, {Net("1_1")});
  EXPECT_EQ(usage.code, 2);
  const CommandRun bad_option = Call(RunProveCommand, {Net("1_1"), prop, "--timeot", "3"});
  EXPECT_EQ(bad_option.code, 2);
  EXPECT_NE(bad_option.err.find("did you mean '--timeout'?"), std::string::npos) << bad_option.err;
}

TEST(BoundsCommandTest, EveryMethodContainsTheForwardPass) {
  const auto model = models::Model::LoadModel(Net("1_1"));
  const auto forward = verifier::formal::MakeForwardPass(*model);
  const Eigen::VectorXd y = forward((Eigen::VectorXd(5) << 0.1, 0.0, 0.0, 0.3, -0.2).finished());
  std::vector<double> widths;
  for (const std::string method : {"ibp", "crown", "bab"}) {
    const CommandRun r = Call(RunBoundsCommand, {Net("1_1"), "--box", "0.09:0.11,-0.01:0.01,0:0,0.29:0.31,-0.21:-0.19",
                                          "--method", method});
    ASSERT_EQ(r.code, 0) << r.err;
    std::stringstream ss(r.out);
    double total = 0.0;
    for (int j = 0; j < 5; ++j) {
      double lo = 0.0, hi = 0.0;
      ASSERT_TRUE(ss >> lo >> hi) << r.out;
      EXPECT_LE(lo, y[j]) << method;
      EXPECT_GE(hi, y[j]) << method;
      total += hi - lo;
    }
    widths.push_back(total);
  }
  EXPECT_LE(widths[1], widths[0]);
  EXPECT_LE(widths[2], widths[1]);
  const CommandRun bad = Call(RunBoundsCommand, {Net("1_1"), "--box", "0:1,2:1"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "gauntlet bounds: --box item 1 '2:1' has lo > hi\n"
                     "usage: gauntlet bounds MODEL --box lo:hi,lo:hi,... [--method ibp|crown|bab]\n");
  const CommandRun dims = Call(RunBoundsCommand, {Net("1_1"), "--box", "0:1", "--method", "crwn"});
  EXPECT_EQ(dims.code, 2);
  EXPECT_NE(dims.err.find("did you mean 'crown'?"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::app
