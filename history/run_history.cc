#include "history/run_history.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"

namespace gauntlet::history {

namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_utc TEXT NOT NULL,
  suite_name TEXT NOT NULL,
  suite_path TEXT NOT NULL,
  suite_hash TEXT NOT NULL,
  model_hashes TEXT NOT NULL,
  models TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  seed INTEGER NOT NULL,
  out_dir TEXT NOT NULL,
  complete INTEGER NOT NULL,
  instances INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  inconclusive INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS runs_by_suite ON runs(suite_name, id);
CREATE TABLE IF NOT EXISTS results(
  run_id INTEGER NOT NULL REFERENCES runs(id),
  plan_index INTEGER NOT NULL,
  family TEXT NOT NULL,
  instance_index INTEGER NOT NULL,
  instance_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  verdict TEXT NOT NULL,
  worst_robustness REAL,
  result_json TEXT NOT NULL,
  PRIMARY KEY(run_id, plan_index));
CREATE INDEX IF NOT EXISTS results_by_id ON results(run_id, instance_id);
CREATE TABLE IF NOT EXISTS family_aggregates(
  run_id INTEGER NOT NULL REFERENCES runs(id),
  family TEXT NOT NULL,
  instances INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  inconclusive INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_id, family));
CREATE TABLE IF NOT EXISTS requirement_aggregates(
  run_id INTEGER NOT NULL REFERENCES runs(id),
  family TEXT NOT NULL,
  requirement TEXT NOT NULL,
  gating INTEGER NOT NULL,
  evaluated INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  worst_robustness REAL,
  worst_instance TEXT NOT NULL,
  failure_rate_lo REAL NOT NULL,
  failure_rate_hi REAL NOT NULL,
  inconclusive INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_id, family, requirement));
PRAGMA user_version = 3;  -- kSchemaVersion
)sql";

/// The schema version this build writes and reads (PRAGMA user_version). Versions 1 (before run labels)
/// and 2 (before the inconclusive counts) are migrated on the next write. A database of a higher version
/// was written by a newer gauntlet: it is neither read nor written, never reset.
constexpr int kSchemaVersion = 3;

/// True when this process may write `path` and its mode grants writing to someone: a file or folder
/// made read-only with chmod counts as read-only even for root, who could write it anyway.
bool Writable(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (st.st_mode & 0222) != 0 && ::access(path.c_str(), W_OK) == 0;
}

/// The folder of a database file, where SQLite writes its journal.
std::filesystem::path FolderOf(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

/// Throws core::InputError unless a database file can be written at `path` (SQLite writes a journal
/// next to it: the folder must be writable too).
void CheckFolderWritable(const std::string& path, bool exists) {
  std::error_code ec;
  if (!std::filesystem::is_directory(FolderOf(path), ec)) {
    throw core::InputError({path, 0, 0}, "cannot write the history database: the folder " + FolderOf(path).string() +
                                             " does not exist");
  }
  if (!Writable(FolderOf(path)) || (exists && !Writable(path))) {
    throw core::InputError({path, 0, 0}, "cannot write the history database: " +
                                             std::string(exists && !Writable(path) ? "the file" : "its folder") +
                                             " is read-only");
  }
}

/// An open database, closed on destruction. Opening checks that the file is a gauntlet history
/// database this build understands (or an empty file), and for writing that it can be written:
/// every other file is a core::InputError, before anything is read or written.
class Db {
 public:
  Db(const std::string& path, bool write) : path_(path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (!write && !exists)
      throw core::InputError({path, 0, 0}, "no history database here (record runs with `gauntlet run --db FILE`)");
    if (exists && !fs::is_regular_file(path, ec)) {
      throw core::InputError({path, 0, 0}, "not a history database: not a regular file (a directory?)");
    }
    if (write) CheckFolderWritable(path, exists);
    const int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    // the destructor does not run when the constructor throws: close the connection on every error
    try {
      if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        throw core::InputError({path, 0, 0}, std::string("cannot open the history database: ") +
                                                 (db_ ? sqlite3_errmsg(db_) : "out of memory"));
      }
      sqlite3_busy_timeout(db_, 30000);
      if (write && sqlite3_db_readonly(db_, "main") == 1) {
        throw core::InputError({path, 0, 0}, "cannot write the history database: it is read-only");
      }
      CheckSchema();
    } catch (...) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw core::InfrastructureError(path_ + ": " + text);
    }
  }
  [[noreturn]] void Fail(const std::string& what) const {
    throw core::InfrastructureError(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3* get() const { return db_; }
  bool HasTable(const char* name);

 private:
  /// Throws core::InputError unless the database is one of ours, of a version this build knows.
  void CheckSchema();

  std::string path_;
  sqlite3* db_ = nullptr;
};

/// A prepared statement with positional binding.
class Statement {
 public:
  Statement(Db* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db->get(), sql, -1, &stmt_, nullptr) != SQLITE_OK) db->Fail("cannot prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, size_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& BindReal(int i, std::optional<double> v) {
    if (v && !std::isnan(*v)) {
      sqlite3_bind_double(stmt_, i, *v);
    } else {
      sqlite3_bind_null(stmt_, i);
    }
    return *this;
  }
  /// Runs a statement that returns no rows, then resets it for the next bindings.
  void Run() {
    if (sqlite3_step(stmt_) != SQLITE_DONE) db_->Fail("cannot write");
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  /// Steps to the next row; false at the end.
  bool Next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_->Fail("cannot read");
    return false;
  }
  [[nodiscard]] int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  [[nodiscard]] double Real(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt_, col);
  }

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void Db::CheckSchema() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) Fail("busy");
  if (rc != SQLITE_ROW) {
    throw core::InputError({path_, 0, 0}, std::string("not a history database: ") + sqlite3_errmsg(db_));
  }
  if (version > kSchemaVersion) {
    throw core::InputError({path_, 0, 0}, "the history database has schema version " + std::to_string(version) +
                                              ", newer than this gauntlet's (" + std::to_string(kSchemaVersion) +
                                              "): written by a newer gauntlet; it is left as it is (use that "
                                              "gauntlet or another --db)");
  }
  // version 0: a new (empty) database, or another program's
  if (version == 0) {
    Statement tables(this, "SELECT count(*) FROM sqlite_master");
    if (tables.Next() && tables.Int(0) > 0) {
      throw core::InputError({path_, 0, 0}, "not a history database: an SQLite database of another program (it "
                                            "has tables but no gauntlet schema version)");
    }
  }
}

bool Db::HasTable(const char* name) {
  Statement s(this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.Bind(1, std::string(name));
  return s.Next();
}

int64_t SchemaVersion(Db* db) {
  Statement s(db, "PRAGMA user_version");
  return s.Next() ? s.Int(0) : 0;
}

/// Brings an older database up to kSchemaVersion, in one transaction (v1 -> v2: runs.label; v2 -> v3: the
/// inconclusive counts of runs, families and requirements, 0 for the runs recorded before).
void Migrate(Db* db) {
  if (!db->HasTable("runs")) return;  // new: kSchema creates the current tables
  const int64_t version = SchemaVersion(db);
  if (version >= kSchemaVersion) return;
  db->Exec("BEGIN IMMEDIATE");
  try {
    if (SchemaVersion(db) < 2) {  // another process may have migrated it meanwhile
      db->Exec("ALTER TABLE runs ADD COLUMN label TEXT NOT NULL DEFAULT ''");
      db->Exec("PRAGMA user_version = 2");
    }
    if (SchemaVersion(db) < 3) {
      for (const char* table : {"runs", "family_aggregates", "requirement_aggregates"}) {
        db->Exec((std::string("ALTER TABLE ") + table + " ADD COLUMN inconclusive INTEGER NOT NULL DEFAULT 0").c_str());
      }
      db->Exec("PRAGMA user_version = 3");
    }
    db->Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::optional<double> WorstGatingRobustness(const InstanceResult& r) {
  std::optional<double> worst;
  if (r.status != InstanceStatus::kCompleted) return worst;
  for (const scenarios::RequirementOutcome& q : r.requirements)
    if (q.gating) worst = worst ? std::min(*worst, q.robustness) : q.robustness;
  return worst;
}

constexpr const char* kRunColumns =
    "id, time_utc, suite_name, suite_hash, tool_version, seed, complete, instances, passed, failed, invalid, errors, "
    "model_hashes";

RunRow ReadRun(const Statement& s) {
  RunRow r;
  r.id = s.Int(0);
  r.time_utc = s.Text(1);
  r.suite_name = s.Text(2);
  r.suite_hash = s.Text(3);
  r.tool_version = s.Text(4);
  r.seed = static_cast<uint64_t>(s.Int(5));
  r.complete = s.Int(6) != 0;
  r.instances = static_cast<size_t>(s.Int(7));
  r.passed = static_cast<size_t>(s.Int(8));
  r.failed = static_cast<size_t>(s.Int(9));
  r.invalid = static_cast<size_t>(s.Int(10));
  r.errors = static_cast<size_t>(s.Int(11));
  const nlohmann::ordered_json hashes = nlohmann::ordered_json::parse(s.Text(12), nullptr, false);
  if (hashes.is_object()) {
    for (const auto& [slot, hash] : hashes.items()) {
      if (hash.is_string()) r.model_hashes.emplace_back(slot, hash.get<std::string>());
    }
  }
  r.label = s.Text(13);
  r.inconclusive = static_cast<size_t>(s.Int(14));
  return r;
}

/// The last `n` runs of a suite ("" : the latest run's suite), oldest first.
std::vector<RunRow> LastRuns(Db* db, size_t n, std::string suite_name) {
  std::vector<RunRow> runs;
  if (!db->HasTable("runs")) return runs;
  if (suite_name.empty()) {
    Statement latest(db, "SELECT suite_name FROM runs ORDER BY id DESC LIMIT 1");
    if (!latest.Next()) return runs;
    suite_name = latest.Text(0);
  }
  // an older database (read-only here, so not migrated) has no labels (version 1) nor inconclusive counts
  const int64_t version = SchemaVersion(db);
  const std::string label = version >= 2 ? "label" : "''";
  const std::string inconclusive = version >= 3 ? "inconclusive" : "0";
  const std::string sql = std::string("SELECT ") + kRunColumns + ", " + label + ", " + inconclusive +
                          " FROM runs WHERE suite_name = ? ORDER BY id DESC LIMIT ?";
  Statement s(db, sql.c_str());
  s.Bind(1, suite_name).Bind(2, static_cast<int64_t>(n));
  while (s.Next()) runs.push_back(ReadRun(s));
  std::reverse(runs.begin(), runs.end());
  return runs;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

}  // namespace

std::string FormatFigure(double value) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return "0";
  return core::FormatSignificant(value, 4);
}

std::string HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InfrastructureError("cannot read '" + path + "' to hash it");
  uint64_t h = 14695981039346656037ull;
  char buffer[65536];
  while (in) {
    in.read(buffer, sizeof buffer);
    const std::streamsize got = in.gcount();
    for (std::streamsize i = 0; i < got; ++i) {
      h ^= static_cast<unsigned char>(buffer[i]);
      h *= 1099511628211ull;
    }
  }
  char out[32];
  std::snprintf(out, sizeof out, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return out;
}

RunRecord MakeRunRecord(const scenarios::Suite& suite, const std::string& tool_version) {
  RunRecord record;
  // the time, UTC
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char time_text[32];
  std::strftime(time_text, sizeof time_text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  record.time_utc = time_text;
  // the suite and its scenario files, in a fixed order
  std::set<std::string> files;
  for (const scenarios::Family& f : suite.families)
    if (f.scenario && !f.scenario->path.empty()) files.insert(f.scenario->path);
  std::string combined = suite.path.empty() ? "" : HashFile(suite.path);
  for (const std::string& file : files) combined += "," + HashFile(file);
  uint64_t h = 14695981039346656037ull;
  for (const char c : combined) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char hash[32];
  std::snprintf(hash, sizeof hash, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  record.suite_hash = hash;
  // the models
  for (const auto& [slot, model] : suite.models) {
    if (model.network && std::filesystem::exists(model.source)) {
      record.model_hashes.emplace_back(slot, HashFile(model.source));
    } else {
      record.model_hashes.emplace_back(slot, model.source);
    }
  }
  record.tool_version = tool_version;
  return record;
}

namespace {

/// Records a run whose results come from `for_each_result(insert)`.
int64_t RecordRunWith(const std::string& db_path, const RunRecord& record, const reports::RunSummary& summary,
                      const std::function<void(const std::function<void(const InstanceResult&)>&)>& for_each_result) {
  Db db(db_path, true);
  Migrate(&db);
  db.Exec(kSchema);
  db.Exec("BEGIN IMMEDIATE");
  try {
    // the run
    nlohmann::ordered_json model_hashes = nlohmann::ordered_json::object();
    for (const auto& [slot, hash] : record.model_hashes) model_hashes[slot] = hash;
    nlohmann::ordered_json models = nlohmann::ordered_json::object();
    for (const auto& [slot, source] : summary.info.models) models[slot] = source;
    Statement run(&db,
                  "INSERT INTO runs(time_utc, suite_name, suite_path, suite_hash, model_hashes, models, tool_version, "
                  "seed, out_dir, complete, instances, passed, failed, invalid, errors, label, inconclusive) "
                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    run.Bind(1, record.time_utc)
        .Bind(2, summary.info.suite_name)
        .Bind(3, summary.info.suite_path)
        .Bind(4, record.suite_hash)
        .Bind(5, model_hashes.dump())
        .Bind(6, models.dump())
        .Bind(7, record.tool_version)
        .Bind(8, static_cast<int64_t>(summary.info.seed))
        .Bind(9, summary.info.out_dir)
        .Bind(10, static_cast<int64_t>(summary.info.complete ? 1 : 0))
        .Bind(11, summary.instances)
        .Bind(12, summary.passed)
        .Bind(13, summary.failed)
        .Bind(14, summary.invalid)
        .Bind(15, summary.errors)
        .Bind(16, record.label)
        .Bind(17, summary.inconclusive);
    run.Run();
    const int64_t run_id = sqlite3_last_insert_rowid(db.get());

    // the results
    Statement result(&db,
                     "INSERT INTO results(run_id, plan_index, family, instance_index, instance_id, origin, verdict, "
                     "worst_robustness, result_json) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for_each_result([&](const InstanceResult& r) {
      result.Bind(1, run_id)
          .Bind(2, r.plan_index)
          .Bind(3, r.family)
          .Bind(4, r.index)
          .Bind(5, r.id)
          .Bind(6, r.origin)
          .Bind(7, std::string(r.VerdictName()))
          .BindReal(8, WorstGatingRobustness(r))
          .Bind(9, scenarios::ToJsonLine(r));
      result.Run();
    });

    // the aggregates
    Statement family(&db,
                     "INSERT INTO family_aggregates(run_id, family, instances, passed, failed, invalid, errors, "
                     "inconclusive) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    Statement requirement(&db,
                          "INSERT INTO requirement_aggregates(run_id, family, requirement, gating, evaluated, passed, "
                          "failed, worst_robustness, worst_instance, failure_rate_lo, failure_rate_hi, inconclusive) "
                          "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const reports::FamilySummary& f : summary.families) {
      family.Bind(1, run_id).Bind(2, f.family).Bind(3, f.instances).Bind(4, f.passed).Bind(5, f.failed);
      family.Bind(6, f.invalid).Bind(7, f.errors).Bind(8, f.inconclusive);
      family.Run();
      for (const reports::RequirementSummary& q : f.requirements) {
        requirement.Bind(1, run_id).Bind(2, f.family).Bind(3, q.name).Bind(4, static_cast<int64_t>(q.gating ? 1 : 0));
        requirement.Bind(5, q.evaluated).Bind(6, q.passed).Bind(7, q.failed).BindReal(8, q.worst_robustness);
        requirement.Bind(9, q.worst_instance).BindReal(10, q.failure_rate_lo).BindReal(11, q.failure_rate_hi);
        requirement.Bind(12, q.inconclusive);
        requirement.Run();
      }
    }
    db.Exec("COMMIT");
    return run_id;
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

void CheckDatabaseWritable(const std::string& db_path) {
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec) || std::filesystem::is_symlink(db_path, ec)) {
    Db db(db_path, true);  // checks the kind of file, its schema and that it can be written
  } else {
    CheckFolderWritable(db_path, false);
  }
}

int64_t RecordRun(const std::string& db_path, const RunRecord& record, const reports::RunSummary& summary,
                  const std::vector<InstanceResult>& results) {
  return RecordRunWith(db_path, record, summary, [&](const std::function<void(const InstanceResult&)>& insert) {
    for (const InstanceResult& r : results) insert(r);
  });
}

int64_t RecordRunFromFile(const std::string& db_path, const RunRecord& record, const reports::RunSummary& summary,
                          const std::string& results_jsonl) {
  return RecordRunWith(db_path, record, summary, [&](const std::function<void(const InstanceResult&)>& insert) {
    if (std::error_code ec; std::filesystem::exists(results_jsonl, ec)) {
      core::CheckInputFile(results_jsonl, core::InputKind::kResults);  // not a FIFO, a folder or a device
    }
    std::ifstream in(results_jsonl, std::ios::binary);
    if (!in) throw core::InfrastructureError("cannot read " + results_jsonl);
    std::string line;
    size_t line_no = 0, plan_index = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      InstanceResult r = scenarios::FromJsonLine(line, results_jsonl + ":" + std::to_string(line_no));
      r.plan_index = plan_index++;  // results.jsonl is in plan order and does not hold the index
      insert(r);
    }
  });
}

TrendTable QueryTrends(const std::string& db_path, size_t last_n, const std::string& suite_name) {
  Db db(db_path, false);
  TrendTable table;
  table.runs = LastRuns(&db, last_n, suite_name);
  std::map<std::pair<std::string, std::string>, size_t> index;
  Statement s(&db,
              "SELECT family, requirement, gating, evaluated, failed, worst_robustness, failure_rate_lo, failure_rate_hi "
              "FROM requirement_aggregates "
              "WHERE run_id = ? ORDER BY rowid");
  for (size_t k = 0; k < table.runs.size(); ++k) {
    s.Bind(1, table.runs[k].id);
    while (s.Next()) {
      const std::pair<std::string, std::string> key{s.Text(0), s.Text(1)};
      auto [it, inserted] = index.emplace(key, table.trends.size());
      if (inserted) {
        Trend trend;
        trend.family = key.first;
        trend.requirement = key.second;
        trend.points.resize(table.runs.size());
        table.trends.push_back(std::move(trend));
      }
      Trend& trend = table.trends[it->second];
      trend.gating = s.Int(2) != 0;
      const double worst = s.Real(5);
      trend.points[k] = TrendPoint{static_cast<size_t>(s.Int(3)), static_cast<size_t>(s.Int(4)),
                                   std::isnan(worst) ? INFINITY : worst, s.Real(6), s.Real(7)};
    }
    s.Reset();
  }
  return table;
}

ChangeSet QueryChangedInstances(const std::string& db_path, const std::string& suite_name) {
  Db db(db_path, false);
  ChangeSet set;
  const std::vector<RunRow> runs = LastRuns(&db, 2, suite_name);
  if (runs.empty()) return set;
  set.after = runs.back();
  if (runs.size() < 2) return set;
  set.before = runs.front();
  // verdicts of the earlier run
  std::map<std::string, std::string> before;
  {
    Statement s(&db, "SELECT instance_id, verdict FROM results WHERE run_id = ?");
    s.Bind(1, set.before->id);
    while (s.Next()) before[s.Text(0)] = s.Text(1);
  }
  Statement s(&db, "SELECT instance_id, family, verdict FROM results WHERE run_id = ? ORDER BY plan_index");
  s.Bind(1, set.after->id);
  std::set<std::string> seen;
  while (s.Next()) {
    const std::string id = s.Text(0);
    seen.insert(id);
    const auto it = before.find(id);
    const std::string was = it == before.end() ? "absent" : it->second;
    const std::string now = s.Text(2);
    if (was != now) set.changes.push_back({id, s.Text(1), was, now});
  }
  Statement gone(&db, "SELECT instance_id, family, verdict FROM results WHERE run_id = ? ORDER BY plan_index");
  gone.Bind(1, set.before->id);
  while (gone.Next())
    if (!seen.contains(gone.Text(0))) set.changes.push_back({gone.Text(0), gone.Text(1), gone.Text(2), "absent"});
  return set;
}

std::string HistoryText(const TrendTable& trends, const ChangeSet& changes, size_t max_changes) {
  std::string out;
  if (trends.runs.empty()) return "history: no runs recorded\n";
  out += "history of suite '" + trends.runs.back().suite_name + "': the last " + std::to_string(trends.runs.size()) +
         " runs, oldest first\n";
  for (const RunRow& r : trends.runs) {
    out += "  run " + std::to_string(r.id) + "  " + r.time_utc + "  " + std::to_string(r.failed) + " failed" +
           (r.inconclusive > 0 ? ", " + std::to_string(r.inconclusive) + " inconclusive" : "") + " / " +
           std::to_string(r.instances) + " instances" + (r.complete ? "" : " (interrupted)") + "  " + r.tool_version +
           (r.label.empty() ? "" : "  [" + r.label + "]") + "\n";
  }
  // the table: failed/evaluated per run, then the direction of the failure rate
  size_t family_width = 6, requirement_width = 11;
  for (const Trend& t : trends.trends) {
    family_width = std::max(family_width, t.family.size() + 2);
    requirement_width = std::max(requirement_width, t.requirement.size() + (t.gating ? 2 : 13));
  }
  std::vector<std::vector<std::string>> cells(trends.trends.size());
  size_t cell_width = 8;
  for (size_t i = 0; i < trends.trends.size(); ++i) {
    for (const auto& p : trends.trends[i].points) {
      cells[i].push_back(p ? std::to_string(p->failed) + "/" + std::to_string(p->evaluated) : "-");
      cell_width = std::max(cell_width, cells[i].back().size() + 2);
    }
  }
  out += "\n" + Pad("family", family_width) + Pad("requirement", requirement_width);
  for (const RunRow& r : trends.runs) out += Pad("run " + std::to_string(r.id), cell_width);
  out += Pad("worst rob.", 12) + "trend\n";
  for (size_t i = 0; i < trends.trends.size(); ++i) {
    const Trend& t = trends.trends[i];
    out += Pad(t.family, family_width) + Pad(t.requirement + (t.gating ? "" : " (advisory)"), requirement_width);
    for (const std::string& c : cells[i]) out += Pad(c, cell_width);
    // the direction: failure rate of the last run against the first run that has this requirement
    std::optional<TrendPoint> first, last;
    for (const auto& p : t.points) {
      if (!p || p->evaluated == 0) continue;
      if (!first) first = p;
      last = p;
    }
    out += Pad(last ? FormatFigure(last->worst_robustness) : "-", 12);
    std::string direction = "-";
    if (first && last) {
      const double a = static_cast<double>(first->failed) / static_cast<double>(first->evaluated);
      const double b = static_cast<double>(last->failed) / static_cast<double>(last->evaluated);
      direction = b > a ? "worse" : b < a ? "better" : "same";
    }
    out += direction + "\n";
  }
  // the changed instances
  out += "\n";
  if (!changes.before) {
    out += "changed verdicts: only one run, nothing to compare\n";
    return out;
  }
  out += "changed verdicts between run " + std::to_string(changes.before->id) + " and run " +
         std::to_string(changes.after->id) + ": " + std::to_string(changes.changes.size()) + "\n";
  for (size_t i = 0; i < changes.changes.size() && i < max_changes; ++i) {
    const VerdictChange& c = changes.changes[i];
    out += "  " + c.id + ": " + c.before + " -> " + c.after + "\n";
  }
  if (changes.changes.size() > max_changes)
    out += "  ... and " + std::to_string(changes.changes.size() - max_changes) + " more\n";
  return out;
}

}  // namespace gauntlet::history
