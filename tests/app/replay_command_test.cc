// gauntlet replay: bit-identical re-runs, the trace, and the page to watch a run (--html).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/app/command_runner.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

const std::string kSuite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/reports/testdata/small_suite.yaml";

class ReplayCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(FreshDir("replay_command_test"));
    const int code = RunGauntlet({"run", kSuite, "--out", *dir_ + "/run", "--quiet", "--threads", "2"}, *dir_);
    ASSERT_EQ(code, 1) << ReadFile(*dir_ + "/stderr.txt");
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string* dir_;
};
std::string* ReplayCommandTest::dir_ = nullptr;

TEST_F(ReplayCommandTest, HtmlPageToWatchAFailingCase) {
  const std::string& dir = *dir_;
  const std::string id = FirstIdWith(dir + "/run/results.jsonl", "\"gating\":true,\"verdict\":\"fail\"");
  ASSERT_FALSE(id.empty());
  const std::string page = dir + "/replay.html";
  EXPECT_EQ(RunGauntlet({"replay", dir + "/run", "--case", id, "--html", page}, dir), 1) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "") << "with --html the trace is not dumped on stdout";
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("identical to the recorded result"), std::string::npos);
  const std::string html = ReadFile(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_NE(html.find("<input type=\"range\""), std::string::npos);
  EXPECT_NE(html.find("class=\"play\""), std::string::npos);
  EXPECT_NE(html.find("class=\"live-actor\" data-actor=\"ego\""), std::string::npos);
  EXPECT_NE(html.find("class=\"live-actor\" data-actor=\"lead\""), std::string::npos);
  EXPECT_NE(html.find("class=\"cursor\""), std::string::npos);
  EXPECT_NE(html.find("lead.gap over time"), std::string::npos);
  EXPECT_NE(html.find("ego.speed over time"), std::string::npos);
  EXPECT_NE(html.find("<script type=\"application/json\" class=\"frames\">{\"t\":[0.000,"), std::string::npos);
  EXPECT_NE(html.find(" km/h</td>"), std::string::npos) << "parameters in the units the scenario was written in";
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  // the page is the same for the same replay
  const std::string again = dir + "/replay2.html";
  EXPECT_EQ(RunGauntlet({"replay", dir + "/run", "--case", id, "--html", again, "--trace", dir + "/t.csv"}, dir), 1);
  EXPECT_EQ(ReadFile(again), html);
  EXPECT_EQ(ReadFile(dir + "/t.csv").rfind("time,", 0), 0u);
}

TEST_F(ReplayCommandTest, WithoutHtmlTheTraceGoesToStdoutAndUnknownCasesAreUsageErrors) {
  const std::string& dir = *dir_;
  const std::string id = FirstIdWith(dir + "/run/results.jsonl", "\"origin\":\"uniform\"");
  ASSERT_FALSE(id.empty());
  const int code = RunGauntlet({"replay", dir + "/run", "--case", id}, dir);
  EXPECT_TRUE(code == 0 || code == 1) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt").rfind("time,", 0), 0u);
  EXPECT_EQ(RunGauntlet({"replay", dir + "/run", "--case", "nothing#99999", "--html", dir + "/x.html"}, dir), 2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.html"));
  EXPECT_EQ(RunGauntlet({"replay", dir + "/run", "--case", id, "--html"}, dir), 2);
}

}  // namespace
}  // namespace gauntlet::test
