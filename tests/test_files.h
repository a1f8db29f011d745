#pragma once
// What the tests share for files: reading one whole, and scratch folders that are private to the test
// process (`<tmp>/gauntlet_<name>_<pid>`), so that the tests of two build directories running at the
// same time (a release and a sanitizer build, say) never write into each other's folders. They are
// removed when the test process exits.
//
//   const std::string dir = gauntlet::test::FreshDir("cli_merge");   // exists and is empty
//   EXPECT_EQ(gauntlet::test::ReadFile(dir + "/results.jsonl"), expected);
//   const std::string path = gauntlet::test::WriteUnder(dir, "catalogs/roads.yaml", text);
//   EXPECT_EQ(gauntlet::test::InputErrors([&] { CheckFile(path); }, dir + "/", ""), "roads.yaml:3:1: error: ...");

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.h"

namespace gauntlet::test {

/// The whole file, bytes as they are; empty if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The scratch folders this process made; removed when it exits normally (a test's files are in the
/// test log when it fails). A forked child ends with _exit and removes nothing; the pid check makes
/// sure of it.
class ScratchFolders {
 public:
  static ScratchFolders& Get() {
    static ScratchFolders folders;
    return folders;
  }
  void Add(const std::filesystem::path& dir) { dirs_.push_back(dir); }
  ScratchFolders(const ScratchFolders&) = delete;
  ScratchFolders& operator=(const ScratchFolders&) = delete;
  ~ScratchFolders() {
    if (::getpid() != owner_) return;
    std::error_code ec;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ec);
  }

 private:
  ScratchFolders() = default;
  pid_t owner_ = ::getpid();
  std::vector<std::filesystem::path> dirs_;
};

/// `<tmp>/gauntlet_<name>_<pid>`, removed if it exists (not created); removed again at exit.
inline std::string ScratchPath(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gauntlet_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ScratchFolders::Get().Add(dir);
  return dir.string();
}

/// ScratchPath(name), created empty.
inline std::string FreshDir(const std::string& name) {
  const std::string dir = ScratchPath(name);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Writes `text` to `relative` under `dir` (its folders made, bytes as they are); returns the path.
inline std::string WriteUnder(const std::filesystem::path& dir, const std::string& relative, const std::string& text) {
  const std::filesystem::path path = dir / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

/// The message of the core::InputError `check()` throws, each `folder` in it shown as `shown` (scratch
/// folders differ between machines; "" : as it is), or "ok" when it throws none.
template <class Check>
std::string InputErrors(const Check& check, const std::string& folder = "", const std::string& shown = "") {
  try {
    check();
  } catch (const core::InputError& e) {
    std::string text = e.what();
    if (folder.empty()) return text;
    for (size_t at = text.find(folder); at != std::string::npos; at = text.find(folder, at + shown.size())) {
      text.replace(at, folder.size(), shown);
    }
    return text;
  }
  return "ok";
}

}  // namespace gauntlet::test
