// `gauntlet history` end to end (#15): a file that is not a history database this gauntlet can read is
// an input error (exit 2), and a database of a newer schema is left exactly as it is.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/app/run_dir_test_util.h"

namespace {

namespace fs = std::filesystem;
using gauntlet::test::kSource;
using gauntlet::test::ReadFile;
using gauntlet::test::RunGauntlet;

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(HistoryCommandTest, WhatIsNotAHistoryDatabaseIsAnInputError) {
  const std::string dir = gauntlet::test::FreshDir("history_command_test");
  {
    std::ofstream(dir + "/notadb") << "just some text, long enough to be taken for a header of a database file\n";
  }
  fs::create_directories(dir + "/folder.db");
  Sql(dir + "/other.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
  for (const std::string& db : {dir + "/notadb", dir + "/folder.db", dir + "/other.db", dir + "/missing.db"}) {
    EXPECT_EQ(RunGauntlet({"history", "--db", db}, dir), 2) << db << ": " << ReadFile(dir + "/stderr.txt");
    EXPECT_NE(ReadFile(dir + "/stderr.txt").find("error: "), std::string::npos) << ReadFile(dir + "/stderr.txt");
  }

  // a database of a newer schema: refused by history and by run --db, never written or reset
  const std::string suite = kSource + "/tests/scenarios/testdata/brake_suite.yaml";
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--quiet", "--db", dir + "/h.db"}, dir), 1)
      << ReadFile(dir + "/stderr.txt");
  ASSERT_EQ(RunGauntlet({"history", "--db", dir + "/h.db"}, dir), 0) << ReadFile(dir + "/stderr.txt");
  Sql(dir + "/h.db", "PRAGMA user_version = 99");
  const std::string before = ReadFile(dir + "/h.db");
  EXPECT_EQ(RunGauntlet({"history", "--db", dir + "/h.db"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("schema version 99, newer than this gauntlet's (3)"), std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out2", "--quiet", "--db", dir + "/h.db"}, dir), 2);
  EXPECT_FALSE(fs::exists(dir + "/out2/results.jsonl"));
  EXPECT_EQ(ReadFile(dir + "/h.db"), before);
}

}  // namespace
