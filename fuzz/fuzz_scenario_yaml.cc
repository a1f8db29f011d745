// Fuzzes scenarios::LoadScenario (YAML, parameter expressions, embedded STL) on a scratch file.
#include "fuzz/fuzz_util.h"
#include "scenarios/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gauntlet::fuzz::WriteScratch("scenario.yaml", data, size);
  gauntlet::fuzz::Run([&] { (void)gauntlet::scenarios::LoadScenario(path); });
  return 0;
}
