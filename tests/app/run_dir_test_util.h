#pragma once
// What the run-directory tests share: running the real gauntlet binary (in a chosen working directory,
// with extra environment variables), and comparing the output folders of two runs file by file with
// the volatile parts (wall-clock times, the run id, the generation time of report.html) taken out.

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <cctype>
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
/// Removes `"key": value,` for the keys that differ between runs, ` time="..."` and `gauntlet replay DIR `.
/// Written without std::regex: libstdc++'s regex recurses once per character and overflows the stack
/// on report.html's long lines under AddressSanitizer.
inline std::string DropVolatile(const std::string& line) {
  static const char* kKeys[] = {"wall_time_s", "threads", "out_dir", "suite_path", "suite",
                                "run_id",      "run_key", "shard_index", "shard_count"};
  std::string out;
  for (size_t i = 0; i < line.size();) {
    bool dropped = false;
    for (const char* key : kKeys) {
      const std::string quoted = std::string("\"") + key + "\":";
      if (line.compare(i, quoted.size(), quoted) != 0) continue;
      size_t j = i + quoted.size();
      while (j < line.size() && line[j] != ',' && line[j] != '\n') ++j;
      if (j < line.size() && line[j] == ',') ++j;
      i = j;
      dropped = true;
      break;
    }
    if (dropped) continue;
    if (line.compare(i, 7, " time=\"") == 0) {
      const size_t end = line.find('"', i + 7);
      if (end != std::string::npos) {
        i = end + 1;
        continue;
      }
    }
    if (line.compare(i, 16, "gauntlet replay ") == 0) {
      const size_t end = line.find(' ', i + 16);
      if (end != std::string::npos) {
        i = end + 1;
        continue;
      }
    }
    out += line[i++];
  }
  return out;
}

/// Replaces every path-like token ending in .onnx, .nnet or .yaml (back to a quote, a parenthesis or a
/// space) with PATH: files as the suite was given (relative, absolute), in the reports for people.
inline std::string ReplacePaths(const std::string& line) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    for (const char* ext : {".onnx", ".nnet", ".yaml"}) {
      const size_t n = std::char_traits<char>::length(ext);
      if (line.compare(i, n, ext) != 0) continue;
      const size_t after = i + n;
      if (after < line.size() && (std::isalnum(static_cast<unsigned char>(line[after])) || line[after] == '_')) continue;
      size_t start = i;
      while (start > copied && line[start - 1] != '"' && line[start - 1] != '(' && line[start - 1] != ' ') --start;
      out.append(line, copied, start - copied);
      out += "PATH";
      copied = after;
      i = after - 1;
      break;
    }
  }
  out.append(line, copied, std::string::npos);
  return out;
}

inline std::string Normalised(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::string text = ReadFile(path);
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("data-volatile") != std::string::npos) continue;
    if (name != "results.jsonl") line = ReplacePaths(DropVolatile(line));
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
