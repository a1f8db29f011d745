#pragma once
// The run history: an embedded SQLite database with one row per run, its per-instance results and its
// aggregates per family and requirement, and the queries behind `gauntlet history`.
//
// A run is written once, by the process that finishes it, in ONE transaction: a reader never sees half
// a run, and a crash leaves the database as it was. Several processes may record into the same file
// (SQLite's locking; a writer waits up to 30 s for another).
//
//   history::RunRecord record = history::MakeRunRecord(suite, GAUNTLET_VERSION);
//   history::RecordRun("gauntlet-history.db", record, summary, outcome.results);
//   ...
//   history::TrendTable trends = history::QueryTrends("gauntlet-history.db", 10);
//   history::ChangeSet changes = history::QueryChangedInstances("gauntlet-history.db");
//   std::cout << history::HistoryText(trends, changes);
//
// Schema (version 3, PRAGMA user_version; a version 1 database gains runs.label and a version 1 or 2 one
// the inconclusive columns on its next write, in one transaction, and reads as unlabelled with 0
// inconclusive until then; a database of a newer version is refused, never written):
//   runs(id, time_utc, suite_name, suite_path, suite_hash, model_hashes (JSON object slot -> hash),
//        models (JSON object slot -> source), tool_version, seed, out_dir, complete,
//        instances, passed, failed, invalid, errors, label, inconclusive)
//   results(run_id, plan_index, family, instance_index, instance_id, origin, verdict
//           ("passed" | "failed" | "inconclusive" | "invalid" | "error"; earlier builds of the tool
//           wrote "failed" for an inconclusive instance, so comparing with such a run shows a change),
//           worst_robustness (lowest over gating requirements; NULL if none), result_json (the
//           results.jsonl line))
//   family_aggregates(run_id, family, instances, passed, failed, invalid, errors, inconclusive)
//   requirement_aggregates(run_id, family, requirement, gating, evaluated, passed, failed,
//                          worst_robustness, worst_instance, failure_rate_lo, failure_rate_hi, inconclusive)
// The counts are those of reports::RunSummary: `failed` leaves out the inconclusive instances (no
// gating requirement certainly violated, some undecided after an early stop), counted in `inconclusive`;
// a run whose instances are all inconclusive records 0 failed and exits 1.
//
// Caveats: the time is wall-clock UTC (history only; results never hold it). Trends and changed
// instances compare runs of one suite name (by default the suite of the latest run). Instances are
// matched across runs by their id (family, index and parameter values).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/run_summary.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace gauntlet::history {

/// The default database file, in the current directory.
inline constexpr const char* kDefaultDbPath = "gauntlet-history.db";

/// What a run record holds beyond its RunSummary.
struct RunRecord {
  std::string time_utc;      ///< ISO 8601, "2026-11-27T02:40:00Z"
  std::string suite_hash;    ///< content hash of the suite and the scenario files it names
  std::vector<std::pair<std::string, std::string>> model_hashes;  ///< slot, content hash ("builtin:idm{...}" for built-ins)
  std::string tool_version;  ///< gauntlet version and build
  std::string label;         ///< what the user calls the run (`gauntlet run --label`, e.g. a commit); may be ""
};

/// "fnv1a64:<16 hex digits>" of a file's bytes. Throws core::InfrastructureError if it cannot be read.
[[nodiscard]] std::string HashFile(const std::string& path);

/// The record of a run of `suite` now: the hashes of its files and models, the current UTC time.
[[nodiscard]] RunRecord MakeRunRecord(const scenarios::Suite& suite, const std::string& tool_version);

/// Checks, before a run starts, that a run can be recorded in `db_path`: an existing gauntlet history
/// database of this schema version or older that can be written, or a new file in a writable folder.
/// Creates and writes nothing. Throws core::InputError naming the problem (not a database, a directory,
/// read-only, written by a newer gauntlet, no such folder).
void CheckDatabaseWritable(const std::string& db_path);

/// Writes one run (summary, every result, the aggregates) in one transaction, creating the database
/// and its tables if needed. Returns the new run's id. Throws core::InfrastructureError on failure
/// (nothing of the run is written then).
int64_t RecordRun(const std::string& db_path, const RunRecord& record, const reports::RunSummary& summary,
                  const std::vector<scenarios::InstanceResult>& results);

/// The same, streaming the results from a results.jsonl file (memory stays flat for any run size).
/// A malformed line is a core::InputError; nothing of the run is written then.
int64_t RecordRunFromFile(const std::string& db_path, const RunRecord& record, const reports::RunSummary& summary,
                          const std::string& results_jsonl);

/// One run, as listed by the queries.
struct RunRow {
  int64_t id = 0;
  std::string time_utc;
  std::string suite_name;
  std::string suite_hash;
  std::string tool_version;
  uint64_t seed = 0;
  bool complete = true;
  size_t instances = 0, passed = 0, failed = 0, invalid = 0, errors = 0;
  size_t inconclusive = 0;  ///< apart from `failed` (0 for runs recorded before schema version 3)
  std::vector<std::pair<std::string, std::string>> model_hashes;  ///< slot, content hash
  std::string label;                                              ///< "" when none was given
};

/// One family and requirement in one run.
struct TrendPoint {
  size_t evaluated = 0;
  size_t failed = 0;
  double worst_robustness = 0.0;
  double failure_rate_lo = 0.0;  ///< the run's 95% interval of the failure rate (NaN if not recorded)
  double failure_rate_hi = 1.0;
};

/// One family and requirement over the runs of a TrendTable (aligned with TrendTable::runs; empty
/// where a run did not have it).
struct Trend {
  std::string family;
  std::string requirement;
  bool gating = true;
  std::vector<std::optional<TrendPoint>> points;
};

struct TrendTable {
  std::vector<RunRow> runs;  ///< oldest first
  std::vector<Trend> trends;
};

/// The last `last_n` runs of `suite_name` ("" : the suite of the latest run) and their trends.
/// A missing database is a core::InputError.
[[nodiscard]] TrendTable QueryTrends(const std::string& db_path, size_t last_n, const std::string& suite_name = "");

/// An instance whose verdict differs between two runs.
struct VerdictChange {
  std::string id;
  std::string family;
  std::string before;  ///< "passed", "failed", "inconclusive", "invalid", "error", or "absent"
  std::string after;
};

struct ChangeSet {
  std::optional<RunRow> before;  ///< the second-to-last run (none when there is only one)
  std::optional<RunRow> after;   ///< the last run
  std::vector<VerdictChange> changes;  ///< in the plan order of the last run, then the vanished ones
};

/// The instances whose verdict changed between the last two runs of `suite_name` ("" : the latest run's suite).
[[nodiscard]] ChangeSet QueryChangedInstances(const std::string& db_path, const std::string& suite_name = "");

/// A figure for people: 4 significant digits ("-1.234", "0.0001235"), "inf", "-" for NaN.
[[nodiscard]] std::string FormatFigure(double value);

/// The trend table (failed/evaluated per run, oldest first, and the direction) and the changed instances,
/// at most `max_changes` of them listed.
[[nodiscard]] std::string HistoryText(const TrendTable& trends, const ChangeSet& changes, size_t max_changes = 50);

}  // namespace gauntlet::history
