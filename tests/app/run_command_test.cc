// `gauntlet run` end to end on the real binary, as CI scripts run it: sharded runs merge to the unsharded
// results, runs killed with SIGKILL resume to the uninterrupted results, --resume refuses another run's
// folder, the JUnit file is well formed.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/app/gauntlet_cli.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

using gauntlet::test::Gauntlet;
using gauntlet::test::kBinary;
using gauntlet::test::ReadFile;

const std::string kSuite = gauntlet::test::kBrakeSuite;

std::string Fresh(const std::string& name) { return gauntlet::test::CliScratch(name); }

TEST(RunCommandTest, FourShardsMergeToTheUnshardedResults) {
  const std::string dir = Fresh("shards");
  const int unsharded = Gauntlet({"run", kSuite, "--out", dir + "/whole", "--quiet"}, dir);
  ASSERT_TRUE(unsharded == 0 || unsharded == 1) << ReadFile(dir + "/stderr.txt");
  for (int i = 0; i < 4; ++i) {
    // shard 2 takes its index from a batch system's variable, the others from the flag
    const int code = i == 2 ? Gauntlet({"run", kSuite, "--out", dir + "/sharded", "--shard-count", "4", "--quiet"}, dir,
                                  {"JOB_COMPLETION_INDEX=2"})
                            : Gauntlet({"run", kSuite, "--out", dir + "/sharded", "--shard-index", std::to_string(i),
                                   "--shard-count", "4", "--quiet"},
                                  dir);
    ASSERT_TRUE(code == 0 || code == 1) << ReadFile(dir + "/stderr.txt");
  }
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/merged", "--quiet"}, dir), unsharded);
  const std::string whole = ReadFile(dir + "/whole/results.jsonl");
  EXPECT_GT(whole.size(), 1000u);
  EXPECT_EQ(ReadFile(dir + "/merged/results.jsonl"), whole);

  // a missing shard
  fs::rename(dir + "/sharded/shard-3", dir + "/shard-3-aside");
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", "--out", dir + "/merged2"}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"), "error: shard 3 of 4 is missing\n");
  // a foreign shard: another seed
  EXPECT_EQ(Gauntlet({"run", kSuite, "--out", dir + "/other", "--shard-index", "3", "--shard-count", "4", "--seed", "8",
                 "--quiet"},
                dir) >= 0,
            true);
  EXPECT_EQ(Gauntlet({"merge", dir + "/sharded", dir + "/other/shard-3", "--out", dir + "/merged3"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("shard of another run"), std::string::npos)
      << ReadFile(dir + "/stderr.txt");
}

TEST(RunCommandTest, KilledRunsResumeToTheUninterruptedResults) {
  const std::string dir = Fresh("resume");
  const int expected_code = Gauntlet({"run", kSuite, "--out", dir + "/whole", "--quiet", "--threads", "2"}, dir);
  const std::string whole = ReadFile(dir + "/whole/results.jsonl");
  std::mt19937 random(12345);
  for (int attempt = 0; attempt < 4; ++attempt) {
    // start a (resumed) run and kill it with SIGKILL at a random moment
    const std::vector<std::string> args = {kBinary, "run", kSuite, "--out", dir + "/killed", "--quiet", "--resume",
                                           "--threads", "2"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, kBinary.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 250));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  EXPECT_EQ(Gauntlet({"run", kSuite, "--out", dir + "/killed", "--quiet", "--resume"}, dir), expected_code)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/killed/results.jsonl"), whole);
  EXPECT_FALSE(fs::exists(dir + "/killed/results.jsonl.resume"));
}

TEST(RunCommandTest, ResumeRefusesAnotherRunsDirectory) {
  const std::string dir = Fresh("resume_other");
  Gauntlet({"run", kSuite, "--out", dir + "/out", "--quiet"}, dir);
  EXPECT_EQ(Gauntlet({"run", kSuite, "--out", dir + "/out", "--quiet", "--resume", "--seed", "99"}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"),
            "gauntlet run: cannot resume: " + dir +
                "/out holds a run of another suite, model, seed or shard (start a fresh run without --resume)\n");
}

TEST(RunCommandTest, JUnitIsWellFormedWithUniqueTestcaseNames) {
  const std::string dir = Fresh("junit");
  ASSERT_EQ(Gauntlet({"run", kSuite, "--out", dir + "/out", "--quiet"}, dir), 1);
  const std::string junit = ReadFile(dir + "/out/junit.xml");
  ASSERT_NE(junit.find("<testsuites"), std::string::npos);
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("xmllint --noout " + dir + "/out/junit.xml").c_str()), 0);
  }
  std::set<std::string> names;
  size_t cases = 0, failures = 0;
  for (size_t at = junit.find("<testcase "); at != std::string::npos; at = junit.find("<testcase ", at + 1)) {
    const size_t name = junit.find(" name=\"", at) + 7;
    ASSERT_TRUE(names.insert(junit.substr(name, junit.find('"', name) - name)).second);
    ++cases;
  }
  for (size_t at = junit.find("<failure "); at != std::string::npos; at = junit.find("<failure ", at + 1)) ++failures;
  EXPECT_GT(cases, 50u);
  EXPECT_GT(failures, 0u);
  // every failure carries the robustness, the time and the replay command
  EXPECT_NE(junit.find("message=\"robustness -"), std::string::npos);
  EXPECT_NE(junit.find("replay: gauntlet replay"), std::string::npos);
}

}  // namespace
