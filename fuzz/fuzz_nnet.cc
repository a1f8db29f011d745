// Fuzzes the Reluplex .nnet loader (models::Model::LoadModel on a scratch file), then evaluates the
// loaded network once on zeros: a model the loader accepts must be evaluable.
#include <vector>

#include "fuzz/fuzz_util.h"
#include "models/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gauntlet::fuzz::WriteScratch("model.nnet", data, size);
  gauntlet::fuzz::Run([&] {
    const auto model = gauntlet::models::Model::LoadModel(path);
    if (model->input_size() > (1u << 16) || model->output_size() > (1u << 16)) return;
    std::vector<double> input(model->input_size(), 0.0), output(model->output_size());
    gauntlet::models::Workspace ws;
    model->Evaluate(input, output, ws);
  });
  return 0;
}
