#include "fuzz/fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/check.h"
#include "core/error.h"
#include "models/model.h"

namespace gauntlet::fuzz {
namespace {

void RemoveScratch() {
  std::error_code ignored;
  std::filesystem::remove_all(ScratchDir(), ignored);
}

}  // namespace

const std::string& ScratchDir() {
  // never destroyed: RemoveScratch runs from atexit, after static destructors registered later
  static const std::string* const dir = [] {
    const std::filesystem::path p =
        std::filesystem::temp_directory_path() / ("gauntlet-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    std::atexit(RemoveScratch);
    return new std::string(p.string());
  }();
  return *dir;
}

std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = ScratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  GAUNTLET_CHECK_MSG(out.good(), "cannot write the fuzz scratch file");
  return path;
}

void CopyIntoScratch(const std::string& relative, const std::string& name) {
  std::filesystem::copy_file(std::string(GAUNTLET_SOURCE_DIR) + "/" + relative, ScratchDir() + "/" + name,
                             std::filesystem::copy_options::overwrite_existing);
}

void Run(const std::function<void()>& body) {
  try {
    body();
  } catch (const core::InputError&) {
    // the documented answer to bad input
  }
}

void FuzzModelFile(std::string_view suffix, const uint8_t* data, size_t size) {
  const std::string path = WriteScratch("model." + std::string(suffix), data, size);
  Run([&] {
    const auto model = models::Model::LoadModel(path);
    // a valid model this wide is fine, but evaluating it would only measure the allocator
    if (model->input_size() > (1u << 16) || model->output_size() > (1u << 16)) return;
    std::vector<double> input(model->input_size(), 0.0), output(model->output_size());
    models::Workspace ws;
    model->Evaluate(input, output, ws);
  });
}

}  // namespace gauntlet::fuzz
