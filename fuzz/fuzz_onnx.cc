// Fuzzes the ONNX loader (models::Model::LoadModel on a scratch file), then evaluates the loaded
// network once on zeros: a model the loader accepts must be evaluable.
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gauntlet::fuzz::FuzzModelFile("onnx", data, size);
  return 0;
}
