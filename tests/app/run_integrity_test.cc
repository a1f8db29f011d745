// `gauntlet run` end to end (#15): usage errors of --out and the batch systems' shard variables, the
// lock on the output folder, a bad --db found before anything runs, a failing formal check recorded as
// a result with its witness, and replay commands quoted for the shell.

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/app/run_dir_test_util.h"

namespace {

namespace fs = std::filesystem;
using gauntlet::test::kSource;
using gauntlet::test::ReadFile;
using gauntlet::test::RunGauntlet;

const std::string kSuite = kSource + "/tests/scenarios/testdata/brake_suite.yaml";

std::string Fresh(const std::string& name) { return gauntlet::test::FreshDir("run_command_test_" + name); }

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// A one-family suite of the brake scenario with 4 uniform instances (fast), its family named `name`.
std::string SmallSuite(const std::string& dir, const std::string& name) {
  Write(dir + "/small_suite.yaml", "suite: small\nseed: 3\nmodels:\n  idm: {builtin: idm, params: {v0: 30}}\n"
                                   "scenarios:\n  - {scenario: " + kSource +
                                       "/tests/scenarios/testdata/brake_scenario.yaml, name: \"" + name +
                                       "\", generators: [{kind: edge_cases, corner_budget: 8}]}\n");
  return dir + "/small_suite.yaml";
}

/// The lead_brake scenario with the acc network, a few instances, and formal checks the network
/// violates: an output bound below what it outputs, and a local robustness delta it exceeds.
std::string FailingFormalSuite(const std::string& dir) {
  std::string scenario = ReadFile(kSource + "/configs/scenarios/lead_brake.yaml");
  const auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = scenario.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    scenario.replace(at, from.size(), to);
  };
  replace("max: 3.0001", "max: 1.0");
  replace("delta: 1.0 ", "delta: 0.000001 ");
  replace("states: 4", "states: 1");
  replace("  - {kind: edge_cases}\n", "");
  replace("{kind: uniform, count: 300}", "{kind: uniform, count: 3}");
  Write(dir + "/lead_brake_tight.yaml", scenario);
  Write(dir + "/formal_suite.yaml", "suite: formal\nseed: 5\nmodels:\n  acc: {path: " + kSource +
                                        "/zoo/acc_good.onnx}\nscenarios:\n  - {scenario: lead_brake_tight.yaml}\n");
  return dir + "/formal_suite.yaml";
}

TEST(RunCommandTest, AnEmptyOutIsAUsageError) {
  const std::string dir = Fresh("empty_out");
  EXPECT_EQ(RunGauntlet({"run", kSuite, "--out", ""}, dir, {}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("'--out' needs a value"), std::string::npos) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(RunGauntlet({"run", kSuite, "--out="}, dir, {}, dir), 2);
  EXPECT_EQ(RunGauntlet({"merge", dir, "--out", ""}, dir, {}, dir), 2);
  EXPECT_FALSE(fs::exists(dir + "/out"));  // nothing ran into the default folder
}

TEST(RunCommandTest, ShardVariablesNeverOverflowIntoAValidShard) {
  const std::string dir = Fresh("shard_env");
  const std::vector<std::vector<std::string>> bad = {
      // 2^64 + 1 wraps to 1 in 64-bit arithmetic
      {"SLURM_ARRAY_TASK_ID=18446744073709551617", "SLURM_ARRAY_TASK_COUNT=4"},
      // LLONG_MAX - (-1) overflows
      {"SLURM_ARRAY_TASK_ID=9223372036854775807", "SLURM_ARRAY_TASK_MIN=-1", "SLURM_ARRAY_TASK_COUNT=4"},
      {"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MIN=x", "SLURM_ARRAY_TASK_COUNT=4"},
      {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=2", "SLURM_ARRAY_TASK_COUNT=4"},
      {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=18446744073709551620"},
      {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=4294967297"},
      {"CI_NODE_INDEX=0", "CI_NODE_TOTAL=4"},
      {"CI_NODE_INDEX=-9223372036854775808", "CI_NODE_TOTAL=4"},
      {"TEST_SHARD_INDEX=+1", "TEST_TOTAL_SHARDS=4"},
      {"JOB_COMPLETION_INDEX=1 ", "SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=4"},
  };
  for (const auto& env : bad) {
    EXPECT_EQ(RunGauntlet({"run", kSuite, "--out", dir + "/out", "--quiet"}, dir, env), 2)
        << env[0] << " " << env[1] << ": " << ReadFile(dir + "/stderr.txt");
    EXPECT_FALSE(fs::exists(dir + "/out")) << env[0];
  }
  // a valid Slurm array: task 5 of 3..6 is shard 2 of 4
  const std::string small = SmallSuite(dir, "small");
  EXPECT_EQ(RunGauntlet({"run", small, "--out", dir + "/out", "--quiet"}, dir,
                        {"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=3", "SLURM_ARRAY_TASK_COUNT=4"}) / 2,
            0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_TRUE(fs::exists(dir + "/out/shard-2/results.jsonl"));
}

TEST(RunCommandTest, ASecondWriterOfTheSameOutputFolderIsRefused) {
  const std::string dir = Fresh("lock");
  const std::string small = SmallSuite(dir, "small");
  fs::create_directories(dir + "/out");
  // another process (this test) holds the folder's lock, as a running `gauntlet run` does
  const int fd = ::open((dir + "/out/.gauntlet.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(RunGauntlet({"run", small, "--out", dir + "/out", "--quiet"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("another gauntlet run, merge or gate is writing to " + dir + "/out"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_FALSE(fs::exists(dir + "/out/results.jsonl"));
  EXPECT_FALSE(fs::exists(dir + "/out/run.json"));
  ::close(fd);  // the lock is free again
  EXPECT_EQ(RunGauntlet({"run", small, "--out", dir + "/out", "--quiet"}, dir) / 2, 0) << ReadFile(dir + "/stderr.txt");
  EXPECT_TRUE(fs::exists(dir + "/out/results.jsonl"));
}

TEST(RunCommandTest, ABadDatabaseIsFoundBeforeTheFirstSimulation) {
  const std::string dir = Fresh("bad_db");
  const std::string small = SmallSuite(dir, "small");
  // a good database to spoil
  ASSERT_EQ(RunGauntlet({"run", small, "--out", dir + "/good", "--quiet", "--db", dir + "/good.db"}, dir) / 2, 0)
      << ReadFile(dir + "/stderr.txt");
  fs::copy_file(dir + "/good.db", dir + "/readonly.db");
  fs::permissions(dir + "/readonly.db", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::copy_file(dir + "/good.db", dir + "/newer.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/newer.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  Write(dir + "/text.db", "not a database at all, just text\n");
  fs::create_directories(dir + "/a_directory.db");
  fs::create_directories(dir + "/locked_folder");
  fs::permissions(dir + "/locked_folder", fs::perms::owner_read | fs::perms::owner_exec);
  const std::string newer_before = ReadFile(dir + "/newer.db");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {dir + "/text.db", "not a history database"},
      {dir + "/a_directory.db", "not a regular file"},
      {dir + "/readonly.db", "read-only"},
      {dir + "/no/such/folder/history.db", "does not exist"},
      {dir + "/locked_folder/history.db", "read-only"},
      {dir + "/newer.db", "schema version 99"},
  };
  for (const auto& [db, message] : bad) {
    const std::string out = dir + "/out_" + fs::path(db).parent_path().filename().string() +
                            fs::path(db).filename().string();
    EXPECT_EQ(RunGauntlet({"run", small, "--out", out, "--quiet", "--db", db}, dir), 2) << db;
    EXPECT_NE(ReadFile(dir + "/stderr.txt").find(message), std::string::npos) << db << ": " << ReadFile(dir + "/stderr.txt");
    EXPECT_FALSE(fs::exists(out + "/results.jsonl")) << db << ": a simulation ran";
  }
  EXPECT_EQ(ReadFile(dir + "/newer.db"), newer_before);  // neither written nor reset
  fs::permissions(dir + "/locked_folder", fs::perms::owner_all);
}

TEST(RunCommandTest, AFailingFormalCheckIsAResultWithItsWitness) {
  const std::string dir = Fresh("formal");
  const std::string suite = FailingFormalSuite(dir);
  const std::string out = dir + "/out";
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", out, "--quiet", "--db", dir + "/history.db", "--threads", "2"}, dir), 1)
      << ReadFile(dir + "/stderr.txt");
  for (const char* file : {"results.jsonl", "summary.json", "junit.xml", "report.html", "run.json"}) {
    EXPECT_TRUE(fs::exists(out + "/" + file)) << file;
  }
  // recorded in the history
  EXPECT_EQ(RunGauntlet({"history", "--db", dir + "/history.db"}, dir), 0) << ReadFile(dir + "/stderr.txt");
  // both checks failed with their witnesses on their lines
  const std::string results = ReadFile(out + "/results.jsonl");
  std::vector<std::string> formal_ids;
  std::istringstream lines(results);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"origin\":\"formal\"") == std::string::npos) continue;
    EXPECT_NE(line.find("\"verdict\":\"fail\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"witness\":{\"input\":["), std::string::npos) << line;
    const size_t id = line.find("\"id\":\"") + 6;
    formal_ids.push_back(line.substr(id, line.find('"', id) - id));
  }
  ASSERT_EQ(formal_ids.size(), 2u) << results;
  EXPECT_NE(results.find("\"reference_input\":["), std::string::npos);
  const std::string junit = ReadFile(out + "/junit.xml");
  EXPECT_NE(junit.find("witness: input ["), std::string::npos);
  // replay re-evaluates the network at each witness and confirms the violation
  for (const std::string& id : formal_ids) {
    EXPECT_EQ(RunGauntlet({"replay", out, "--case", id}, dir), 1) << id << ": " << ReadFile(dir + "/stderr.txt");
    EXPECT_NE(ReadFile(dir + "/stdout.txt").find("\nviolated: "), std::string::npos) << ReadFile(dir + "/stdout.txt");
    EXPECT_NE(ReadFile(dir + "/stdout.txt").find("output: "), std::string::npos);
  }
  // the replay command junit.xml prints for the bound works as printed
  const size_t at = junit.find("replay: gauntlet replay ", junit.find("formal:accel_within_actuator_range"));
  ASSERT_NE(at, std::string::npos);
  std::string command = junit.substr(at + 8, junit.find('<', at) - at - 8);
  command = std::regex_replace(command, std::regex("&apos;"), "'");
  command = std::regex_replace(command, std::regex("&quot;"), "\"");
  command = std::regex_replace(command, std::regex("&amp;"), "&");
  fs::create_directories(dir + "/bin");
  fs::create_symlink(gauntlet::test::kGauntlet, dir + "/bin/gauntlet");
  const int status = std::system(("PATH=" + dir + "/bin:$PATH " + command + " >" + dir + "/replay.txt 2>&1").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1) << command << "\n" << ReadFile(dir + "/replay.txt");
  EXPECT_NE(ReadFile(dir + "/replay.txt").find("the counterexample is confirmed"), std::string::npos);

  // a witness edited to a point that does not violate the bound is not confirmed
  std::string edited = results;
  const size_t line_at = edited.find("formal:accel_within_actuator_range");
  const size_t input_at = edited.find("\"witness\":{\"input\":[", line_at) + 20;
  edited.replace(input_at, edited.find(']', input_at) - input_at, "150,0,-15");
  Write(out + "/results.jsonl", edited);
  EXPECT_NE(RunGauntlet({"replay", out, "--case", formal_ids[0]}, dir), 1) << ReadFile(dir + "/stdout.txt");
}

TEST(RunCommandTest, ReplayCommandsQuoteTheCaseForTheShell) {
  const std::string dir = Fresh("quote");
  const std::string name = "x'; touch PWNED; echo '";
  const std::string suite = SmallSuite(dir, name);
  const std::string out = dir + "/out dir";
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", out}, dir, {}, dir), 1) << ReadFile(dir + "/stderr.txt");
  // every printed replay command: the terminal's and junit.xml's
  std::vector<std::string> commands;
  const std::string terminal = ReadFile(dir + "/stdout.txt");
  for (size_t at = terminal.find("replay: gauntlet"); at != std::string::npos; at = terminal.find("replay: gauntlet", at + 1)) {
    commands.push_back(terminal.substr(at + 8, terminal.find('\n', at) - at - 8));
  }
  std::string junit = ReadFile(out + "/junit.xml");
  junit = std::regex_replace(junit, std::regex("&apos;"), "'");
  junit = std::regex_replace(junit, std::regex("&quot;"), "\"");
  junit = std::regex_replace(junit, std::regex("&amp;"), "&");
  for (size_t at = junit.find("replay: gauntlet"); at != std::string::npos; at = junit.find("replay: gauntlet", at + 1)) {
    commands.push_back(junit.substr(at + 8, junit.find('<', at) - at - 8));
  }
  ASSERT_GE(commands.size(), 2u) << terminal;
  // a fake gauntlet prints its arguments one per line; sh runs each command as pasted
  fs::create_directories(dir + "/fake");
  Write(dir + "/fake/gauntlet", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
  fs::permissions(dir + "/fake/gauntlet", fs::perms::owner_all);
  for (const std::string& command : commands) {
    Write(dir + "/command.sh", command + "\n");
    const int status = std::system(("cd " + gauntlet::core::ShellQuote(dir) + " && PATH=" + dir +
                                    "/fake:$PATH /bin/sh command.sh >args.txt 2>&1")
                                       .c_str());
    EXPECT_EQ(WEXITSTATUS(status), 0) << command;
    std::istringstream args(ReadFile(dir + "/args.txt"));
    std::vector<std::string> parsed;
    for (std::string a; std::getline(args, a);) parsed.push_back(a);
    ASSERT_EQ(parsed.size(), 4u) << command << "\n" << ReadFile(dir + "/args.txt");
    EXPECT_EQ(parsed[0], "replay");
    EXPECT_EQ(parsed[1], out);
    EXPECT_EQ(parsed[2], "--case");
    EXPECT_EQ(parsed[3].rfind(name + "#", 0), 0u) << parsed[3];
    EXPECT_FALSE(fs::exists(dir + "/PWNED")) << command;
  }
  // and the real binary replays the case the command names
  fs::create_directories(dir + "/bin");
  fs::create_symlink(gauntlet::test::kGauntlet, dir + "/bin/gauntlet");
  Write(dir + "/command.sh", commands.front() + "\n");
  const int status = std::system(("cd " + gauntlet::core::ShellQuote(dir) + " && PATH=" + dir +
                                  "/bin:$PATH /bin/sh command.sh >replay.txt 2>&1")
                                     .c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1) << ReadFile(dir + "/replay.txt");
  EXPECT_NE(ReadFile(dir + "/replay.txt").find("identical to the recorded result"), std::string::npos)
      << ReadFile(dir + "/replay.txt");
  EXPECT_FALSE(fs::exists(dir + "/PWNED"));
}

}  // namespace
