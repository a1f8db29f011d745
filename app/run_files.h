#pragma once
// Files of a run directory beyond the results: the manifest that lets `replay` rebuild the run.

#include <cstdint>
#include <map>
#include <string>

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

/// Writes a whole file atomically (a temporary file, then rename). Throws core::InfrastructureError.
void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace gauntlet::app
