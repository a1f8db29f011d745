#pragma once
// Running the real gauntlet binary from a test, as CI scripts do, and finding results in a run's files.

#include <sys/wait.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_files.h"

namespace gauntlet::test {

/// Runs the binary with `args` (each single-quoted); stdout and stderr go to `dir`/stdout.txt and
/// `dir`/stderr.txt. Returns the exit code (-1 if it did not exit).
inline int RunGauntlet(const std::vector<std::string>& args, const std::string& dir) {
  std::string command = GAUNTLET_BINARY;
  for (const auto& a : args) command += " '" + a + "'";
  command += " >" + dir + "/stdout.txt 2>" + dir + "/stderr.txt";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The id of the first line of a results.jsonl that contains `needle` ("" if none).
inline std::string FirstIdWith(const std::string& results_jsonl, const std::string& needle) {
  std::istringstream in(ReadFile(results_jsonl));
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    const size_t at = line.find("\"id\":\"");
    if (at == std::string::npos) continue;
    return line.substr(at + 6, line.find('"', at + 6) - at - 6);
  }
  return "";
}

}  // namespace gauntlet::test
