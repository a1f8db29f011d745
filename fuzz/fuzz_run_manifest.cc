// Fuzzes the shard manifest reader (app::ReadRunManifest on a scratch run directory: `run.json`, what
// `gauntlet run --resume`, `replay` and `merge` read back). An accepted manifest is written again with
// app::WriteRunManifest and read back: every field but the (absolutised) paths must survive unchanged,
// and a second round trip must be exact.
#include <filesystem>
#include <string>

#include "app/run_files.h"
#include "core/check.h"
#include "fuzz/fuzz_util.h"

namespace {

using gauntlet::app::RunManifest;

bool SameExceptPaths(const RunManifest& a, const RunManifest& b) {
  if (a.seed != b.seed || a.fingerprint != b.fingerprint || a.shard_index != b.shard_index ||
      a.shard_count != b.shard_count || a.complete != b.complete || a.model_overrides.size() != b.model_overrides.size()) {
    return false;
  }
  for (auto i = a.model_overrides.begin(), j = b.model_overrides.begin(); i != a.model_overrides.end(); ++i, ++j) {
    if (i->first != j->first) return false;
  }
  return true;
}

bool Same(const RunManifest& a, const RunManifest& b) {
  return SameExceptPaths(a, b) && a.suite_path == b.suite_path && a.model_overrides == b.model_overrides;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  const std::string dir = gauntlet::fuzz::ScratchDir() + "/run";
  const std::string again = gauntlet::fuzz::ScratchDir() + "/again";
  fs::create_directories(dir);
  (void)gauntlet::fuzz::WriteScratch("run/run.json", data, size);
  gauntlet::fuzz::Run([&] {
    const RunManifest read = gauntlet::app::ReadRunManifest(dir);
    gauntlet::app::WriteRunManifest(again, read);
    const RunManifest first = gauntlet::app::ReadRunManifest(again);
    GAUNTLET_CHECK_MSG(SameExceptPaths(read, first), "a manifest changed in a write/read round trip");
    gauntlet::app::WriteRunManifest(again, first);
    GAUNTLET_CHECK_MSG(Same(first, gauntlet::app::ReadRunManifest(again)), "a written manifest is not stable");
  });
  return 0;
}
