// Faults around `gauntlet run` (issue 9), on the real binary: SIGINT and SIGTERM mid-run, a full disk
// mid-run, a report that cannot be written, and an output directory that cannot be created. Each run
// must stop cleanly with its distinct exit code and keep every result already written: the lines of
// results.jsonl are a prefix of an uninterrupted run's, and --resume completes them to exactly it.
//
// Works as root and as non-root: a full disk is a file-size limit (RLIMIT_FSIZE, writes past it fail
// with EFBIG) or a symlink to /dev/full (ENOSPC); an unwritable directory is one under a regular file.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_files.h"

namespace {

namespace fs = std::filesystem;

const std::string kBinary = GAUNTLET_BINARY;
const std::string kTestData = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/";

using gauntlet::test::ReadFile;

/// The complete (newline-terminated) lines of a file; a line cut by a failed write is left out.
std::vector<std::string> CompleteLines(const std::string& path) {
  const std::string text = ReadFile(path);
  std::vector<std::string> lines;
  for (size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    lines.push_back(text.substr(begin, end - begin));
  }
  return lines;
}

std::string Fresh(const std::string& name) { return gauntlet::test::FreshDir("fault_cli_test_" + name); }

/// A running `gauntlet` with stdout and stderr in `dir`; optionally under a file-size limit.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& dir, rlim_t file_size_limit = RLIM_INFINITY) {
    // everything the child needs is prepared before fork: it only calls async-signal-safe functions
    std::vector<std::string> all = {kBinary};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
    pid_ = fork();
    if (pid_ == 0) {
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(126);
      if (file_size_limit != RLIM_INFINITY) {
        const rlimit limit{file_size_limit, file_size_limit};
        signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG instead of killing
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
      }
      execv(kBinary.c_str(), argv.data());
      _exit(127);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      (void)Wait();
    }
  }
  void Signal(int signal) const { kill(pid_, signal); }
  /// The exit code, or -signal if the child was killed by one.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  /// Waits until `path` has at least `lines` complete lines; false if the child ended first.
  bool WaitForLines(const std::string& path, size_t lines) {
    for (;;) {
      if (CompleteLines(path).size() >= lines) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

 private:
  pid_t pid_ = -1;
};

int Gauntlet(const std::vector<std::string>& args, const std::string& dir, rlim_t file_size_limit = RLIM_INFINITY) {
  return Child(args, dir, file_size_limit).Wait();
}

/// A suite long enough to interrupt: 2000 uniform instances of the brake scenario.
std::string WriteLongSuite(const std::string& dir) {
  const std::string path = dir + "/long_suite.yaml";
  std::ofstream(path) << "suite: long\nseed: 11\nmodels: {idm: {builtin: idm}}\nscenarios:\n  - {scenario: "
                      << kTestData << "brake_scenario.yaml, generators: [{kind: uniform, count: 2000}]}\n";
  return path;
}

void ExpectPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& whole) {
  ASSERT_LE(prefix.size(), whole.size());
  for (size_t i = 0; i < prefix.size(); ++i) ASSERT_EQ(prefix[i], whole[i]) << "line " << i;
}

/// Checks a run directory left by a signal: incomplete manifest, reports written and marked partial.
void ExpectInterrupted(const std::string& out, const std::string& stderr_text, const std::vector<std::string>& whole) {
  const std::vector<std::string> lines = CompleteLines(out + "/results.jsonl");
  EXPECT_GT(lines.size(), 0u);
  EXPECT_LT(lines.size(), whole.size()) << "the signal came too late to interrupt anything";
  ExpectPrefix(lines, whole);
  EXPECT_EQ(ReadFile(out + "/results.jsonl").back(), '\n') << "a line was cut";
  EXPECT_NE(ReadFile(out + "/run.json").find("\"complete\": false"), std::string::npos);
  EXPECT_NE(ReadFile(out + "/summary.json").find("\"complete\": false"), std::string::npos)
      << ReadFile(out + "/summary.json").substr(0, 400);
  EXPECT_NE(ReadFile(out + "/report.html").find("(interrupted: partial)"), std::string::npos);
  EXPECT_TRUE(fs::exists(out + "/junit.xml"));
  EXPECT_NE(stderr_text.find("gauntlet run: interrupted; the reports cover the " + std::to_string(lines.size()) +
                             " instances that finished\n"),
            std::string::npos)
      << stderr_text;
}

TEST(FaultCliTest, SigintAndSigtermStopCleanlyAndResumeToTheUninterruptedResults) {
  const std::string dir = Fresh("signals");
  const std::string suite = WriteLongSuite(dir);
  const int expected_code = Gauntlet({"run", suite, "--out", dir + "/whole", "--quiet", "--threads", "2"}, dir);
  ASSERT_TRUE(expected_code == 0 || expected_code == 1) << ReadFile(dir + "/stderr.txt");
  const std::vector<std::string> whole = CompleteLines(dir + "/whole/results.jsonl");
  ASSERT_EQ(whole.size(), 2000u);

  const std::string out = dir + "/out";
  const std::vector<std::string> args = {"run", suite, "--out", out, "--quiet", "--threads", "2", "--resume"};
  {  // SIGINT (Ctrl-C) once some results are written
    Child run(args, dir);
    ASSERT_TRUE(run.WaitForLines(out + "/results.jsonl", 20)) << "the run ended before it could be interrupted";
    run.Signal(SIGINT);
    EXPECT_EQ(run.Wait(), 130);
  }
  ExpectInterrupted(out, ReadFile(dir + "/stderr.txt"), whole);
  const size_t after_sigint = CompleteLines(out + "/results.jsonl").size();
  {  // resumed, then SIGTERM (a batch system's stop) once it got further than the first run
    Child run(args, dir);
    ASSERT_TRUE(run.WaitForLines(out + "/results.jsonl", after_sigint + 20));
    run.Signal(SIGTERM);
    EXPECT_EQ(run.Wait(), 143);
  }
  ExpectInterrupted(out, ReadFile(dir + "/stderr.txt"), whole);
  EXPECT_GT(CompleteLines(out + "/results.jsonl").size(), after_sigint);
  // resumed to the end: exactly the uninterrupted results, verdict and exit code
  EXPECT_EQ(Gauntlet(args, dir), expected_code) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(out + "/results.jsonl"), ReadFile(dir + "/whole/results.jsonl"));
  EXPECT_NE(ReadFile(out + "/run.json").find("\"complete\": true"), std::string::npos);
  EXPECT_NE(ReadFile(out + "/summary.json").find("\"complete\": true"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + "/results.jsonl.resume"));
}

TEST(FaultCliTest, FullDiskMidRunExitsThreeAndKeepsTheWrittenResults) {
  const std::string dir = Fresh("full_disk");
  const std::string suite = kTestData + "brake_suite.yaml";
  const int expected_code = Gauntlet({"run", suite, "--out", dir + "/whole", "--quiet"}, dir);
  const std::string whole_text = ReadFile(dir + "/whole/results.jsonl");
  const std::vector<std::string> whole = CompleteLines(dir + "/whole/results.jsonl");
  ASSERT_GT(whole.size(), 20u);
  // the disk fills up when results.jsonl reaches half its size (no other file of the run is as big)
  const std::string out = dir + "/out";
  const rlim_t limit = whole_text.size() / 2;
  EXPECT_EQ(Gauntlet({"run", suite, "--out", out, "--quiet"}, dir, limit), 3);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"), "gauntlet run: write failed: " + out + "/results.jsonl (disk full?)\n");
  const std::vector<std::string> kept = CompleteLines(out + "/results.jsonl");
  EXPECT_GT(kept.size(), whole.size() / 4) << "the results written before the disk filled up are lost";
  ExpectPrefix(kept, whole);
  EXPECT_NE(ReadFile(out + "/run.json").find("\"complete\": false"), std::string::npos);
  // once there is space again, --resume completes the run (a line cut by the full disk is recomputed)
  EXPECT_EQ(Gauntlet({"run", suite, "--out", out, "--quiet", "--resume"}, dir), expected_code)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(out + "/results.jsonl"), whole_text);
}

TEST(FaultCliTest, ALinkPlantedAtTheSummarysTemporaryIsNeverWrittenThrough) {
  // the summary's old temporary name links to a full device: the writer creates its own temporary and never
  // opens the link (a full disk for the summary is tested in tests/reports/run_writer_test.cc)
  const std::string dir = Fresh("full_summary");
  const std::string suite = kTestData + "brake_suite.yaml";
  const int expected_code = Gauntlet({"run", suite, "--out", dir + "/whole", "--quiet"}, dir);
  const std::string out = dir + "/out";
  fs::create_directories(out);
  fs::create_symlink("/dev/full", out + "/summary.json.tmp");
  EXPECT_EQ(Gauntlet({"run", suite, "--out", out, "--quiet"}, dir), expected_code) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(out + "/results.jsonl"), ReadFile(dir + "/whole/results.jsonl"));
  EXPECT_NE(ReadFile(out + "/run.json").find("\"complete\": true"), std::string::npos);
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(out + "/summary.json")));
  EXPECT_TRUE(fs::is_symlink(out + "/summary.json.tmp"));
}

TEST(FaultCliTest, UnwritableOutputDirectoryExitsThreeBeforeRunning) {
  const std::string dir = Fresh("unwritable");
  std::ofstream(dir + "/file") << "a regular file, not a directory\n";
  const std::string out = dir + "/file/out";
  EXPECT_EQ(Gauntlet({"run", kTestData + "brake_suite.yaml", "--out", out, "--quiet"}, dir), 3);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"),
            "gauntlet run: cannot create the output directory " + out + ": Not a directory\n");
  EXPECT_EQ(ReadFile(dir + "/file"), "a regular file, not a directory\n");
}

TEST(FaultCliTest, MalformedShardManifestsAreInputErrors) {
  // fuzz/regressions/run_manifest/: fuzz_run_manifest found a seed beyond 2^64 converted with undefined
  // behaviour; reviewing the fix showed that a huge shard_count made `gauntlet merge` list (and hold in
  // memory) every missing shard, practically forever
  const std::string dir = Fresh("manifest");
  struct Case {
    std::string file;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"seed_float_out_of_range.json", "malformed run manifest: 'seed' must be an integer in [0, 18446744073709551615]"},
      {"huge_shard_count.json", "malformed run manifest: 'shard_count' must be an integer in [1, 1048576]"},
      // an empty suite path: writing the manifest again (merge) threw std::filesystem_error
      {"empty_suite_path.json", "malformed run manifest: 'suite' must be a path, not empty"},
  };
  for (const Case& c : cases) {
    const std::string shard = dir + "/" + c.file;
    fs::create_directories(shard);
    fs::copy_file(std::string(GAUNTLET_SOURCE_DIR) + "/fuzz/regressions/run_manifest/" + c.file, shard + "/run.json");
    EXPECT_EQ(Gauntlet({"merge", shard, "--out", dir + "/merged"}, dir), 2);
    EXPECT_EQ(ReadFile(dir + "/stderr.txt"), shard + "/run.json: error: " + c.message + "\n");
  }
  // a shard index outside its count was accepted too
  const std::string shard = dir + "/index";
  fs::create_directories(shard);
  std::ofstream(shard + "/run.json") << "{\"suite\": \"s.yaml\", \"seed\": 1, \"model_overrides\": {}, \"fingerprint\": "
                                        "\"f\", \"shard_index\": 5, \"shard_count\": 3, \"complete\": true}\n";
  EXPECT_EQ(Gauntlet({"merge", shard, "--out", dir + "/merged"}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"),
            shard + "/run.json: error: malformed run manifest: shard_index 5 is not in [0, shard_count 3)\n");
}

}  // namespace
