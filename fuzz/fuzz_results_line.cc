// Fuzzes the results.jsonl line reader (scenarios::FromJsonLine: what `gauntlet gate`, `merge`,
// `replay`, `report`, the history database and `run --resume` read back, possibly from another
// machine's run). An accepted line is written again with ToJsonLine and read back: the second reading
// must give the same result and the same text (the format is a fixed point after one round trip).
#include <string>

#include "core/check.h"
#include "fuzz/fuzz_util.h"
#include "scenarios/instance_result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  gauntlet::fuzz::Run([&] {
    const gauntlet::scenarios::InstanceResult read = gauntlet::scenarios::FromJsonLine(line, "fuzz");
    const std::string written = gauntlet::scenarios::ToJsonLine(read);
    const gauntlet::scenarios::InstanceResult again = gauntlet::scenarios::FromJsonLine(written, "written");
    GAUNTLET_CHECK_MSG(gauntlet::scenarios::ToJsonLine(again) == written, "a written results line is not stable");
  });
  return 0;
}
