// Fuzzes the VNN-LIB property parser (verifier::formal::ParseVnnlib), unchecked and against the
// ACAS Xu sizes (5 inputs, 5 outputs).
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "verifier/formal/vnnlib.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gauntlet::fuzz::Run([&] { (void)gauntlet::verifier::formal::ParseVnnlib(text, "fuzz.vnnlib"); });
  gauntlet::fuzz::Run([&] { (void)gauntlet::verifier::formal::ParseVnnlib(text, "fuzz.vnnlib", 5, 5); });
  return 0;
}
