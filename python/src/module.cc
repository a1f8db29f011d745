// gauntlet._core: the C++ side of the Python package (python/gauntlet/__init__.py is the public API
// and documents it). Numbers cross as numpy float64 arrays; the GIL is released while C++ works and
// taken again only to call back into Python (a model callable).

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/commands.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/trace.h"
#include "models/model.h"
#include "scenarios/campaign.h"
#include "scenarios/lockstep.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_env.h"
#include "scenarios/suite.h"
#include "verifier/formal/branch_and_bound.h"
#include "verifier/formal/checks.h"
#include "verifier/formal/graph_lowering.h"
#include "verifier/formal/vnnlib.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace py = pybind11;

namespace gauntlet::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// Raised for bad input (Python: gauntlet.InputError, a ValueError), with the diagnostics.
struct InputErrorTag {};

// ---- traces ----------------------------------------------------------------------------------

/// A trace from signal arrays: `time` given, or t = k * dt (dt defaults to 1).
core::Trace TraceFromArrays(const std::map<std::string, Array>& signals, const std::optional<Array>& time,
                            std::optional<double> dt) {
  if (signals.empty()) throw std::invalid_argument("signals is empty: give at least one signal array");
  size_t rows = 0;
  bool first = true;
  for (const auto& [name, values] : signals) {
    if (values.ndim() != 1) throw std::invalid_argument("signal '" + name + "' is not a 1-D array");
    if (first) rows = static_cast<size_t>(values.shape(0));
    if (static_cast<size_t>(values.shape(0)) != rows) {
      throw std::invalid_argument("signal '" + name + "' has " + std::to_string(values.shape(0)) +
                                  " samples, the others " + std::to_string(rows));
    }
    first = false;
  }
  if (rows == 0) throw std::invalid_argument("the signals have no samples");
  std::vector<double> t(rows);
  if (time) {
    if (dt) throw std::invalid_argument("give time or dt, not both");
    if (time->ndim() != 1 || static_cast<size_t>(time->shape(0)) != rows) {
      throw std::invalid_argument("time must be a 1-D array with one value per sample (" + std::to_string(rows) + ")");
    }
    for (size_t i = 0; i < rows; ++i) t[i] = time->at(static_cast<py::ssize_t>(i));
  } else {
    const double step = dt.value_or(1.0);
    if (!(step > 0.0) || !std::isfinite(step)) throw std::invalid_argument("dt must be positive and finite");
    for (size_t i = 0; i < rows; ++i) t[i] = static_cast<double>(i) * step;  // step * dt, never a running sum
  }
  for (size_t i = 0; i < rows; ++i) {
    if (!std::isfinite(t[i]) || (i > 0 && !(t[i] > t[i - 1]))) {
      throw std::invalid_argument("time must be finite and strictly increasing (sample " + std::to_string(i) + ")");
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, values] : signals) names.push_back(name);
  core::Trace trace(names);
  // k * dt: a fixed step, so windows are counted in whole steps (docs/stl.md, "Windows")
  if (!time) trace.SetFixedStep(dt.value_or(1.0));
  trace.Reserve(rows);
  std::vector<double> row(names.size());
  for (size_t i = 0; i < rows; ++i) {
    size_t k = 0;
    for (const auto& [name, values] : signals) row[k++] = values.at(static_cast<py::ssize_t>(i));
    trace.Append(t[i], row);
  }
  return trace;
}

Array Monitor(const std::string& formula_text, const std::map<std::string, Array>& signals,
              const std::optional<Array>& time, std::optional<double> dt) {
  const verifier::stl::Formula formula = verifier::stl::Formula::Parse(formula_text, {"", 1, 1});
  const core::Trace trace = TraceFromArrays(signals, time, dt);
  formula.CheckSignals(trace.names());
  verifier::stl::MonitorOutput out;
  {
    py::gil_scoped_release release;
    out = verifier::stl::Monitor(formula).Run(trace);
  }
  Array result(static_cast<py::ssize_t>(out.robustness.size()));
  std::copy(out.robustness.begin(), out.robustness.end(), result.mutable_data());
  return result;
}

// ---- models ----------------------------------------------------------------------------------

class PyModel {
 public:
  explicit PyModel(const std::string& path) : model_(models::Model::LoadModel(path)), path_(path) {}

  [[nodiscard]] size_t input_size() const { return model_->input_size(); }
  [[nodiscard]] size_t output_size() const { return model_->output_size(); }
  [[nodiscard]] const std::string& path() const { return path_; }

  /// One plain forward pass per row (Model::Evaluate, as `gauntlet eval`): bit-identical to it.
  py::array Eval(const Array& x, bool raw) const {
    if (x.ndim() != 1 && x.ndim() != 2) throw std::invalid_argument("x must be a 1-D or 2-D array");
    const size_t rows = x.ndim() == 1 ? 1 : static_cast<size_t>(x.shape(0));
    const size_t cols = static_cast<size_t>(x.ndim() == 1 ? x.shape(0) : x.shape(1));
    if (cols != model_->input_size()) {
      throw std::invalid_argument("x has " + std::to_string(cols) + " values per row, the model takes " +
                                  std::to_string(model_->input_size()));
    }
    const size_t outs = model_->output_size();
    Array y = x.ndim() == 1 ? Array(static_cast<py::ssize_t>(outs))
                            : Array({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(outs)});
    const double* in = x.data();
    double* out = y.mutable_data();
    {
      py::gil_scoped_release release;
      models::Workspace ws;
      for (size_t r = 0; r < rows; ++r) {
        const std::span<const double> input(in + r * cols, cols);
        const std::span<double> output(out + r * outs, outs);
        if (raw) {
          model_->EvaluateRaw(input, output, ws);
        } else {
          model_->Evaluate(input, output, ws);
        }
      }
    }
    return y;
  }

  /// Sound output bounds over the box [lo, hi]: (lower, upper) arrays.
  std::pair<Array, Array> Bounds(const Array& lo, const Array& hi, const std::string& method) const {
    if (method != "ibp" && method != "crown" && method != "bab") {
      throw std::invalid_argument("method must be 'ibp', 'crown' or 'bab', got '" + method + "'");
    }
    const auto n = static_cast<py::ssize_t>(model_->input_size());
    if (lo.ndim() != 1 || hi.ndim() != 1 || lo.shape(0) != n || hi.shape(0) != n) {
      throw std::invalid_argument("lo and hi must be 1-D arrays of " + std::to_string(n) + " values");
    }
    verifier::formal::Box box{Eigen::VectorXd(n), Eigen::VectorXd(n)};
    for (py::ssize_t i = 0; i < n; ++i) {
      box.lo[i] = lo.at(i);
      box.hi[i] = hi.at(i);
      if (!std::isfinite(box.lo[i]) || !std::isfinite(box.hi[i]) || box.lo[i] > box.hi[i]) {
        throw std::invalid_argument("input " + std::to_string(i) + ": need finite lo <= hi");
      }
    }
    verifier::formal::Box out;
    {
      py::gil_scoped_release release;
      const verifier::formal::Network net = verifier::formal::LowerGraph(model_->graph());
      out = method == "bab" ? verifier::formal::ComputeOutputBoundsBab(net, box)
                            : verifier::formal::ComputeOutputBounds(net, box,
                                                                    method == "ibp" ? verifier::formal::BoundMethod::kIbp
                                                                                    : verifier::formal::BoundMethod::kCrown);
    }
    Array l(out.lo.size()), h(out.hi.size());
    for (Eigen::Index j = 0; j < out.lo.size(); ++j) {
      l.mutable_at(j) = out.lo[j];
      h.mutable_at(j) = out.hi[j];
    }
    return {l, h};
  }

 private:
  std::shared_ptr<const models::Model> model_;
  std::string path_;
};

py::dict Prove(const std::string& model_path, const std::string& property_path, double timeout_s, int threads) {
  if (!(timeout_s > 0.0)) throw std::invalid_argument("timeout must be positive");
  const auto model = models::Model::LoadModel(model_path);
  const verifier::formal::VnnlibProperty property = verifier::formal::LoadVnnlib(
      property_path, static_cast<int>(model->input_size()), static_cast<int>(model->output_size()));
  verifier::formal::ProveResult r;
  {
    py::gil_scoped_release release;
    verifier::formal::ProveOptions options;
    options.timeout_s = timeout_s;
    options.threads = threads;
    r = verifier::formal::ProveModel(*model, property, options);
  }
  py::dict out;
  switch (r.verdict) {
    case verifier::formal::Verdict::kHolds: out["verdict"] = "unsat"; break;
    case verifier::formal::Verdict::kViolated: out["verdict"] = "sat"; break;
    case verifier::formal::Verdict::kTimeout: out["verdict"] = "timeout"; break;
    case verifier::formal::Verdict::kUnknown: out["verdict"] = "unknown"; break;
  }
  out["detail"] = r.detail;
  if (r.verdict == verifier::formal::Verdict::kViolated) {
    Array x(r.counterexample.size()), y(r.output.size());
    for (Eigen::Index i = 0; i < r.counterexample.size(); ++i) x.mutable_at(i) = r.counterexample[i];
    for (Eigen::Index j = 0; j < r.output.size(); ++j) y.mutable_at(j) = r.output[j];
    out["input"] = x;
    out["output"] = y;
  }
  return out;
}

// ---- check ------------------------------------------------------------------------------------

/// (file, line, col, message) for every problem of every file, in order.
std::vector<std::tuple<std::string, int, int, std::string>> Check(const std::vector<std::string>& paths) {
  std::vector<std::tuple<std::string, int, int, std::string>> out;
  for (const std::string& path : paths) {
    try {
      scenarios::CheckFile(path);
    } catch (const core::InputError& e) {
      for (const core::Diagnostic& d : e.diagnostics()) out.emplace_back(d.pos.file, d.pos.line, d.pos.col, d.message);
    }
  }
  return out;
}

// ---- run with Python callables ------------------------------------------------------------------

/// The output count a callable in `slot` must give: the most any family using the slot reads.
size_t OutputsNeeded(const scenarios::Suite& suite, const std::string& slot) {
  size_t outputs = 0;
  for (const scenarios::Family& family : suite.families) {
    if (family.model_slot != slot) continue;
    const scenarios::ModelBindingSpec& b = family.scenario->model_binding;
    if (!b.advisories.empty()) outputs = std::max(outputs, b.advisories.size());
    for (const auto* spec : {&b.accel_mps2, &b.steer_rad, &b.turn_rate_radps}) {
      if (spec->has_value()) outputs = std::max(outputs, static_cast<size_t>((*spec)->output + 1));
    }
  }
  return outputs;
}

/// "module.qualname" of a callable, for run.json and the fingerprint.
std::string Describe(const py::object& callable) {
  std::string name;
  try {
    const py::object module = py::getattr(callable, "__module__", py::none());
    const py::object qualname = py::getattr(callable, "__qualname__", py::none());
    if (!module.is_none()) name += py::str(module).cast<std::string>() + ".";
    name += qualname.is_none() ? py::str(py::type::of(callable).attr("__name__")).cast<std::string>()
                               : py::str(qualname).cast<std::string>();
  } catch (const py::error_already_set&) {
    name = "callable";
  }
  return name;
}

/// The message of the Python exception being handled, with its traceback.
std::string FormatPythonError(py::error_already_set& e) {
  try {
    const py::module_ traceback = py::module_::import("traceback");
    const py::list lines = traceback.attr("format_exception")(e.type(), e.value(), e.trace());
    std::string text = "the Python model raised an exception:\n";
    for (const py::handle line : lines) text += py::str(line).cast<std::string>();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  } catch (...) {
    return std::string("the Python model raised an exception: ") + e.what();
  }
}

/// A BatchFunction calling `callable` with a (rows x inputs) float64 array; it must return rows x
/// (at least) outputs values. The GIL is held only for the call and the conversions.
scenarios::BatchFunction CallableBatch(py::object callable, size_t inputs, size_t outputs) {
  auto shared = std::shared_ptr<py::object>(new py::object(std::move(callable)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [shared, inputs, outputs](std::span<const double> observations, size_t rows, std::span<double> actions) {
    py::gil_scoped_acquire gil;
    try {
      Array x({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(inputs)});
      std::copy(observations.begin(), observations.end(), x.mutable_data());
      const py::object result = (*shared)(x);
      const Array y = Array::ensure(result);
      if (!y) throw std::runtime_error("the Python model returned something that is not a float array");
      // (rows, >= outputs), or (rows,) for a single output
      const bool one_per_row = y.ndim() == 1 && outputs == 1 && static_cast<size_t>(y.shape(0)) == rows;
      const size_t cols = y.ndim() == 2 ? static_cast<size_t>(y.shape(1)) : (one_per_row ? 1 : 0);
      const size_t got_rows = y.ndim() == 2 ? static_cast<size_t>(y.shape(0)) : (one_per_row ? rows : 0);
      if (got_rows != rows || cols < outputs) {
        std::string shape = "(";
        for (py::ssize_t d = 0; d < y.ndim(); ++d) {
          if (d > 0) shape += ", ";
          shape += std::to_string(y.shape(d));
        }
        throw std::runtime_error("the Python model returned an array of shape " + shape + (y.ndim() == 1 ? ",)" : ")") +
                                 ", expected (" + std::to_string(rows) + ", " + std::to_string(outputs) + ") for " +
                                 std::to_string(rows) + " observations");
      }
      const double* data = y.data();
      for (size_t r = 0; r < rows; ++r) {
        for (size_t k = 0; k < outputs; ++k) actions[r * outputs + k] = data[r * cols + k];
      }
    } catch (py::error_already_set& e) {
      throw std::runtime_error(FormatPythonError(e));
    }
  };
}

int Run(const std::vector<std::string>& args, const std::map<std::string, py::object>& callables,
        const std::map<std::string, std::string>& networks) {
  app::SuiteHook hook;
  if (!callables.empty()) {
    hook = [&callables, &networks](scenarios::Suite& suite) {
      py::gil_scoped_acquire gil;
      for (const auto& [slot, callable] : callables) {
        auto it = suite.models.find(slot);
        if (it == suite.models.end()) {
          std::string list;
          for (const auto& entry : suite.models) {
            if (!list.empty()) list += ", ";
            list += entry.first;
          }
          throw core::InputError({suite.path, 0, 0}, "models: the suite has no model slot '" + slot +
                                                         "' (its slots: " + list + ")");
        }
        const size_t outputs = OutputsNeeded(suite, slot);
        std::vector<std::string> inputs = it->second.policy->input_names();
        for (const scenarios::Family& family : suite.families) {
          if (family.model_slot != slot) continue;
          inputs.clear();
          for (const auto& o : family.scenario->model_binding.observation) inputs.push_back(o.name);
          break;
        }
        const std::string source = "python:" + Describe(callable);
        it->second.source = source;
        // formal checks need the network: known when the callable is a gauntlet.Model (or its eval)
        const auto known = networks.find(slot);
        it->second.network = known == networks.end() ? nullptr : models::Model::LoadModel(known->second);
        if (!it->second.network) {
          for (const scenarios::Family& family : suite.families) {
            const scenarios::FormalSpec& formal = family.scenario->formal;
            if (family.model_slot == slot && (!formal.output_bounds.empty() || !formal.local_robustness.empty())) {
              py::print("gauntlet run: the formal checks of family '" + family.name + "' are skipped: the model in slot '" +
                            slot + "' is a Python callable with no network to check (pass gauntlet.load_model(path) or "
                            "its .eval to check that network)",
                        py::arg("file") = py::module_::import("sys").attr("stderr"));
            }
          }
        }
        it->second.by_previous_advisory.clear();
        it->second.policy = std::make_shared<scenarios::BatchPolicy>(
            inputs, outputs, CallableBatch(callable, inputs.size(), outputs));
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx",
                      static_cast<unsigned long long>(core::StableHash(suite.fingerprint + "|" + slot + "=" + source)));
        suite.fingerprint = hex;
      }
    };
  }
  py::gil_scoped_release release;
  return app::RunRunCommandWith(args, hook);
}

int RunCommand(const std::string& command, const std::vector<std::string>& args) {
  py::gil_scoped_release release;
  if (command == "check") return app::RunCheckCommand(args);
  if (command == "monitor") return app::RunMonitorCommand(args);
  if (command == "replay") return app::RunReplayCommand(args);
  if (command == "merge") return app::RunMergeCommand(args);
  throw std::invalid_argument("unknown command '" + command + "'");
}

// ---- recorded logs ------------------------------------------------------------------------------

py::dict ResultDict(const scenarios::InstanceResult& result) {
  auto outcomes = [](const std::vector<scenarios::RequirementOutcome>& list) {
    py::dict out;
    for (const scenarios::RequirementOutcome& r : list) {
      py::dict d;
      d["robustness"] = r.robustness;
      d["satisfied"] = r.satisfied;
      d["gating"] = r.gating;
      d["first_violation_time_s"] = r.first_violation_time_s ? py::cast(*r.first_violation_time_s) : py::none();
      d["min_robustness"] = r.min_robustness;
      d["min_robustness_time_s"] = r.min_robustness_time_s;
      out[py::str(r.name)] = d;
    }
    return out;
  };
  py::dict out;
  out["requirements"] = outcomes(result.requirements);
  out["assumptions"] = outcomes(result.assumptions);
  py::dict metrics;
  for (const auto& [name, value] : result.metrics) metrics[py::str(name)] = value;
  out["metrics"] = metrics;
  out["valid"] = result.status != scenarios::InstanceStatus::kInvalid;
  out["passed"] = result.Passed();
  return out;
}

py::dict CheckTrace(const std::string& scenario_path, const core::Trace& trace, const std::string& trace_name) {
  const std::shared_ptr<const scenarios::Scenario> scenario = scenarios::LoadScenario(scenario_path);
  scenarios::InstanceResult result;
  {
    py::gil_scoped_release release;
    scenarios::EvaluateRecordedTrace(*scenario, trace, trace_name, &result);
  }
  return ResultDict(result);
}

// ---- the environment ----------------------------------------------------------------------------

class PyEnv {
 public:
  explicit PyEnv(const std::string& path) : env_(scenarios::LoadScenario(path)) {}

  [[nodiscard]] size_t observation_size() const { return env_.observation_size(); }
  [[nodiscard]] size_t action_size() const { return env_.action_size(); }
  [[nodiscard]] std::string slot() const { return env_.scenario().model_binding.slot; }
  [[nodiscard]] std::vector<std::string> parameter_names() const {
    std::vector<std::string> names;
    for (const auto& p : env_.scenario().parameters.parameters) names.push_back(p.name);
    return names;
  }
  [[nodiscard]] std::vector<std::string> requirement_names() const {
    std::vector<std::string> names;
    for (const auto& r : env_.scenario().requirements) names.push_back(r.spec.name);
    return names;
  }
  [[nodiscard]] std::vector<bool> requirement_gating() const {
    std::vector<bool> gating;
    for (const auto& r : env_.scenario().requirements) gating.push_back(r.spec.gating);
    return gating;
  }
  /// Values drawn from the parameter distributions with `u` in the unit cube.
  [[nodiscard]] std::vector<double> FromUnit(const std::vector<double>& u) const {
    return env_.scenario().parameters.FromUnit(u);
  }
  [[nodiscard]] std::vector<double> Nominal() const { return env_.scenario().parameters.NominalPoint(); }

  void Reset(const std::vector<double>& values, uint64_t seed) {
    py::gil_scoped_release release;
    env_.Reset(values, seed);
  }
  void Step(const Array& action) {
    if (action.ndim() > 1) throw std::invalid_argument("the action must be a 1-D array");
    const std::span<const double> a(action.data(), static_cast<size_t>(action.size()));
    py::gil_scoped_release release;
    env_.Step(a);
  }
  [[nodiscard]] Array observation() const {
    const std::span<const double> o = env_.observation();
    Array out(static_cast<py::ssize_t>(o.size()));
    std::copy(o.begin(), o.end(), out.mutable_data());
    return out;
  }
  [[nodiscard]] bool terminated() const { return env_.terminated(); }
  [[nodiscard]] bool truncated() const { return env_.truncated(); }
  [[nodiscard]] double time_s() const { return env_.time_s(); }
  [[nodiscard]] std::vector<double> robustness() const { return env_.RequirementRobustness(); }
  [[nodiscard]] std::vector<std::pair<std::string, double>> parameters() const { return env_.parameters(); }
  [[nodiscard]] py::object result() const {
    if (!env_.done()) return py::none();
    return ResultDict(env_.result());
  }
  [[nodiscard]] std::map<std::string, Array> trace() const {
    const core::Trace& t = env_.trace();
    std::map<std::string, Array> out;
    auto column = [](std::span<const double> values) {
      Array a(static_cast<py::ssize_t>(values.size()));
      std::copy(values.begin(), values.end(), a.mutable_data());
      return a;
    };
    out["time"] = column(t.time());
    for (size_t i = 0; i < t.names().size(); ++i) out[t.names()[i]] = column(t.column(i));
    return out;
  }

 private:
  scenarios::ScenarioEnv env_;
};

}  // namespace
}  // namespace gauntlet::python

PYBIND11_MODULE(_core, m) {
  using namespace gauntlet::python;
  namespace core = gauntlet::core;
  m.doc() = "The C++ core of the gauntlet package (use the functions of gauntlet, not these).";

  static py::exception<core::InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const core::InputError& e) {
      input_error(e.what());
    } catch (const gauntlet::verifier::stl::EvaluationError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  m.def("monitor", &Monitor, py::arg("formula"), py::arg("signals"), py::arg("time") = py::none(),
        py::arg("dt") = py::none());
  py::class_<PyModel>(m, "Model")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_property_readonly("input_size", &PyModel::input_size)
      .def_property_readonly("output_size", &PyModel::output_size)
      .def_property_readonly("path", &PyModel::path)
      .def("eval", &PyModel::Eval, py::arg("x"), py::arg("raw") = false)
      .def("bounds", &PyModel::Bounds, py::arg("lo"), py::arg("hi"), py::arg("method") = "crown");
  m.def("prove", &Prove, py::arg("model_path"), py::arg("property_path"), py::arg("timeout"), py::arg("threads") = 0);
  m.def("check", &Check, py::arg("paths"));
  m.def("run", &Run, py::arg("args"), py::arg("callables"), py::arg("networks"));
  m.def("command", &RunCommand, py::arg("command"), py::arg("args"));
  m.def("check_trace_csv", [](const std::string& scenario, const std::string& csv) {
    return CheckTrace(scenario, core::Trace::ReadCsvFile(csv), csv);
  });
  m.def("check_trace_arrays", [](const std::string& scenario, const std::map<std::string, Array>& signals,
                                 const std::optional<Array>& time, std::optional<double> dt) {
    return CheckTrace(scenario, TraceFromArrays(signals, time, dt), "<arrays>");
  });
  py::class_<PyEnv>(m, "Env")
      .def(py::init<const std::string&>(), py::arg("scenario_path"))
      .def_property_readonly("observation_size", &PyEnv::observation_size)
      .def_property_readonly("action_size", &PyEnv::action_size)
      .def_property_readonly("slot", &PyEnv::slot)
      .def_property_readonly("parameter_names", &PyEnv::parameter_names)
      .def_property_readonly("requirement_names", &PyEnv::requirement_names)
      .def_property_readonly("requirement_gating", &PyEnv::requirement_gating)
      .def("from_unit", &PyEnv::FromUnit)
      .def("nominal", &PyEnv::Nominal)
      .def("reset", &PyEnv::Reset)
      .def("step", &PyEnv::Step)
      .def("observation", &PyEnv::observation)
      .def_property_readonly("terminated", &PyEnv::terminated)
      .def_property_readonly("truncated", &PyEnv::truncated)
      .def_property_readonly("time_s", &PyEnv::time_s)
      .def("robustness", &PyEnv::robustness)
      .def("parameters", &PyEnv::parameters)
      .def("result", &PyEnv::result)
      .def("trace", &PyEnv::trace);
}
