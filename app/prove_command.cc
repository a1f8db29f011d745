// `gauntlet prove MODEL PROPERTY.vnnlib [--timeout SECONDS] [--out FILE] [--threads N]`: decides a
// VNN-LIB property (VNN-COMP conventions, see docs/architecture.md) by branch and bound with sound bounds.
//
// The first line of the result is `unsat` (the property holds: no input of the region reaches the
// unsafe outputs), `sat`, `timeout`, `unknown` or `error`. For `sat` the counterexample follows on
// one line, `((X_0 v) (X_1 v) ... (Y_0 v) ...)` with %.17g, and it re-evaluates to a violation with
// the model's plain forward pass. The result goes to stdout and, with --out, to FILE as well.
// Exit codes: 0 unsat, 1 sat, 2 usage or input error (model, property; `error` is printed),
// 3 timeout, unknown or an internal error. Default timeout: 116 s (the VNN-COMP ACAS Xu budget).

#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "core/format.h"
#include "models/model.h"
#include "verifier/formal/checks.h"
#include "verifier/formal/vnnlib.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage =
    "usage: gauntlet prove MODEL PROPERTY.vnnlib [--timeout SECONDS] [--out FILE] [--threads N]";

// Prints `text` to stdout and, if given, to `out_path`. False if the file cannot be written.
bool Emit(const std::string& text, const std::optional<std::string>& out_path) {
  std::cout << text << std::flush;
  if (!out_path) return true;
  std::ofstream out(*out_path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "gauntlet prove: cannot write '" << *out_path << "'\n";
    return false;
  }
  return true;
}

}  // namespace

int RunProveCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"timeout"}, {"out"}, {"threads"}});
  const std::optional<double> timeout = args.Double("timeout");
  const std::optional<long long> threads = args.Int("threads", 1, 1024);
  if (args.ok() && args.positional().size() != 2) {
    std::cerr << "gauntlet prove: expected a model and a property file\n" << kUsage << '\n';
    return kExitUsage;
  }
  if (!args.ok()) {
    std::cerr << "gauntlet prove: " << args.error() << kUsage << '\n';
    return kExitUsage;
  }
  if (timeout && !(*timeout > 0.0)) {
    std::cerr << "gauntlet prove: --timeout must be positive\n" << kUsage << '\n';
    return kExitUsage;
  }
  const std::optional<std::string> out_path = args.Get("out");
  try {
    // load the model and the property
    const auto model = models::Model::LoadModel(args.positional()[0]);
    const verifier::formal::VnnlibProperty property =
        verifier::formal::LoadVnnlib(args.positional()[1], static_cast<int>(model->input_size()),
                                     static_cast<int>(model->output_size()));
    // decide
    verifier::formal::ProveOptions options;
    options.timeout_s = timeout.value_or(116.0);
    options.threads = static_cast<int>(threads.value_or(0));
    const verifier::formal::ProveResult r = verifier::formal::ProveModel(*model, property, options);
    std::cerr << "gauntlet prove: " << r.detail << '\n';
    std::string text;
    int code = kExitInternal;
    switch (r.verdict) {
      case verifier::formal::Verdict::kHolds:
        text = "unsat\n";
        code = kExitPassed;
        break;
      case verifier::formal::Verdict::kViolated: {
        text = "sat\n(";
        for (Eigen::Index i = 0; i < r.counterexample.size(); ++i) {
          text += (i == 0 ? "(X_" : " (X_") + std::to_string(i) + " " + core::FormatDouble17(r.counterexample[i]) + ")";
        }
        for (Eigen::Index j = 0; j < r.output.size(); ++j) {
          text += " (Y_" + std::to_string(j) + " " + core::FormatDouble17(r.output[j]) + ")";
        }
        text += ")\n";
        code = kExitFailed;
        break;
      }
      case verifier::formal::Verdict::kTimeout:
        text = "timeout\n";
        break;
      case verifier::formal::Verdict::kUnknown:
        text = "unknown\n";
        break;
    }
    if (!Emit(text, out_path)) return kExitInternal;
    return code;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << '\n';
    Emit("error\n", out_path);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet prove: internal error: " << e.what() << '\n';
    Emit("error\n", out_path);
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
