#include "history/run_history.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "scenarios/campaign.h"

namespace gauntlet::history {
namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

InstanceResult Make(size_t index, double no_collision, InstanceStatus status = InstanceStatus::kCompleted) {
  InstanceResult r;
  r.family = "lead_brake@acc";
  r.index = index;
  r.plan_index = index;
  r.parameters = {{"gap", 10.0 + static_cast<double>(index)}};
  r.id = scenarios::MakeInstanceId(r.family, index, r.parameters);
  r.origin = "random";
  r.seed = 99 + index;
  r.status = status;
  if (status == InstanceStatus::kCompleted) {
    r.requirements.push_back({.name = "no_collision", .satisfied = no_collision >= 0, .robustness = no_collision});
    r.requirements.push_back({.name = "comfort", .gating = false, .satisfied = true, .robustness = 1.0});
  }
  return r;
}

/// A nightly-style run of 4 instances, the first `failing` of them failing.
std::vector<InstanceResult> Night(size_t failing) {
  std::vector<InstanceResult> out;
  for (size_t i = 0; i < 4; ++i) out.push_back(Make(i, i < failing ? -0.5 * static_cast<double>(i + 1) : 2.0));
  return out;
}

class RunHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "run_history_test_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = dir_ + "/history.db";
  }
  int64_t Record(const std::vector<InstanceResult>& results, const std::string& suite = "nightly",
                 const std::string& time = "2026-11-27T01:00:00Z") {
    reports::RunInfo info;
    info.suite_name = suite;
    info.suite_path = "suite.yaml";
    info.seed = 42;
    info.out_dir = "out";
    info.models = {{"acc", "zoo/acc_good.onnx"}};
    const reports::RunSummary summary = reports::Summarize(results, info);
    RunRecord record{time, "fnv1a64:0123456789abcdef", {{"acc", "fnv1a64:00000000000000ff"}}, "0.1.0 test"};
    return RecordRun(db_, record, summary, results);
  }
  int64_t Count(const char* table) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    const int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  }
  std::string dir_, db_;
};

TEST_F(RunHistoryTest, ThreeNightlyRunsShowTheirTrendAndTheChangedInstances) {
  EXPECT_EQ(Record(Night(0), "nightly", "2026-11-25T01:00:00Z"), 1);
  EXPECT_EQ(Record(Night(1), "nightly", "2026-11-26T01:00:00Z"), 2);
  EXPECT_EQ(Record(Night(1), "other"), 3);  // another suite: not in the trend
  EXPECT_EQ(Record(Night(3), "nightly", "2026-11-27T01:00:00Z"), 4);
  EXPECT_EQ(Count("runs"), 4);
  EXPECT_EQ(Count("results"), 16);
  EXPECT_EQ(Count("requirement_aggregates"), 8);

  const TrendTable trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 3u);
  EXPECT_EQ(trends.runs[0].id, 1);
  EXPECT_EQ(trends.runs[2].id, 4);
  EXPECT_EQ(trends.runs[2].failed, 3u);
  ASSERT_EQ(trends.trends.size(), 2u);
  const Trend& t = trends.trends[0];
  EXPECT_EQ(t.family, "lead_brake@acc");
  EXPECT_EQ(t.requirement, "no_collision");
  ASSERT_EQ(t.points.size(), 3u);
  EXPECT_EQ(t.points[0]->failed, 0u);
  EXPECT_EQ(t.points[1]->failed, 1u);
  EXPECT_EQ(t.points[2]->failed, 3u);
  EXPECT_DOUBLE_EQ(t.points[2]->worst_robustness, -1.5);
  EXPECT_FALSE(trends.trends[1].gating);

  const ChangeSet changes = QueryChangedInstances(db_);
  ASSERT_TRUE(changes.before && changes.after);
  EXPECT_EQ(changes.before->id, 2);
  EXPECT_EQ(changes.after->id, 4);
  ASSERT_EQ(changes.changes.size(), 2u);
  EXPECT_EQ(changes.changes[0].id, "lead_brake@acc#1 gap=11");
  EXPECT_EQ(changes.changes[0].before, "passed");
  EXPECT_EQ(changes.changes[0].after, "failed");

  const std::string text = HistoryText(trends, changes);
  EXPECT_NE(text.find("history of suite 'nightly': the last 3 runs, oldest first\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  run 4  2026-11-27T01:00:00Z  3 failed / 4 instances  0.1.0 test\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lead_brake@acc  no_collision        0/4     1/4     3/4     -1.5        worse\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("comfort (advisory)  0/4     0/4     0/4     1           same\n"), std::string::npos) << text;
  EXPECT_NE(text.find("changed verdicts between run 2 and run 4: 2\n  lead_brake@acc#1 gap=11: passed -> failed\n"
                      "  lead_brake@acc#2 gap=12: passed -> failed\n"),
            std::string::npos)
      << text;

  // the last two only, and another suite by name
  EXPECT_EQ(QueryTrends(db_, 2).runs.front().id, 2);
  EXPECT_EQ(QueryTrends(db_, 10, "other").runs.size(), 1u);
  EXPECT_FALSE(QueryChangedInstances(db_, "other").before.has_value());
}

/// The schema of version 1 (before run labels), as gauntlet wrote it then.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, time_utc TEXT NOT NULL, suite_name TEXT NOT NULL,
  suite_path TEXT NOT NULL, suite_hash TEXT NOT NULL, model_hashes TEXT NOT NULL, models TEXT NOT NULL,
  tool_version TEXT NOT NULL, seed INTEGER NOT NULL, out_dir TEXT NOT NULL, complete INTEGER NOT NULL,
  instances INTEGER NOT NULL, passed INTEGER NOT NULL, failed INTEGER NOT NULL, invalid INTEGER NOT NULL,
  errors INTEGER NOT NULL);
CREATE INDEX runs_by_suite ON runs(suite_name, id);
CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id), plan_index INTEGER NOT NULL,
  family TEXT NOT NULL, instance_index INTEGER NOT NULL, instance_id TEXT NOT NULL, origin TEXT NOT NULL,
  verdict TEXT NOT NULL, worst_robustness REAL, result_json TEXT NOT NULL, PRIMARY KEY(run_id, plan_index));
CREATE INDEX results_by_id ON results(run_id, instance_id);
CREATE TABLE family_aggregates(run_id INTEGER NOT NULL REFERENCES runs(id), family TEXT NOT NULL,
  instances INTEGER NOT NULL, passed INTEGER NOT NULL, failed INTEGER NOT NULL, invalid INTEGER NOT NULL,
  errors INTEGER NOT NULL, PRIMARY KEY(run_id, family));
CREATE TABLE requirement_aggregates(run_id INTEGER NOT NULL REFERENCES runs(id), family TEXT NOT NULL,
  requirement TEXT NOT NULL, gating INTEGER NOT NULL, evaluated INTEGER NOT NULL, passed INTEGER NOT NULL,
  failed INTEGER NOT NULL, worst_robustness REAL, worst_instance TEXT NOT NULL, failure_rate_lo REAL NOT NULL,
  failure_rate_hi REAL NOT NULL, PRIMARY KEY(run_id, family, requirement));
INSERT INTO runs VALUES(1, '2026-11-01T01:00:00Z', 'nightly', 'suite.yaml', 'fnv1a64:0123456789abcdef',
  '{"acc":"fnv1a64:00000000000000aa"}', '{"acc":"zoo/acc_good.onnx"}', '0.0.9', 42, 'out', 1, 4, 4, 0, 0, 0);
INSERT INTO requirement_aggregates VALUES(1, 'lead_brake@acc', 'no_collision', 1, 4, 4, 0, 2.0, 'x', 0.0, 0.6);
PRAGMA user_version = 1;
)sql";

int64_t UserVersion(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  const int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST_F(RunHistoryTest, AVersionOneDatabaseIsReadAndMigratedToLabels) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, kSchemaV1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  // read as it is (reading never writes): unlabelled
  TrendTable trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 1u);
  EXPECT_EQ(trends.runs[0].label, "");
  EXPECT_EQ(trends.runs[0].model_hashes, (std::vector<std::pair<std::string, std::string>>{{"acc", "fnv1a64:00000000000000aa"}}));
  EXPECT_EQ(UserVersion(db_), 1);
  // the next record migrates it, keeps the old run and stores the new run's label
  reports::RunInfo info;
  info.suite_name = "nightly";
  const std::vector<InstanceResult> night = Night(1);
  RunRecord record{"2026-11-02T01:00:00Z", "fnv1a64:0123456789abcdef", {{"acc", "fnv1a64:00000000000000bb"}}, "0.1.0",
                   "commit 1a2b3c"};
  EXPECT_EQ(RecordRun(db_, record, reports::Summarize(night, info), night), 2);
  EXPECT_EQ(UserVersion(db_), 3);
  trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 2u);
  EXPECT_EQ(trends.runs[0].label, "");
  EXPECT_EQ(trends.runs[0].tool_version, "0.0.9");
  EXPECT_EQ(trends.runs[1].label, "commit 1a2b3c");
  ASSERT_EQ(trends.trends.size(), 2u);
  ASSERT_TRUE(trends.trends[0].points[0] && trends.trends[0].points[1]);
  EXPECT_DOUBLE_EQ(trends.trends[0].points[0]->failure_rate_hi, 0.6);
  EXPECT_EQ(trends.trends[0].points[1]->failed, 1u);
  EXPECT_NE(HistoryText(trends, QueryChangedInstances(db_)).find("  0.1.0  [commit 1a2b3c]\n"), std::string::npos);
  // a second migration is a no-op
  EXPECT_EQ(RecordRun(db_, record, reports::Summarize(night, info), night), 3);
  EXPECT_EQ(UserVersion(db_), 3);
}

/// Instance `index` with its gating requirement undecided after an early stop (robustness in [-1, 0.5]).
InstanceResult Undecided(size_t index) {
  InstanceResult r = Make(index, -1.0);
  r.requirements[0].inconclusive = true;
  r.requirements[0].robustness_bounds = std::pair{-1.0, 0.5};
  return r;
}

int64_t Column(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW) << sql;
  const int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST_F(RunHistoryTest, InconclusiveInstancesAreRecordedApartFromTheFailures) {
  // a run whose instances are all inconclusive: 0 failed, and yet a failing run (exit 1)
  std::vector<InstanceResult> run = {Undecided(0), Undecided(1), Make(2, 2.0)};
  reports::RunInfo info;
  info.suite_name = "nightly";
  const reports::RunSummary summary = reports::Summarize(run, info);
  ASSERT_EQ(summary.failed, 0u);
  ASSERT_EQ(summary.inconclusive, 2u);
  ASSERT_EQ(summary.ExitCode(), 1);
  Record(run);
  Record(Night(1), "nightly", "2026-11-28T01:00:00Z");
  const TrendTable trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 2u);
  EXPECT_EQ(trends.runs[0].failed, 0u);
  EXPECT_EQ(trends.runs[0].inconclusive, 2u);
  EXPECT_EQ(trends.runs[1].failed, 1u);
  EXPECT_EQ(trends.runs[1].inconclusive, 0u);
  const std::string text = HistoryText(trends, QueryChangedInstances(db_));
  EXPECT_NE(text.find("  run 1  2026-11-27T01:00:00Z  0 failed, 2 inconclusive / 3 instances  0.1.0 test\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  run 2  2026-11-28T01:00:00Z  1 failed / 4 instances  0.1.0 test\n"), std::string::npos)
      << text;
  // the aggregates of the family and of its gating requirement carry the count too
  EXPECT_EQ(Column(db_, "SELECT inconclusive FROM family_aggregates WHERE run_id = 1"), 2);
  EXPECT_EQ(Column(db_, "SELECT inconclusive FROM requirement_aggregates WHERE run_id = 1 AND "
                        "requirement = 'no_collision'"),
            static_cast<int64_t>(summary.families[0].requirements[0].inconclusive));
  // each such instance is recorded as inconclusive, not as failed, like the run's counts
  EXPECT_EQ(Column(db_, "SELECT COUNT(*) FROM results WHERE run_id = 1 AND verdict = 'inconclusive'"), 2);
  EXPECT_EQ(Column(db_, "SELECT COUNT(*) FROM results WHERE run_id = 1 AND verdict = 'failed'"), 0);
  EXPECT_EQ(Column(db_, "SELECT COUNT(*) FROM results WHERE run_id = 1 AND verdict = 'passed'"), 1);
}

TEST_F(RunHistoryTest, AVersionTwoDatabaseIsReadAndMigratedToInconclusiveCounts) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, kSchemaV1, nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE runs ADD COLUMN label TEXT NOT NULL DEFAULT 'old'; PRAGMA user_version = 2;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  // read as it is: no inconclusive count recorded
  TrendTable trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 1u);
  EXPECT_EQ(trends.runs[0].label, "old");
  EXPECT_EQ(trends.runs[0].inconclusive, 0u);
  EXPECT_EQ(UserVersion(db_), 2);
  // the next record migrates it (the old run counts 0) and stores the new run's count
  Record({Undecided(0), Make(1, 2.0)}, "nightly", "2026-11-02T01:00:00Z");
  EXPECT_EQ(UserVersion(db_), 3);
  trends = QueryTrends(db_, 10);
  ASSERT_EQ(trends.runs.size(), 2u);
  EXPECT_EQ(trends.runs[0].label, "old");
  EXPECT_EQ(trends.runs[0].inconclusive, 0u);
  EXPECT_EQ(trends.runs[1].inconclusive, 1u);
  EXPECT_EQ(trends.runs[1].failed, 0u);
}

TEST_F(RunHistoryTest, FiguresForPeopleHaveFourSignificantDigits) {
  EXPECT_EQ(FormatFigure(-1.2345678901234567), "-1.235");
  EXPECT_EQ(FormatFigure(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatFigure(123456.0), "1.235e+05");
  EXPECT_EQ(FormatFigure(INFINITY), "inf");
  EXPECT_EQ(FormatFigure(NAN), "-");
  EXPECT_EQ(FormatFigure(0.0), "0");
}

TEST_F(RunHistoryTest, InstancesThatAppearVanishOrError) {
  Record(Night(0));
  auto next = Night(0);
  next.pop_back();
  next[0] = Make(0, 0, InstanceStatus::kError);
  next.push_back(Make(7, 1.0));
  next.back().plan_index = 3;
  Record(next);
  const ChangeSet changes = QueryChangedInstances(db_);
  ASSERT_EQ(changes.changes.size(), 3u);
  EXPECT_EQ(changes.changes[0].after, "error");
  EXPECT_EQ(changes.changes[1].before, "absent");
  EXPECT_EQ(changes.changes[2].id, "lead_brake@acc#3 gap=13");
  EXPECT_EQ(changes.changes[2].after, "absent");
}

TEST_F(RunHistoryTest, AFailedRecordLeavesNothingBehind) {
  Record(Night(1));
  auto broken = Night(2);
  broken[3].plan_index = 0;  // a duplicate key: the insert fails in the middle of the run
  EXPECT_THROW(Record(broken), core::InfrastructureError);
  EXPECT_EQ(Count("runs"), 1);
  EXPECT_EQ(Count("results"), 4);
  EXPECT_EQ(Count("family_aggregates"), 1);
}

TEST_F(RunHistoryTest, StreamingFromResultsJsonlMatchesTheVector) {
  const auto results = Night(2);
  const std::string path = dir_ + "/results.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (const auto& r : results) out << scenarios::ToJsonLine(r) << "\n";
  }
  reports::RunInfo info;
  info.suite_name = "nightly";
  const reports::RunSummary summary = reports::Summarize(results, info);
  RecordRunFromFile(db_, {"2026-11-27T01:00:00Z", "h", {}, "v"}, summary, path);
  RecordRun(db_, {"2026-11-27T02:00:00Z", "h", {}, "v"}, summary, results);
  EXPECT_EQ(Count("results"), 8);
  EXPECT_TRUE(QueryChangedInstances(db_).changes.empty());
  // a cut line: an input error, and nothing of that run is written
  std::ofstream(path, std::ios::app) << "{\"id\":\"cut";
  EXPECT_THROW(RecordRunFromFile(db_, {"t", "h", {}, "v"}, summary, path), core::InputError);
  EXPECT_EQ(Count("runs"), 2);
  EXPECT_EQ(Count("results"), 8);
}

TEST_F(RunHistoryTest, MissingDatabaseAndHashes) {
  try {
    (void)QueryTrends(dir_ + "/none.db", 5);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir_ + "/none.db: error: no history database here (record runs with `gauntlet run --db FILE`)");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none.db"));
  EXPECT_THROW((void)HashFile(dir_ + "/none"), core::InfrastructureError);
  // FNV-1a 64 of "a" is af63dc4c8601ec8c
  std::FILE* f = std::fopen((dir_ + "/a.txt").c_str(), "wb");
  std::fputs("a", f);
  std::fclose(f);
  EXPECT_EQ(HashFile(dir_ + "/a.txt"), "fnv1a64:af63dc4c8601ec8c");
}

TEST_F(RunHistoryTest, RunRecordOfARealSuite) {
  const scenarios::Suite suite = scenarios::LoadSuite(GAUNTLET_SOURCE_DIR "/tests/gate/testdata/gate_suite.yaml");
  const RunRecord record = MakeRunRecord(suite, "0.1.0");
  EXPECT_EQ(record.time_utc.size(), 20u);
  EXPECT_EQ(record.suite_hash.rfind("fnv1a64:", 0), 0u);
  ASSERT_EQ(record.model_hashes.size(), 2u);
  EXPECT_EQ(record.model_hashes[0].first, "acc");
  EXPECT_EQ(record.model_hashes[0].second, HashFile(GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx"));
  EXPECT_EQ(record.model_hashes[1].second, "builtin:idm");
  EXPECT_EQ(MakeRunRecord(suite, "0.1.0").suite_hash, record.suite_hash);
}

// Three nightly-style runs of a real suite: good model, flawed model, good model again.
TEST_F(RunHistoryTest, ThreeRealRunsOfTheZooModels) {
  const std::string suite_path = GAUNTLET_SOURCE_DIR "/tests/gate/testdata/gate_suite.yaml";
  const char* models[] = {"acc_good.onnx", "acc_flawed.onnx", "acc_good.onnx"};
  std::vector<size_t> failed;
  for (const char* model : models) {
    const scenarios::Suite suite =
        scenarios::LoadSuite(suite_path, {{"acc", std::string(GAUNTLET_SOURCE_DIR "/zoo/") + model}});
    const scenarios::CampaignOutcome outcome = scenarios::RunCampaign(suite, {.threads = 2});
    reports::RunInfo info;
    info.suite_name = suite.name;
    info.suite_path = suite_path;
    info.seed = suite.seed;
    for (const auto& [slot, m] : suite.models) info.models.emplace_back(slot, m.source);
    const reports::RunSummary summary = reports::Summarize(outcome.results, info);
    failed.push_back(summary.failed);
    RecordRun(db_, MakeRunRecord(suite, "test"), summary, outcome.results);
  }
  const TrendTable trends = QueryTrends(db_, 3);
  ASSERT_EQ(trends.runs.size(), 3u);
  EXPECT_EQ(trends.runs[0].suite_hash, trends.runs[2].suite_hash);
  ASSERT_GT(failed[1], failed[0]);
  EXPECT_EQ(failed[2], failed[0]);
  // the family driven by the model got worse, then back; the built-in one did not move
  for (const Trend& t : trends.trends) {
    ASSERT_EQ(t.points.size(), 3u);
    if (t.family == "lead_brake_short@idm") {
      EXPECT_EQ(t.points[0]->failed, t.points[1]->failed);
    }
    if (t.family == "lead_brake_short@acc" && t.requirement == "safe_gap") {
      EXPECT_GT(t.points[1]->failed, t.points[0]->failed);
      EXPECT_EQ(t.points[2]->failed, t.points[0]->failed);
    }
  }
  // the last two runs differ by exactly the instances the flaw breaks, back to passing
  const ChangeSet changes = QueryChangedInstances(db_);
  ASSERT_FALSE(changes.changes.empty());
  for (const VerdictChange& c : changes.changes) {
    EXPECT_EQ(c.family, "lead_brake_short@acc") << c.id;
    EXPECT_EQ(c.after, "passed") << c.id;
  }
  const std::string text = HistoryText(trends, changes);
  EXPECT_NE(text.find("history of suite 'gate_test': the last 3 runs"), std::string::npos) << text;
}

}  // namespace
}  // namespace gauntlet::history
