// `gauntlet merge` end to end (#15): shards of a suite named by a relative or an absolute path, run and
// merged from other working directories, give the unsharded run's files; merge refuses an output that
// is, holds or lies inside an input, and an input or output folder another gauntlet is writing.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/app/run_dir_test_util.h"

namespace {

namespace fs = std::filesystem;
using gauntlet::test::kSource;
using gauntlet::test::ReadFile;
using gauntlet::test::RunGauntlet;

std::string Fresh(const std::string& name) { return gauntlet::test::FreshDir("merge_command_test_" + name); }

/// Runs `suite_relative` (relative to the source tree) unsharded with its absolute path, then in 3
/// shards: shard 0 from the source tree with the relative path, shard 1 from `dir` with a relative
/// path through `..`, shard 2 with an absolute path spelt with `./` and `..`; merges from `dir` with
/// relative folders. The merged files are the unsharded run's.
void ShardAndMerge(const std::string& suite_relative, const std::string& dir) {
  const std::string absolute = kSource + "/" + suite_relative;
  const int unsharded = RunGauntlet({"run", absolute, "--out", dir + "/whole", "--quiet"}, dir);
  ASSERT_TRUE(unsharded == 0 || unsharded == 1) << ReadFile(dir + "/stderr.txt");
  const std::string from_dir = fs::relative(absolute, dir).string();
  const fs::path folder = fs::path(suite_relative).parent_path();
  const std::string spelt = kSource + "/./" + folder.string() + "/../" + folder.filename().string() + "/" +
                            fs::path(suite_relative).filename().string();
  const std::vector<std::pair<std::string, std::string>> shards = {
      {suite_relative, kSource}, {from_dir, dir}, {spelt, "/"}};
  for (size_t i = 0; i < shards.size(); ++i) {
    const int code = RunGauntlet({"run", shards[i].first, "--out", dir + "/sharded", "--shard-index", std::to_string(i),
                                  "--shard-count", "3", "--quiet"},
                                 dir, {}, shards[i].second);
    ASSERT_TRUE(code == 0 || code == 1) << shards[i].first << ": " << ReadFile(dir + "/stderr.txt");
  }
  EXPECT_EQ(RunGauntlet({"merge", "sharded", "--out", "merged", "--quiet"}, dir, {}, dir), unsharded)
      << ReadFile(dir + "/stderr.txt");
  gauntlet::test::ExpectSameOutputs(dir + "/whole", dir + "/merged", /*all_files=*/false);
}

TEST(MergeCommandTest, ExampleSuiteShardsMergeToTheUnshardedRunWithAnyPathSpelling) {
  ShardAndMerge("configs/example.yaml", Fresh("example"));
}

TEST(MergeCommandTest, TestSuiteShardsMergeToTheUnshardedRunWithAnyPathSpelling) {
  ShardAndMerge("tests/scenarios/testdata/brake_suite.yaml", Fresh("brake"));
}

TEST(MergeCommandTest, AnOutputThatIsHoldsOrLiesInAnInputIsRefused) {
  const std::string dir = Fresh("overlap");
  const std::string suite = kSource + "/tests/scenarios/testdata/brake_suite.yaml";
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(RunGauntlet({"run", suite, "--out", dir + "/sh", "--shard-index", std::to_string(i), "--shard-count", "2",
                           "--quiet"},
                          dir) / 2,
              0);
  }
  const std::string shard1 = ReadFile(dir + "/sh/shard-1/results.jsonl");
  const std::vector<std::vector<std::string>> refused = {
      {"sh", "--out", "sh/shard-1"},       {"sh", "--out", "sh"},        {"sh", "--out", "./sh/../sh/"},
      {"sh", "--out", "sh/shard-1/inner"}, {"sh/shard-0", "sh/shard-1", "--out", "sh"},
      {"sh/shard-0", "sh/shard-1", "--out", "."}, {"sh/shard-0", "sh/shard-1", "--out", dir + "/sh/shard-0"},
  };
  for (std::vector<std::string> args : refused) {
    args.insert(args.begin(), "merge");
    EXPECT_EQ(RunGauntlet(args, dir, {}, dir), 2) << args.back();
    EXPECT_NE(ReadFile(dir + "/stderr.txt").find("is, contains or lies inside the input"), std::string::npos)
        << ReadFile(dir + "/stderr.txt");
  }
  EXPECT_EQ(ReadFile(dir + "/sh/shard-1/results.jsonl"), shard1);
  EXPECT_FALSE(fs::exists(dir + "/sh/shard-1/inner"));
  EXPECT_FALSE(fs::exists(dir + "/sh/results.jsonl"));
  // a folder next to the shards is fine (the README's Slurm example), and so is one elsewhere, also
  // through a symbolic link to the shards
  EXPECT_EQ(RunGauntlet({"merge", "sh", "--out", "sh/merged", "--quiet"}, dir, {}, dir) / 2, 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(RunGauntlet({"merge", "sh/shard-0", "sh/shard-1", "--out", "sh/merged", "--quiet"}, dir, {}, dir) / 2, 0)
      << ReadFile(dir + "/stderr.txt");
  fs::create_directory_symlink(dir + "/sh", dir + "/link");
  EXPECT_EQ(RunGauntlet({"merge", "link", "--out", "merged", "--quiet"}, dir, {}, dir) / 2, 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(RunGauntlet({"merge", "sh", "--out", "link/shard-1", "--quiet"}, dir, {}, dir), 2);

  // a shard's line edited from "fail" to "pass" (its robustness left negative) is an error, not merged
  const size_t fail = shard1.find("\"verdict\":\"fail\"");
  ASSERT_NE(fail, std::string::npos);
  std::string edited = shard1;
  edited.replace(fail, 16, "\"verdict\":\"pass\"");
  {
    std::ofstream(dir + "/sh/shard-1/results.jsonl", std::ios::binary | std::ios::trunc) << edited;
  }
  EXPECT_EQ(RunGauntlet({"merge", "sh", "--out", "merged_edited", "--quiet"}, dir, {}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("robustness"), std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  {
    std::ofstream(dir + "/sh/shard-1/results.jsonl", std::ios::binary | std::ios::trunc) << shard1;
  }

  // a shard another gauntlet is writing now, or an output folder another one holds, is refused
  const int fd = ::open((dir + "/sh/shard-0/.gauntlet.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(RunGauntlet({"merge", "sh", "--out", "merged2", "--quiet"}, dir, {}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("is writing to"), std::string::npos) << ReadFile(dir + "/stderr.txt");
  ::close(fd);
  const int out_fd = ::open((dir + "/merged/.gauntlet.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(out_fd, 0);
  ASSERT_EQ(::flock(out_fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(RunGauntlet({"merge", "sh", "--out", "merged", "--quiet"}, dir, {}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("another gauntlet run, merge or gate"), std::string::npos);
  ::close(out_fd);
}

}  // namespace
