// `gauntlet monitor --spec FORMULA --trace FILE.csv [--series]`: the robustness of an STL formula on a
// trace read from CSV (header `time,<signal>,...`, strictly increasing time).
//
// Prints the robustness at the first sample (printf %.17g) on stdout; with --series, a CSV
// `time,robustness` with one line per sample instead. Exit code 0 when the robustness is >= 0, 1 when
// it is negative (violated), 2 for bad usage or input (the formula, the trace, a division by zero on
// the data), 3 for an internal error. Diagnostics go to stderr as `file:line:col: error: message`;
// positions in the formula read `1:col` (no file name).

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/format.h"
#include "core/suggest.h"
#include "core/trace.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage = "usage: gauntlet monitor --spec FORMULA --trace FILE.csv [--series]";

// -0 prints as "-0"; robustness 0 is printed as "0".
std::string FormatRobustness(double value) { return core::FormatDouble17(value == 0.0 ? 0.0 : value); }

}  // namespace

int RunMonitorCommand(const std::vector<std::string>& args) {
  std::optional<std::string> spec;
  std::optional<std::string> trace_path;
  bool series = false;
  // arguments
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto value = [&](std::optional<std::string>* out) {
      if (out->has_value()) {
        std::cerr << "gauntlet monitor: " << arg << " given twice\n" << kUsage << '\n';
        return false;
      }
      if (inline_value) {
        *out = *inline_value;
      } else if (i + 1 < args.size()) {
        *out = args[++i];
      } else {
        std::cerr << "gauntlet monitor: " << arg << " needs a value\n" << kUsage << '\n';
        return false;
      }
      return true;
    };
    if (arg == "--spec") {
      if (!value(&spec)) return 2;
    } else if (arg == "--trace") {
      if (!value(&trace_path)) return 2;
    } else if (arg == "--series" && !inline_value) {
      series = true;
    } else {
      static const std::vector<std::string> kOptions = {"--spec", "--trace", "--series"};
      std::cerr << "gauntlet monitor: unknown argument '" << args[i] << "'" << core::DidYouMean(arg, kOptions)
                << '\n'
                << kUsage << '\n';
      return 2;
    }
  }
  if (!spec || !trace_path) {
    std::cerr << "gauntlet monitor: " << (!spec ? "--spec" : "--trace") << " is required\n" << kUsage << '\n';
    return 2;
  }

  try {
    // the formula first, so a bad formula is reported without reading the trace
    const verifier::stl::Formula formula = verifier::stl::Formula::Parse(*spec, {"", 1, 1});
    const core::Trace trace = core::Trace::ReadCsvFile(*trace_path);
    formula.CheckSignals(trace.names());
    const verifier::stl::MonitorOutput out = verifier::stl::Monitor(formula).Run(trace);
    if (series) {
      std::cout << "time,robustness\n";
      for (size_t i = 0; i < out.robustness.size(); ++i) {
        std::cout << core::FormatDouble17(trace.time()[i]) << ',' << FormatRobustness(out.robustness[i]) << '\n';
      }
    } else {
      std::cout << FormatRobustness(out.result.robustness) << '\n';
    }
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "gauntlet monitor: cannot write the output\n";
      return 3;
    }
    return out.result.satisfied ? 0 : 1;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << '\n';
    return 2;
  } catch (const verifier::stl::EvaluationError& e) {
    std::cerr << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet monitor: internal error: " << e.what() << '\n';
    return 3;
  }
}

}  // namespace gauntlet::app
