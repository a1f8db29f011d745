// Fuzzes scenarios::LoadSuite on a scratch file. The scratch folder also holds a valid scenario
// (brake_scenario.yaml) and models (acc.onnx, tiny.nnet) that suites may name.
#include "fuzz/fuzz_util.h"
#include "scenarios/suite.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gauntlet::fuzz::CopyIntoScratch("tests/scenarios/testdata/brake_scenario.yaml", "brake_scenario.yaml");
  gauntlet::fuzz::CopyIntoScratch("zoo/acc_good.onnx", "acc.onnx");
  gauntlet::fuzz::CopyIntoScratch("tests/models/testdata/tiny.nnet", "tiny.nnet");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gauntlet::fuzz::WriteScratch("suite.yaml", data, size);
  gauntlet::fuzz::Run([&] { (void)gauntlet::scenarios::LoadSuite(path); });
  return 0;
}
