// The `gauntlet` dispatcher (app/main.cc) on the real binary: the exit codes of the command-line
// contract (docs/architecture.md, "The command line") for a missing or unknown command, a mistyped
// option, a missing file, a valid check, a failing run and a bad shard.

#include <gtest/gtest.h>

#include <string>

#include "tests/app/gauntlet_cli.h"

namespace {

using gauntlet::test::Gauntlet;
using gauntlet::test::ReadFile;

const std::string kSuite = gauntlet::test::kBrakeSuite;

std::string Fresh(const std::string& name) { return gauntlet::test::CliScratch(name); }

TEST(MainTest, ExitCodesFollowTheContract) {
  const std::string dir = Fresh("codes");
  EXPECT_EQ(Gauntlet({}, dir), 2);
  EXPECT_EQ(Gauntlet({"frobnicate"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(Gauntlet({"run", kSuite, "--thread", "2"}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"), "gauntlet run: unknown option '--thread' (did you mean '--threads'?)\n");
  EXPECT_EQ(Gauntlet({"run", dir + "/missing.yaml"}, dir), 2);
  EXPECT_EQ(Gauntlet({"check", kSuite}, dir), 0);
  EXPECT_EQ(Gauntlet({"run", kSuite, "--out", dir + "/out", "--quiet"}, dir), 1);  // IDM fails some braking cases
  EXPECT_EQ(Gauntlet({"run", kSuite, "--shard-index", "4", "--shard-count", "4"}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"), "gauntlet run: shard index 4 (from --shard-index) is not in [0, 4)\n");
}

}  // namespace
