#pragma once
// The one writer of a run's output folder, used by `run`, `merge` and `gate`: results.jsonl (streamed),
// summary.json, junit.xml and report.html; run.json goes through WriteFileAtomically too (app/run_files).
//
//   RunWriter writer(out_dir, suite, {.junit = {.mode = JUnitMode::kPerRequirement}});
//   options.on_result = [&](const InstanceResult& r) { writer.Add(r); };   // in plan order
//   ... run the campaign ...
//   const RunSummary summary = writer.Finish(info);
//
// Every file is created so that nothing already in the folder is followed: a whole file is written to a
// fresh temporary in the folder (open with O_CREAT|O_EXCL|O_NOFOLLOW, so an existing name or symlink is
// never opened) and renamed over its name (rename replaces a symlink, it does not write through it);
// results.jsonl, which must grow on disk while the run goes (a killed run leaves its finished prefix for
// --resume), is created the same way under its own name after the old entry is unlinked.
//
// Memory stays bounded for any number of results: results.jsonl streams, the summary is counts, junit.xml
// is written in passes over results.jsonl, and report.html is drawn from a bounded, deterministic sample
// (every result while there are at most `report_results` passing and `report_results` failing ones; beyond,
// a stride subsample of each, plus the worst failing instances, which are always kept). The sample depends
// only on the results in plan order, so a merged run's report equals the unsharded run's.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reports/run_summary.h"
#include "scenarios/generators/coverage.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace gauntlet::reports {

/// Writes `text` to `path` atomically without following links: a fresh temporary next to `path` (O_CREAT |
/// O_EXCL | O_NOFOLLOW), then rename. Throws core::InfrastructureError on any failure (the temporary is removed).
void WriteFileAtomically(const std::string& path, std::string_view text);

/// A file written in pieces and renamed into place by Commit(); the temporary is created as by
/// WriteFileAtomically. Destroyed uncommitted, it removes its temporary.
class AtomicFile {
 public:
  /// Creates the temporary. Throws core::InfrastructureError.
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// The stream to write to (binary).
  [[nodiscard]] std::ostream& stream();
  /// Flushes, closes and renames over the final name. Throws core::InfrastructureError.
  void Commit();

 private:
  /// Closes and removes the temporary (an uncommitted file, or a constructor that fails).
  void Discard();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What the writer writes beyond the fixed files. Every field has a default, so {} is valid.
struct RunOutputOptions {
  JUnitOptions junit;           ///< junit.xml's mode (--junit)
  bool report = true;           ///< write report.html
  size_t report_results = 10000;  ///< passing (and, apart, failing) results kept for report.html's plots
  size_t report_cases = 5;      ///< worst failing instances re-run with their traces for report.html
  std::string tool_version;     ///< shown in report.html's header ("" : not shown)
};

/// Writes a run's output folder; see the file comment. Not thread-safe: Add in plan order from one thread.
class RunWriter {
 public:
  /// Creates `dir` (and its parents) and starts results.jsonl. `suite` must outlive the writer (its families
  /// give the coverage and the report's re-runs). Throws core::InfrastructureError.
  RunWriter(std::string dir, const scenarios::Suite& suite, RunOutputOptions options = {});
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  /// Appends one result (the next in plan order): to results.jsonl, the summary, the coverage and the report's
  /// sample. Its wall time goes to junit.xml only.
  void Add(const scenarios::InstanceResult& result);
  /// The same with the line already serialised (merge copies the shards' bytes); `line` has no newline.
  void AddLine(std::string_view line, const scenarios::InstanceResult& result);
  /// Pushes results.jsonl's buffered lines to the file (a resumable prefix). Throws core::InfrastructureError.
  void Flush();
  /// Results added so far.
  [[nodiscard]] size_t count() const;

  /// Closes results.jsonl and writes summary.json, junit.xml and (when enabled) report.html. `info.coverage`
  /// is replaced by the coverage of the results added; model files in `info.models` are named by absolute path. Returns the summary. Throws core::InfrastructureError,
  /// core::InputError (a result of a family the suite lacks, re-run for the report).
  RunSummary Finish(RunInfo info);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::reports
