#include "core/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "tests/test_files.h"

namespace gauntlet::core {
namespace {

namespace fs = std::filesystem;

const std::string& Dir() {
  static const std::string dir = test::FreshDir("input_file_test");
  return dir;
}

/// The message of the InputError ReadInputFile throws, or "ok: <content>".
std::string Read(const std::string& path, InputKind kind = InputKind::kYaml) {
  try {
    return "ok: " + ReadInputFile(path, kind);
  } catch (const InputError& e) {
    return e.what();
  }
}

TEST(InputFileTest, ReadsARegularFileAndALinkToOne) {
  const std::string path = Dir() + "/a.yaml";
  std::ofstream(path) << "scenario: x\n";
  EXPECT_EQ(Read(path), "ok: scenario: x\n");
  fs::create_symlink(path, Dir() + "/link.yaml");
  EXPECT_EQ(Read(Dir() + "/link.yaml"), "ok: scenario: x\n");
}

TEST(InputFileTest, AMissingFileKeepsTheCallersMessage) {
  EXPECT_EQ(Read(Dir() + "/none.yaml"), Dir() + "/none.yaml: error: cannot read the file");
  try {
    (void)ReadInputFile(Dir() + "/none.csv", InputKind::kCsv, "cannot open trace file");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), Dir() + "/none.csv: error: cannot open trace file");
  }
}

TEST(InputFileTest, ADirectoryIsRefused) {
  fs::create_directories(Dir() + "/folder.yaml");
  EXPECT_EQ(Read(Dir() + "/folder.yaml"),
            Dir() + "/folder.yaml: error: cannot read the file: it is a directory, not a file");
}

TEST(InputFileTest, AFifoIsRefusedWithoutBlocking) {
  const std::string path = Dir() + "/pipe.csv";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(Read(path, InputKind::kCsv),
            path + ": error: cannot read the file: it is a FIFO (named pipe), not a regular file");
  EXPECT_EQ(InputFileProblem(path, InputKind::kCsv), "is a FIFO (named pipe), not a regular file");
}

TEST(InputFileTest, ALinkToADeviceIsRefused) {
  const std::string path = Dir() + "/zero.onnx";
  fs::create_symlink("/dev/zero", path);
  EXPECT_EQ(Read(path, InputKind::kModel), path + ": error: cannot read the file: it is a device, not a regular file");
  EXPECT_EQ(InputFileProblem("/dev/zero", InputKind::kYaml), "is a device, not a regular file");
}

TEST(InputFileTest, AFileOverTheLimitOfItsKindIsRefused) {
  const std::string path = Dir() + "/big.json";
  {
    std::ofstream out(path);
    out << std::string(InputSizeLimit(InputKind::kManifest) + 1, ' ');
  }
  EXPECT_EQ(Read(path, InputKind::kManifest),
            path + ": error: cannot read the file: it is 1048577 bytes, more than the limit of 1048576 bytes for a "
                   "run manifest");
  EXPECT_EQ(Read(path, InputKind::kYaml).substr(0, 4), "ok: ");
}

TEST(InputFileTest, TheLimitsAreTheDocumentedOnes) {
  EXPECT_EQ(InputSizeLimit(InputKind::kYaml), 16u << 20);
  EXPECT_EQ(InputSizeLimit(InputKind::kCsv), 1u << 30);
  EXPECT_EQ(InputSizeLimit(InputKind::kModel), 2ull << 30);
  EXPECT_EQ(InputSizeLimit(InputKind::kExternalData), 2ull << 30);
  EXPECT_EQ(InputSizeLimit(InputKind::kVnnlib), 64u << 20);
  EXPECT_EQ(InputSizeLimit(InputKind::kResults), 4ull << 30);
  EXPECT_EQ(InputSizeLimit(InputKind::kManifest), 1u << 20);
  EXPECT_EQ(InputSizeLimit(InputKind::kXml), 256u << 20);
}

TEST(InputFileTest, AnXmlFileOverItsLimitIsNamedAsXml) {
  const std::string path = Dir() + "/city.xodr";
  {
    std::ofstream out(path);
  }
  fs::resize_file(path, (256u << 20) + 1);  // sparse: refused on its size before anything is read
  EXPECT_EQ(Read(path, InputKind::kXml),
            path + ": error: cannot read the file: it is 268435457 bytes, more than the limit of 268435456 bytes for an "
                   "XML file");
  EXPECT_EQ(InputFileProblem(path, InputKind::kXml),
            "is 268435457 bytes, more than the limit of 268435456 bytes for an XML file");
  EXPECT_EQ(InputKindName(InputKind::kXml), "XML file");
}

TEST(InputFileTest, CheckInputFileRefusesWhatReadInputFileRefuses) {
  fs::create_directories(Dir() + "/dir");
  EXPECT_THROW(CheckInputFile(Dir() + "/dir", InputKind::kResults), InputError);
  EXPECT_THROW(CheckInputFile(Dir() + "/missing", InputKind::kResults), InputError);
  const std::string path = Dir() + "/ok.jsonl";
  std::ofstream(path) << "{}\n";
  EXPECT_NO_THROW(CheckInputFile(path, InputKind::kResults));
}

}  // namespace
}  // namespace gauntlet::core
