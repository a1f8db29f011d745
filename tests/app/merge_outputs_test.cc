// `gauntlet merge` writes exactly the files an unsharded run writes: every output file of a 3-shard run plus
// merge compared with an unsharded run (results.jsonl and run.json byte for byte; summary.json without its
// wall-clock fields; junit.xml without its wall-clock times; report.html without its `data-volatile` line; the
// output folder's own path replaced). And no file the tool writes follows a symlink planted in --out.

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/test_files.h"

namespace {

namespace fs = std::filesystem;
using gauntlet::test::ReadFile;

/// Runs the binary; stdout and stderr go to `<log>.out` / `<log>.err`. Returns the exit code.
int Gauntlet(const std::vector<std::string>& args, const std::string& log) {
  std::string command = GAUNTLET_BINARY;
  for (const auto& a : args) command += " '" + a + "'";
  command += " >" + log + ".out 2>" + log + ".err";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Every line of `text` without those containing `drop` (when not empty), with `dir` replaced by "DIR" and,
/// for junit.xml, wall-clock times blanked.
std::string Normalised(std::string text, const std::string& dir, const std::string& drop, bool blank_times) {
  std::istringstream in(text);
  std::string line, out;
  const std::regex time(R"( time="[^"]*")");
  while (std::getline(in, line)) {
    if (!drop.empty() && line.find(drop) != std::string::npos) continue;
    for (size_t at = line.find(dir); at != std::string::npos; at = line.find(dir, at)) line.replace(at, dir.size(), "DIR");
    if (blank_times) line = std::regex_replace(line, time, " time=\"\"");
    out += line + "\n";
  }
  return out;
}

/// summary.json without its wall-clock fields.
nlohmann::json SummaryWithoutWallTime(const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(ReadFile(path));
  j.erase("wall_time_s");
  j.erase("threads");
  return j;
}

std::set<std::string> Files(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) names.insert(e.path().filename().string());
  return names;
}

void ExpectSameOutputs(const std::string& whole, const std::string& merged) {
  EXPECT_EQ(Files(merged), Files(whole));
  for (const std::string& name : Files(whole)) {
    SCOPED_TRACE(name);
    const std::string a = ReadFile(whole + "/" + name), b = ReadFile(merged + "/" + name);
    if (name == "summary.json") {
      EXPECT_EQ(SummaryWithoutWallTime(merged + "/" + name).dump(1), SummaryWithoutWallTime(whole + "/" + name).dump(1));
    } else if (name == "junit.xml") {
      EXPECT_EQ(Normalised(b, merged, "", true), Normalised(a, whole, "", true));
    } else if (name == "report.html") {
      EXPECT_EQ(Normalised(b, merged, "data-volatile", false), Normalised(a, whole, "data-volatile", false));
    } else if (name == "run.json") {
      // every run has a random id of its own (docs/run-directory.md); the rest is the same
      EXPECT_EQ(Normalised(b, merged, "\"run_id\"", false), Normalised(a, whole, "\"run_id\"", false));
    } else {
      EXPECT_EQ(b, a);
    }
  }
}

class MergeCommandTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MergeCommandTest, ThreeShardsMergeToTheUnshardedRunsFiles) {
  const std::string suite = std::string(GAUNTLET_SOURCE_DIR) + "/" + GetParam();
  const std::string dir = gauntlet::test::FreshDir("merge_equal_" + fs::path(GetParam()).stem().string());
  const int whole = Gauntlet({"run", suite, "--out", dir + "/whole", "--quiet"}, dir + "/whole");
  ASSERT_TRUE(whole == 0 || whole == 1) << ReadFile(dir + "/whole.err");
  for (int i = 0; i < 3; ++i) {
    const std::string log = dir + "/shard" + std::to_string(i);
    const int code = Gauntlet({"run", suite, "--out", dir + "/sharded", "--shard-index", std::to_string(i),
                          "--shard-count", "3", "--quiet"},
                         log);
    ASSERT_TRUE(code == 0 || code == 1) << ReadFile(log + ".err");
  }
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/merged"}, dir + "/merge"), whole)
      << ReadFile(dir + "/merge.err");
  for (const char* name : {"results.jsonl", "summary.json", "junit.xml", "report.html", "run.json"}) {
    EXPECT_TRUE(fs::exists(dir + "/merged/" + name)) << name;
  }
  ExpectSameOutputs(dir + "/whole", dir + "/merged");
}

INSTANTIATE_TEST_SUITE_P(Suites, MergeCommandTest,
                         ::testing::Values("configs/example.yaml", "tests/scenarios/testdata/brake_suite.yaml"),
                         [](const auto& info) { return fs::path(info.param).stem().string(); });

TEST(MergeCommandSecurityTest, NoFileOfRunOrMergeFollowsASymlinkOutOfTheOutputFolder) {
  const std::string suite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_suite.yaml";
  const std::string dir = gauntlet::test::FreshDir("merge_symlinks");
  const std::string outside = dir + "/outside.txt";
  { std::ofstream(outside) << "precious"; }
  const std::vector<std::string> names = {"results.jsonl", "summary.json", "junit.xml", "report.html", "run.json",
                                          "results.jsonl.resume", "summary.json.tmp", "junit.xml.tmp",
                                          "report.html.tmp", "run.json.tmp", "results.jsonl.tmp"};
  auto plant = [&](const std::string& folder) {
    fs::create_directories(folder);
    for (const std::string& name : names) fs::create_symlink(outside, folder + "/" + name);
  };
  plant(dir + "/run");
  const int code = Gauntlet({"run", suite, "--out", dir + "/run", "--quiet"}, dir + "/run-log");
  EXPECT_TRUE(code == 0 || code == 1) << ReadFile(dir + "/run-log.err");
  EXPECT_EQ(ReadFile(outside), "precious");
  for (const char* name : {"results.jsonl", "summary.json", "junit.xml", "report.html", "run.json"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir + "/run/" + name))) << name;
  }
  // a resumed run, shards and a merge into a folder full of links
  EXPECT_EQ(Gauntlet({"run", suite, "--out", dir + "/run", "--resume", "--quiet"}, dir + "/resume-log"), code)
      << ReadFile(dir + "/resume-log.err");
  EXPECT_EQ(ReadFile(outside), "precious");
  plant(dir + "/sharded/shard-0");
  for (int i = 0; i < 2; ++i) {
    Gauntlet({"run", suite, "--out", dir + "/sharded", "--shard-index", std::to_string(i), "--shard-count", "2", "--quiet"},
        dir + "/shard-log");
  }
  EXPECT_EQ(ReadFile(outside), "precious");
  plant(dir + "/merged");
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/merged", "--quiet"}, dir + "/merge-log"), code)
      << ReadFile(dir + "/merge-log.err");
  EXPECT_EQ(ReadFile(outside), "precious");
  EXPECT_EQ(ReadFile(dir + "/merged/results.jsonl"), ReadFile(dir + "/run/results.jsonl"));
}

TEST(MergeCommandTest, MergeRefusesToWriteIntoOneOfItsShards) {
  const std::string suite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_suite.yaml";
  const std::string dir = gauntlet::test::FreshDir("merge_into_shard");
  for (int i = 0; i < 2; ++i) {
    Gauntlet({"run", suite, "--out", dir + "/sharded", "--shard-index", std::to_string(i), "--shard-count", "2", "--quiet"},
        dir + "/shard-log");
  }
  const std::string before = ReadFile(dir + "/sharded/shard-1/results.jsonl");
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/sharded/shard-1"}, dir + "/merge-log"), 2);
  EXPECT_EQ(ReadFile(dir + "/sharded/shard-1/results.jsonl"), before);
}

}  // namespace

namespace {

TEST(MergeCommandTest, JUnitPerRequirementIsAFlagOfRunAndMergeAndTheirHelpSaysSo) {
  const std::string suite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_suite.yaml";
  const std::string dir = gauntlet::test::FreshDir("merge_junit_modes");
  const int whole =
      Gauntlet({"run", suite, "--out", dir + "/whole", "--quiet", "--junit", "per-requirement"}, dir + "/whole");
  ASSERT_TRUE(whole == 0 || whole == 1) << ReadFile(dir + "/whole.err");
  for (int i = 0; i < 2; ++i) {
    Gauntlet({"run", suite, "--out", dir + "/sharded", "--shard-index", std::to_string(i), "--shard-count", "2",
              "--quiet"},
             dir + "/shard");
  }
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/merged", "--quiet", "--junit=per-requirement"},
                     dir + "/merge"),
            whole);
  ExpectSameOutputs(dir + "/whole", dir + "/merged");
  // a testcase per family and requirement (and per family with errors), not per instance
  const nlohmann::json summary = nlohmann::json::parse(ReadFile(dir + "/whole/summary.json"));
  size_t expected = 0;
  for (const auto& f : summary.at("families")) {
    expected += f.at("requirements").size() + (f.at("errors").get<size_t>() > 0 ? 1 : 0) +
                f.at("formal_checks").size();
  }
  const std::string junit = ReadFile(dir + "/whole/junit.xml");
  size_t testcases = 0;
  for (size_t at = junit.find("<testcase "); at != std::string::npos; at = junit.find("<testcase ", at + 1)) ++testcases;
  EXPECT_EQ(testcases, expected);
  EXPECT_LT(testcases, summary.at("totals").at("instances").get<size_t>());
  EXPECT_EQ(Gauntlet({"run", suite, "--out", dir + "/bad", "--junit", "per-case"}, dir + "/bad"), 2);
  for (const char* command : {"run", "merge", "gate"}) {
    EXPECT_EQ(Gauntlet({command, "--help"}, dir + "/help"), 0);
    EXPECT_NE(ReadFile(dir + "/help.out").find("--junit per-requirement"), std::string::npos) << command;
  }
}

}  // namespace
