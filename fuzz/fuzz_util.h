#pragma once
// Shared helpers of the libFuzzer targets in fuzz/: a per-process scratch folder for parsers that
// only take a path, and the one place that decides which exceptions are expected.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     const std::string path = gauntlet::fuzz::WriteScratch("input.yaml", data, size);
//     gauntlet::fuzz::Run([&] { (void)scenarios::LoadScenario(path); });
//     return 0;
//   }
//
// Caveats: core::InputError (and verifier::stl::EvaluationError where a target evaluates) are the
// documented answers to bad input and are swallowed. Any other exception escapes LLVMFuzzerTestOneInput
// and libFuzzer reports it as a crash (uncaught exception -> abort), which is what we want.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gauntlet::fuzz {

/// A folder unique to this process (created on first use, removed at exit).
[[nodiscard]] const std::string& ScratchDir();

/// Writes `data` to ScratchDir()/name and returns the path.
std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size);

/// Copies GAUNTLET_SOURCE_DIR/relative into ScratchDir()/name (once per process).
void CopyIntoScratch(const std::string& relative, const std::string& name);

/// Runs `body`, swallowing core::InputError. Other exceptions propagate (a finding).
void Run(const std::function<void()>& body);

/// The model-loader target body shared by fuzz_onnx and fuzz_nnet: writes `data` to
/// ScratchDir()/model.<suffix>, loads it with models::Model::LoadModel (the suffix picks the format)
/// and evaluates an accepted model once on zeros: a model the loader accepts must be evaluable.
void FuzzModelFile(std::string_view suffix, const uint8_t* data, size_t size);

}  // namespace gauntlet::fuzz
