// The run writer: files created without following links (a symlink planted at any name the writer uses,
// temporaries included, leaves its target untouched), a bounded report sample, and junit.xml's modes.

#include "reports/run_writer.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/error.h"
#include "reports/html_report.h"
#include "scenarios/suite.h"
#include "tests/reports/one_requirement_result.h"
#include "tests/test_files.h"

namespace gauntlet::reports {
namespace {

namespace fs = std::filesystem;
using scenarios::InstanceResult;
using scenarios::InstanceStatus;
using test::ReadFile;

const std::string kSuite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_suite.yaml";

InstanceResult Result(const std::string& family, size_t index, double robustness, const std::string& origin) {
  return test::OneRequirementResult(family, index, robustness, origin);
}

void Plant(const std::string& link, const std::string& target) {
  std::error_code ec;
  fs::remove(link, ec);
  fs::create_symlink(target, link);
}

TEST(RunWriterTest, WriteFileAtomicallyReplacesASymlinkInsteadOfWritingThroughIt) {
  const std::string dir = test::FreshDir("run_writer_link");
  const std::string outside = dir + "/outside.txt";
  { std::ofstream(outside) << "precious"; }
  fs::create_directories(dir + "/out");
  Plant(dir + "/out/summary.json", outside);
  // the temporaries of an older writer, and of this one (its first names), are links too
  Plant(dir + "/out/summary.json.tmp", outside);
  for (int k = 0; k < 3; ++k) {
    Plant(dir + "/out/.summary.json.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(k), outside);
  }
  WriteFileAtomically(dir + "/out/summary.json", "{}\n");
  EXPECT_EQ(ReadFile(outside), "precious");
  EXPECT_FALSE(fs::is_symlink(dir + "/out/summary.json"));
  EXPECT_EQ(ReadFile(dir + "/out/summary.json"), "{}\n");
  // the planted links are skipped, not opened, and stay links
  for (int k = 0; k < 3; ++k) {
    EXPECT_TRUE(fs::is_symlink(dir + "/out/.summary.json.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(k)));
  }
}

TEST(RunWriterTest, WriteFileAtomicallyFailsLoudlyWhereItCannotWrite) {
  EXPECT_THROW(WriteFileAtomically("/nonexistent-dir-gauntlet/x.json", "{}"), core::InfrastructureError);
  // a full disk (a file size limit, in a child process): the error names the file, the old file stays, and no
  // temporary is left behind
  const std::string dir = test::FreshDir("run_writer_full");
  { std::ofstream(dir + "/summary.json") << "old"; }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      WriteFileAtomically(dir + "/summary.json", std::string(1 << 20, 'x'));
    } catch (const core::InfrastructureError& e) {
      _exit(std::string(e.what()).find("summary.json") != std::string::npos ? 0 : 2);
    }
    _exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadFile(dir + "/summary.json"), "old");
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(entries, 1u) << "a temporary was left behind";
}

TEST(RunWriterTest, EveryFileOfARunIsCreatedWithoutFollowingLinks) {
  const scenarios::Suite suite = scenarios::LoadSuite(kSuite);
  const std::string dir = test::FreshDir("run_writer_all");
  const std::string outside = dir + "/outside.txt";
  { std::ofstream(outside) << "precious"; }
  const std::string out = dir + "/out";
  fs::create_directories(out);
  for (const char* name : {"results.jsonl", "summary.json", "junit.xml", "report.html", "run.json",
                           "summary.json.tmp", "junit.xml.tmp", "report.html.tmp", "results.jsonl.tmp"}) {
    Plant(out + "/" + name, outside);
  }
  for (const char* name : {"summary.json", "junit.xml", "report.html"}) {
    Plant(out + "/." + std::string(name) + ".tmp-" + std::to_string(::getpid()) + "-0", outside);
  }
  {
    RunWriter writer(out, suite, {.report = false});
    const std::string family = suite.families.front().name;
    for (size_t i = 0; i < 20; ++i) writer.Add(Result(family, i, i % 4 == 0 ? -1.0 : 1.0, "uniform"));
    writer.Flush();
    EXPECT_FALSE(fs::is_symlink(out + "/results.jsonl"));
    const RunSummary summary = writer.Finish({.suite_name = "s", .out_dir = out});
    EXPECT_EQ(summary.instances, 20u);
    EXPECT_EQ(summary.failed, 5u);
  }
  EXPECT_EQ(ReadFile(outside), "precious");
  for (const char* name : {"results.jsonl", "summary.json", "junit.xml"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(out + "/" + name))) << name;
  }
  const std::string results = ReadFile(out + "/results.jsonl");
  EXPECT_EQ(std::count(results.begin(), results.end(), '\n'), 20);
}

TEST(RunWriterTest, TheReportSampleIsBoundedAndTheSummaryExact) {
  const scenarios::Suite suite = scenarios::LoadSuite(kSuite);
  const std::string dir = test::FreshDir("run_writer_sample");
  const std::string family = suite.families.front().name;
  RunWriter writer(dir, suite, {.report_results = 50, .report_cases = 0});
  // the summary counts every result whatever the report keeps
  size_t failed = 0;
  for (size_t i = 0; i < 5000; ++i) {
    const bool fails = i % 7 == 0;
    failed += fails ? 1 : 0;
    writer.Add(Result(family, i, fails ? -static_cast<double>(i % 13) - 0.5 : 1.0, "uniform"));
  }
  const RunSummary summary = writer.Finish({.suite_name = "s", .out_dir = dir});
  EXPECT_EQ(summary.instances, 5000u);
  EXPECT_EQ(summary.failed, failed);
  ASSERT_EQ(summary.families.size(), 1u);
  ASSERT_EQ(summary.families[0].requirements.size(), 1u);
  EXPECT_EQ(summary.families[0].requirements[0].sampled, 5000u);
  EXPECT_EQ(summary.families[0].requirements[0].sampled_failed, failed);
  // every line reached results.jsonl, in order
  const std::vector<InstanceResult> back = ReadResultsFile(dir + "/results.jsonl");
  ASSERT_EQ(back.size(), 5000u);
  for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i].index, i);
  EXPECT_NE(ReadFile(dir + "/report.html").find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::reports
