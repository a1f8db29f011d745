#pragma once
// Files of a run directory beyond the results: the manifest that lets `replay` rebuild the run.

#include <cstdint>
#include <map>
#include <string>

#include "app/args.h"
#include "reports/run_summary.h"

namespace gauntlet::app {

/// run.json: what `gauntlet run` was given, so a case can be replayed from the directory alone.
struct RunManifest {
  std::string suite_path;  ///< absolute
  uint64_t seed = 0;
  std::map<std::string, std::string> model_overrides;  ///< absolute paths
  std::string fingerprint;  ///< scenarios::Suite::fingerprint
  std::string run_key;      ///< RunKey(): what the results depend on; "" in manifests of older versions
  std::string run_id;       ///< NewRunId() of the run that wrote the directory; a resume keeps it
  size_t shard_index = 0;
  size_t shard_count = 1;
  bool complete = false;    ///< every instance of the (shard's) plan was written
};

/// Writes `<dir>/run.json` (creating the directory). Throws core::InfrastructureError on I/O failure.
void WriteRunManifest(const std::string& dir, const RunManifest& manifest);
/// Reads `<dir>/run.json`. Throws core::InputError if it is missing or malformed.
[[nodiscard]] RunManifest ReadRunManifest(const std::string& dir);

/// The identity of a run's results, free of randomness: a hash of the tool version (GAUNTLET_VERSION),
/// the suite's fingerprint, the seed and the shard (which fix the plan). Two runs with the same key
/// write the same results.jsonl lines.
[[nodiscard]] std::string RunKey(const std::string& tool_version, const std::string& fingerprint, uint64_t seed,
                                 size_t shard_index, size_t shard_count);

/// A fresh random id (16 hex digits) for a run started from scratch.
[[nodiscard]] std::string NewRunId();

/// The first line of `results.jsonl.resume`, naming the run its lines belong to: a resume reads the
/// file only when the line names the run of run.json.
[[nodiscard]] std::string ResumeHeader(const RunManifest& manifest);

/// An exclusive lock on an output folder, held while the object lives: a second `run`, `merge` or
/// `gate` writing the same folder at the same time is refused. flock(2) on `<dir>/.gauntlet.lock`
/// (created if missing; a symbolic link there is not followed); the kernel releases the lock when the
/// process ends, however it ends.
class OutputLock {
 public:
  /// Creates `dir` if needed and takes its lock. Throws core::InputError when another process holds
  /// it, core::InfrastructureError when the folder or the lock file cannot be made.
  explicit OutputLock(const std::string& dir);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  /// Throws core::InputError when a process holds the lock of `dir` now (an input folder being
  /// written, say); a folder without a lock file is not locked.
  static void CheckNotLocked(const std::string& dir);

 private:
  int fd_ = -1;
};

/// Writes a whole file atomically without following links (reports::WriteFileAtomically). Throws
/// core::InfrastructureError.
void WriteTextFile(const std::string& path, const std::string& text);

/// The mode of --junit (per-instance, the default, or per-requirement) into `options->mode`. Prints
/// "<command>: --junit ..." and returns false on a bad value.
bool ParseJUnitFlag(const Args& args, const std::string& command, reports::JUnitOptions* options);

}  // namespace gauntlet::app
