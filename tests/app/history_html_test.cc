// gauntlet history: the text trends (figures without 17 digits), run labels, and the --html page.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/app/command_runner.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

const std::string kSuite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/reports/testdata/small_suite.yaml";

TEST(HistoryCommandTest, LabelledRunsTheirTrendsAsTextAndAsAPage) {
  const std::string dir = FreshDir("history_command_test");
  const std::string db = dir + "/history.db";
  for (const std::string label : {"commit-aaa", "commit-bbb"}) {
    const int code = RunGauntlet({"run", kSuite, "--out", dir + "/" + label, "--db", db, "--label", label, "--quiet",
                                  "--threads", "2"}, dir);
    ASSERT_EQ(code, 1) << ReadFile(dir + "/stderr.txt");
  }
  // text: each run with its label, figures to 4 significant digits
  ASSERT_EQ(RunGauntlet({"history", "--db", db}, dir), 0) << ReadFile(dir + "/stderr.txt");
  const std::string text = ReadFile(dir + "/stdout.txt");
  EXPECT_NE(text.find("[commit-aaa]"), std::string::npos) << text;
  EXPECT_NE(text.find("[commit-bbb]"), std::string::npos) << text;
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9]\\.[0-9]{6,}"))) << text;
  EXPECT_NE(text.find("no_collision"), std::string::npos);

  // the page
  const std::string page = dir + "/history.html";
  ASSERT_EQ(RunGauntlet({"history", "--db", db, "--html", page, "--label", "nightly review"}, dir), 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "");
  const std::string html = ReadFile(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_NE(html.find("gauntlet history: small (nightly review)"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("failure rate of no_collision in small_brake"), std::string::npos);
  EXPECT_NE(html.find(">commit-aaa<"), std::string::npos);
  EXPECT_NE(html.find(">commit-bbb<"), std::string::npos);
  EXPECT_NE(html.find("idm: <code>builtin:idm"), std::string::npos) << "each run's model fingerprints";
  EXPECT_NE(html.find("id=\"changes\""), std::string::npos);
  EXPECT_NE(html.find("between commit-aaa and commit-bbb: 0 instances"), std::string::npos)
      << "the same suite twice: no verdict changed";
  EXPECT_FALSE(std::regex_search(html, std::regex(">[^<]*[0-9]\\.[0-9]{6,}"))) << "no long figures in the text";
  // the same database gives the same page
  ASSERT_EQ(RunGauntlet({"history", "--db", db, "--html", dir + "/again.html", "--label", "nightly review"}, dir), 0);
  EXPECT_EQ(ReadFile(dir + "/again.html"), html);
}

TEST(HistoryCommandTest, UsageErrors) {
  const std::string dir = FreshDir("history_command_usage");
  EXPECT_EQ(RunGauntlet({"history", "--db", dir + "/none.db"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"history", "--db", dir + "/none.db", "--label", "x"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("--label names the --html page"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"history", "--db", dir + "/none.db", "--html", dir + "/h.html"}, dir), 2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/h.html"));
}

}  // namespace
}  // namespace gauntlet::test
