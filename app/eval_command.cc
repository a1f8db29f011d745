// `gauntlet eval MODEL --input v1,v2,... [--raw]`: one forward pass, every output printed with
// %.17g, one per line, to stdout. `--raw` applies a .nnet file's normalisation to the inputs and
// outputs (no effect on ONNX models). Exit 0; usage or input errors to stderr with exit 2;
// internal errors exit 3.

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "core/format.h"
#include "models/model.h"

namespace {

constexpr const char* kUsage = "usage: gauntlet eval MODEL --input v1,v2,... [--raw]\n";

// Parses "v1,v2,..." into values; false with `error` set on a bad item.
bool ParseValues(const std::string& text, std::vector<double>* values, std::string* error) {
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || errno == ERANGE || !std::isfinite(v)) {
      *error = "input value " + std::to_string(values->size() + 1) + " '" + item + "' is not a finite number";
      return false;
    }
    values->push_back(v);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

namespace gauntlet::app {

int RunEvalCommand(const std::vector<std::string>& args) {
  // arguments
  std::string model_path;
  std::string input_text;
  bool have_input = false;
  bool raw = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--input") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "error: --input needs a value\n%s", kUsage);
        return kExitUsage;
      }
      input_text = args[++i];
      have_input = true;
    } else if (a.rfind("--input=", 0) == 0) {
      input_text = a.substr(8);
      have_input = true;
    } else if (a == "--raw") {
      raw = true;
    } else if (a.rfind("--", 0) == 0 || !model_path.empty()) {
      std::fprintf(stderr, "error: unexpected argument '%s'\n%s", a.c_str(), kUsage);
      return kExitUsage;
    } else {
      model_path = a;
    }
  }
  if (model_path.empty() || !have_input) {
    std::fprintf(stderr, "error: %s\n%s", model_path.empty() ? "missing MODEL" : "missing --input", kUsage);
    return kExitUsage;
  }
  std::vector<double> input;
  if (std::string error; !ParseValues(input_text, &input, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitUsage;
  }

  // load, check, evaluate
  try {
    const auto model = models::Model::LoadModel(model_path);
    if (input.size() != model->input_size()) {
      std::fprintf(stderr, "%s: error: the model takes %zu inputs, got %zu\n", model_path.c_str(),
                   model->input_size(), input.size());
      return kExitUsage;
    }
    std::vector<double> output(model->output_size());
    models::Workspace ws;
    if (raw) {
      model->EvaluateRaw(input, output, ws);
    } else {
      model->Evaluate(input, output, ws);
    }
    std::string text;
    for (double y : output) text += core::FormatDouble17(y) + "\n";
    std::fputs(text.c_str(), stdout);
    return kExitPassed;
  } catch (const core::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
