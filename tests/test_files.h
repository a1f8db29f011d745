#pragma once
// What the tests share for files: reading one whole, and scratch folders that are private to the test
// process (`<tmp>/gauntlet_<name>_<pid>`), so that the tests of two build directories running at the
// same time (a release and a sanitizer build, say) never write into each other's folders.
//
//   const std::string dir = gauntlet::test::FreshDir("cli_merge");   // exists and is empty
//   EXPECT_EQ(gauntlet::test::ReadFile(dir + "/results.jsonl"), expected);

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gauntlet::test {

/// The whole file, bytes as they are; empty if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `<tmp>/gauntlet_<name>_<pid>`, removed if it exists (not created).
inline std::string ScratchPath(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gauntlet_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

/// ScratchPath(name), created empty.
inline std::string FreshDir(const std::string& name) {
  const std::string dir = ScratchPath(name);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace gauntlet::test
