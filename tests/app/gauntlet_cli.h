#pragma once
// What the command-line tests share: the real `gauntlet` binary run as a CI script runs it, with its
// stdout and stderr in files, and a small suite to run.
//
//   const std::string dir = gauntlet::test::CliScratch("merge");
//   EXPECT_EQ(gauntlet::test::Gauntlet({"check", gauntlet::test::kBrakeSuite}, dir), 0);
//   EXPECT_EQ(gauntlet::test::ReadFile(dir + "/stderr.txt"), "");

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/test_files.h"

namespace gauntlet::test {

/// The binary under test (a build dependency of every test that includes this file).
inline const std::string kBinary = GAUNTLET_BINARY;
/// A small suite: lead vehicle braking with the IDM controller (some instances fail).
inline const std::string kBrakeSuite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_suite.yaml";

/// A fresh scratch folder for a command-line test (FreshDir("cli_test_<name>")).
inline std::string CliScratch(const std::string& name) { return FreshDir("cli_test_" + name); }

/// Runs the binary with `args` (each quoted) after the environment assignments `env`; stdout and
/// stderr go to `dir`/stdout.txt and `dir`/stderr.txt. Returns the exit code (-1 if it did not exit).
inline int Gauntlet(const std::vector<std::string>& args, const std::string& dir,
                    const std::vector<std::string>& env = {}) {
  std::string command;
  for (const auto& e : env) command += e + " ";
  command += kBinary;
  for (const auto& a : args) command += " '" + a + "'";
  command += " >" + dir + "/stdout.txt 2>" + dir + "/stderr.txt";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace gauntlet::test
