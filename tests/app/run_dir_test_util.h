#pragma once
// What the run-directory tests share: running the real gauntlet binary (in a chosen working directory,
// with extra environment variables), and comparing the output folders of two runs file by file with
// the volatile parts (wall-clock times, the run id, the generation time of report.html) taken out.

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/format.h"
#include "tests/test_files.h"

namespace gauntlet::test {

inline const std::string kGauntlet = GAUNTLET_BINARY;
inline const std::string kSource = GAUNTLET_SOURCE_DIR;

/// Runs `gauntlet args...` in `cwd` (the current directory when empty) with `env` ("NAME=value") added;
/// stdout and stderr go to `<dir>/stdout.txt` and `<dir>/stderr.txt`. Returns the exit code.
inline int RunGauntlet(const std::vector<std::string>& args, const std::string& dir,
                       const std::vector<std::string>& env = {}, const std::string& cwd = "") {
  std::string command = cwd.empty() ? "" : "cd " + core::ShellQuote(cwd) + " && ";
  command += "env";
  for (const auto& e : env) command += " " + core::ShellQuote(e);
  command += " " + core::ShellQuote(kGauntlet);
  for (const auto& a : args) command += " " + core::ShellQuote(a);
  command += " >" + core::ShellQuote(dir + "/stdout.txt") + " 2>" + core::ShellQuote(dir + "/stderr.txt");
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// A file of an output folder with what legitimately differs between two runs of the same results
/// removed: times, thread counts, the paths of the folder, the suite and the models as they were spelt,
/// the run id.
inline std::string Normalised(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::string text = ReadFile(path);
  std::istringstream in(text);
  std::string line, out;
  static const std::regex kVolatile(
      R"re(("(wall_time_s|threads|out_dir|suite_path|suite|run_id|run_key|shard_index|shard_count)": ?[^,\n]*,?)|( time="[^"]*")|(gauntlet replay [^ ]+ ))re");
  // a file's path as the suite was given (relative, absolute), in the reports for people
  static const std::regex kPath(R"re([^"( ]*\.(onnx|nnet|yaml)\b)re");
  while (std::getline(in, line)) {
    if (line.find("data-volatile") != std::string::npos) continue;
    if (name != "results.jsonl") {
      line = std::regex_replace(line, kVolatile, "");
      line = std::regex_replace(line, kPath, "PATH");
    }
    out += line + "\n";
  }
  return out;
}

/// The files of a folder (names, sorted; the lock file left out).
inline std::vector<std::string> FilesOf(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() != ".gauntlet.lock") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Expects the two folders to hold the same files (with `all_files`; else every file of `actual_dir`
/// must be one of `expected_dir`), equal up to Normalised(); results.jsonl byte for byte.
inline void ExpectSameOutputs(const std::string& expected_dir, const std::string& actual_dir, bool all_files = true) {
  const std::vector<std::string> expected = FilesOf(expected_dir);
  const std::vector<std::string> actual = FilesOf(actual_dir);
  if (all_files) {
    EXPECT_EQ(actual, expected) << actual_dir;
  }
  EXPECT_NE(std::find(actual.begin(), actual.end(), "results.jsonl"), actual.end()) << actual_dir;
  for (const std::string& name : actual) {
    EXPECT_NE(std::find(expected.begin(), expected.end(), name), expected.end()) << actual_dir << "/" << name;
    if (!std::filesystem::exists(expected_dir + "/" + name)) continue;
    if (name == "results.jsonl") {
      EXPECT_EQ(ReadFile(actual_dir + "/" + name), ReadFile(expected_dir + "/" + name)) << actual_dir << "/" << name;
    } else {
      EXPECT_EQ(Normalised(actual_dir + "/" + name), Normalised(expected_dir + "/" + name)) << actual_dir << "/" << name;
    }
  }
}

}  // namespace gauntlet::test
