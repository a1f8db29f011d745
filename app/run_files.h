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
  size_t shard_index = 0;
  size_t shard_count = 1;
  bool complete = false;    ///< every instance of the (shard's) plan was written
};

/// Writes `<dir>/run.json` (creating the directory). Throws core::InfrastructureError on I/O failure.
void WriteRunManifest(const std::string& dir, const RunManifest& manifest);
/// Reads `<dir>/run.json`. Throws core::InputError if it is missing or malformed.
[[nodiscard]] RunManifest ReadRunManifest(const std::string& dir);

/// Writes a whole file atomically without following links (reports::WriteFileAtomically). Throws
/// core::InfrastructureError.
void WriteTextFile(const std::string& path, const std::string& text);

/// The mode of --junit (per-instance, the default, or per-requirement) into `options->mode`. Prints
/// "<command>: --junit ..." and returns false on a bad value.
bool ParseJUnitFlag(const Args& args, const std::string& command, reports::JUnitOptions* options);

}  // namespace gauntlet::app
