// `gauntlet monitor --spec FORMULA --trace FILE.csv [--series]`: the robustness of an STL formula on a
// trace read from CSV (header `time,<signal>,...`, strictly increasing time).
// `gauntlet monitor --scenario FILE.yaml --trace LOG.csv`: a scenario's requirements, assumptions and
// metrics on a recorded drive (the log's columns named as the scenario's signals): one line each,
// then the verdict; exit 1 when a gating requirement is violated on a log that meets the assumptions.
//
// Prints the robustness at the first sample (printf %.17g) on stdout; with --series, a CSV
// `time,robustness` with one line per sample instead. Exit code 0 when the robustness is >= 0, 1 when
// it is negative (violated), 2 for bad usage or input (the formula, the trace, a division by zero on
// the data), 3 for an internal error. Diagnostics go to stderr as `file:line:col: error: message`;
// positions in the formula read `1:col` (no file name).

#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/format.h"
#include "core/suggest.h"
#include "core/trace.h"
#include "scenarios/campaign.h"
#include "scenarios/scenario.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage =
    "usage: gauntlet monitor --spec FORMULA --trace FILE.csv [--series]\n"
    "       gauntlet monitor --scenario FILE.yaml --trace LOG.csv";

// -0 prints as "-0"; robustness 0 is printed as "0".
std::string FormatRobustness(double value) { return core::FormatDouble17(value == 0.0 ? 0.0 : value); }

/// Runs `body`; bad input (the formula, the trace, the scenario, a division by zero on the data) is exit 2,
/// anything else exit 3, each with its message on stderr.
int Guarded(const std::function<int()>& body) {
  try {
    return body();
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

/// `--scenario`: prints each requirement, assumption and metric of the scenario on the log.
int MonitorScenario(const std::string& scenario_path, const std::string& trace_path) {
  const std::shared_ptr<const scenarios::Scenario> scenario = scenarios::LoadScenario(scenario_path);
  const core::Trace trace = core::Trace::ReadCsvFile(trace_path);
  scenarios::InstanceResult result;
  scenarios::EvaluateRecordedTrace(*scenario, trace, trace_path, &result);
  auto print = [](const char* kind, const scenarios::RequirementOutcome& r) {
    std::cout << kind << ' ' << r.name << ": " << (r.satisfied ? "satisfied" : "VIOLATED") << ", robustness "
              << FormatRobustness(r.robustness);
    if (r.first_violation_time_s) std::cout << ", first violation at t=" << core::FormatDouble(*r.first_violation_time_s) << " s";
    if (!r.gating) std::cout << " (not gating)";
    std::cout << '\n';
  };
  for (const auto& a : result.assumptions) print("assumption", a);
  for (const auto& r : result.requirements) print("requirement", r);
  for (const auto& [name, value] : result.metrics) std::cout << "metric " << name << ": " << FormatRobustness(value) << '\n';
  const bool valid = result.status != scenarios::InstanceStatus::kInvalid;
  const bool failed = valid && result.Failed();
  std::cout << "verdict: " << (!valid ? "INVALID (an assumption is broken: the requirements do not apply)"
                                      : failed ? "FAILED" : "PASSED")
            << '\n';
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "gauntlet monitor: cannot write the output\n";
    return 3;
  }
  return failed ? 1 : 0;
}

}  // namespace

int RunMonitorCommand(const std::vector<std::string>& args) {
  std::optional<std::string> spec;
  std::optional<std::string> trace_path;
  std::optional<std::string> scenario_path;
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
    } else if (arg == "--scenario") {
      if (!value(&scenario_path)) return 2;
    } else if (arg == "--series" && !inline_value) {
      series = true;
    } else {
      static const std::vector<std::string> kOptions = {"--spec", "--trace", "--series", "--scenario"};
      std::cerr << "gauntlet monitor: unknown argument '" << args[i] << "'" << core::DidYouMean(arg, kOptions)
                << '\n'
                << kUsage << '\n';
      return 2;
    }
  }
  if (scenario_path) {
    if (spec || series || !trace_path) {
      std::cerr << "gauntlet monitor: --scenario takes --trace and neither --spec nor --series\n" << kUsage << '\n';
      return 2;
    }
    return Guarded([&] { return MonitorScenario(*scenario_path, *trace_path); });
  }
  if (!spec || !trace_path) {
    std::cerr << "gauntlet monitor: " << (!spec ? "--spec" : "--trace") << " is required\n" << kUsage << '\n';
    return 2;
  }

  return Guarded([&] {
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
  });
}

}  // namespace gauntlet::app
