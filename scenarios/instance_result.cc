#include "scenarios/instance_result.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/format.h"

namespace gauntlet::scenarios {
namespace {

using Json = nlohmann::ordered_json;

Json Number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double ToNumber(const Json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    if (s == "nan") return NAN;
    throw std::runtime_error("not a number: " + s);
  }
  return j.get<double>();
}

Json Outcome(const RequirementOutcome& r) {
  Json j;
  j["name"] = r.name;
  j["gating"] = r.gating;
  j["verdict"] = r.inconclusive ? "inconclusive" : r.satisfied ? "pass" : "fail";
  j["robustness"] = Number(r.robustness);
  j["first_violation_s"] = r.first_violation_time_s ? Number(*r.first_violation_time_s) : Json(nullptr);
  j["min_robustness"] = Number(r.min_robustness);
  j["min_robustness_s"] = Number(r.min_robustness_time_s);
  j["averaged_robustness"] = Number(r.averaged_robustness);
  if (r.robustness_bounds) {
    j["robustness_lo"] = Number(r.robustness_bounds->first);
    j["robustness_hi"] = Number(r.robustness_bounds->second);
  }
  return j;
}

/// A count or seed: a non-negative integer (a negative or fractional number would convert silently).
uint64_t ToUnsigned(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (!v.is_number_unsigned()) throw std::runtime_error(std::string("'") + key + "' is not a non-negative integer");
  return v.get<uint64_t>();
}

/// A line whose verdict contradicts its numbers is not one ToJsonLine writes (a line edited by hand): a pass
/// needs a robustness >= 0 (not NaN), a fail one < 0.
void CheckVerdict(const RequirementOutcome& r) {
  const std::string name = "requirement '" + r.name + "': ";
  if (r.satisfied && r.robustness < 0.0) throw std::runtime_error(name + "verdict pass with a negative robustness");
  if (r.satisfied && std::isnan(r.robustness)) throw std::runtime_error(name + "verdict pass with a robustness nan");
  if (!r.satisfied && !r.inconclusive && r.robustness >= 0.0) {
    throw std::runtime_error(name + "verdict fail with a robustness >= 0");
  }
  if (r.first_violation_time_s && !(!r.satisfied && !r.inconclusive)) {
    throw std::runtime_error(name + "a first violation time without a violation");
  }
  if (!r.robustness_bounds) {
    if (r.inconclusive) throw std::runtime_error(name + "verdict inconclusive without robustness_lo and robustness_hi");
    return;
  }
  const auto [lo, hi] = *r.robustness_bounds;
  if (!(lo <= hi) || !(lo <= r.robustness && r.robustness <= hi)) {
    throw std::runtime_error(name + "the robustness is not inside [robustness_lo, robustness_hi]");
  }
  const bool consistent = r.inconclusive ? lo < 0.0 && hi >= 0.0 && r.robustness == lo
                                         : r.satisfied ? lo >= 0.0 : hi < 0.0;
  if (!consistent) {
    throw std::runtime_error(name + "the verdict does not follow from robustness_lo and robustness_hi (pass: lo >= 0, "
                                    "fail: hi < 0, inconclusive: otherwise, with the robustness at lo)");
  }
}

Json Numbers(const std::vector<double>& values) {
  Json a = Json::array();
  for (const double v : values) a.push_back(Number(v));
  return a;
}

std::vector<double> ParseNumbers(const Json& j) {
  if (!j.is_array()) throw std::runtime_error("a witness holds arrays of numbers");
  std::vector<double> values;
  for (const Json& v : j) values.push_back(ToNumber(v));
  return values;
}

RequirementOutcome ParseOutcome(const Json& j) {
  RequirementOutcome r;
  r.name = j.at("name").get<std::string>();
  r.gating = j.at("gating").get<bool>();
  const std::string verdict = j.at("verdict").get<std::string>();
  if (verdict != "pass" && verdict != "fail" && verdict != "inconclusive") {
    throw std::runtime_error("verdict '" + verdict + "' is neither pass, fail nor inconclusive");
  }
  r.satisfied = verdict == "pass";
  r.inconclusive = verdict == "inconclusive";
  r.robustness = ToNumber(j.at("robustness"));
  if (!j.at("first_violation_s").is_null()) r.first_violation_time_s = ToNumber(j.at("first_violation_s"));
  r.min_robustness = ToNumber(j.at("min_robustness"));
  r.min_robustness_time_s = ToNumber(j.at("min_robustness_s"));
  // results written before the field existed: the robustness, which a search used then
  r.averaged_robustness = j.contains("averaged_robustness") ? ToNumber(j.at("averaged_robustness")) : r.robustness;
  if (j.contains("robustness_lo") != j.contains("robustness_hi")) {
    throw std::runtime_error("'robustness_lo' and 'robustness_hi' come together");
  }
  if (j.contains("robustness_lo")) r.robustness_bounds = {ToNumber(j.at("robustness_lo")), ToNumber(j.at("robustness_hi"))};
  CheckVerdict(r);
  return r;
}

}  // namespace

const char* StatusName(InstanceStatus status) {
  switch (status) {
    case InstanceStatus::kCompleted:
      return "completed";
    case InstanceStatus::kInvalid:
      return "invalid";
    case InstanceStatus::kError:
      return "error";
  }
  return "error";
}

bool InstanceResult::Passed() const {
  if (status != InstanceStatus::kCompleted) return false;
  for (const auto& r : requirements) {
    if (r.gating && !r.satisfied) return false;
  }
  return true;
}

bool InstanceResult::Failed() const { return status == InstanceStatus::kCompleted && !Passed(); }

bool InstanceResult::Inconclusive() const {
  if (!Failed()) return false;
  for (const auto& r : requirements) {
    if (r.gating && !r.satisfied && !r.inconclusive) return false;
  }
  return true;
}

const char* InstanceResult::VerdictName() const {
  if (status == InstanceStatus::kError) return "error";
  if (status == InstanceStatus::kInvalid) return "invalid";
  if (Passed()) return "passed";
  return Inconclusive() ? "inconclusive" : "failed";
}

double InstanceResult::Infeasibility() const {
  if (status != InstanceStatus::kInvalid) return 0.0;
  double worst = 0.0;
  for (const auto& a : assumptions) {
    // a broken assumption has robustness <= 0; the smallest positive amount keeps it infeasible
    if (!a.satisfied) worst = std::max({worst, -a.robustness, std::numeric_limits<double>::min()});
  }
  return worst;
}

std::string WitnessText(const FormalWitness& w) {
  const auto list = [](const std::vector<double>& values) {
    std::string text = "[";
    for (size_t i = 0; i < values.size(); ++i) text += (i > 0 ? ", " : "") + core::FormatDouble(values[i]);
    return text + "]";
  };
  std::string text = "witness: input " + list(w.input) + ", output " + list(w.output);
  if (!w.reference_input.empty()) {
    text += "; reference input " + list(w.reference_input) + ", output " + list(w.reference_output);
  }
  return text;
}

std::string MakeInstanceId(const std::string& family, size_t index,
                           const std::vector<std::pair<std::string, double>>& parameters) {
  std::string id = family + "#" + std::to_string(index);
  for (const auto& [name, value] : parameters) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    id += ' ' + name + '=' + buffer;
  }
  return id;
}

std::string ToJsonLine(const InstanceResult& r) {
  Json j;
  j["id"] = r.id;
  j["family"] = r.family;
  j["index"] = r.index;
  j["origin"] = r.origin;
  Json params = Json::object();
  for (const auto& [name, value] : r.parameters) params[name] = Number(value);
  j["parameters"] = params;
  j["seed"] = r.seed;
  j["status"] = StatusName(r.status);
  if (r.status == InstanceStatus::kError) j["error"] = r.error;
  Json reqs = Json::array();
  for (const auto& req : r.requirements) reqs.push_back(Outcome(req));
  j["requirements"] = reqs;
  if (r.witness) {
    Json w;
    w["input"] = Numbers(r.witness->input);
    w["output"] = Numbers(r.witness->output);
    if (!r.witness->reference_input.empty()) {
      w["reference_input"] = Numbers(r.witness->reference_input);
      w["reference_output"] = Numbers(r.witness->reference_output);
    }
    j["witness"] = w;
  }
  if (!r.assumptions.empty()) {
    Json as = Json::array();
    for (const auto& a : r.assumptions) as.push_back(Outcome(a));
    j["assumptions"] = as;
  }
  Json metrics = Json::object();
  for (const auto& [name, value] : r.metrics) metrics[name] = Number(value);
  j["metrics"] = metrics;
  j["steps"] = r.steps;
  j["end_time_s"] = Number(r.end_time_s);
  return j.dump();
}

InstanceResult FromJsonLine(const std::string& line, const std::string& where) {
  try {
    const Json j = Json::parse(line);
    InstanceResult r;
    r.id = j.at("id").get<std::string>();
    r.family = j.at("family").get<std::string>();
    r.index = ToUnsigned(j, "index");
    r.origin = j.at("origin").get<std::string>();
    for (const auto& [name, value] : j.at("parameters").items()) r.parameters.emplace_back(name, ToNumber(value));
    r.seed = ToUnsigned(j, "seed");
    const std::string status = j.at("status").get<std::string>();
    if (status == "completed") {
      r.status = InstanceStatus::kCompleted;
    } else if (status == "invalid") {
      r.status = InstanceStatus::kInvalid;
    } else if (status == "error") {
      r.status = InstanceStatus::kError;
    } else {
      throw std::runtime_error("unknown status '" + status + "'");
    }
    if (j.contains("error")) r.error = j.at("error").get<std::string>();
    for (const auto& req : j.at("requirements")) r.requirements.push_back(ParseOutcome(req));
    if (j.contains("witness")) {
      const Json& w = j.at("witness");
      FormalWitness witness;
      witness.input = ParseNumbers(w.at("input"));
      witness.output = ParseNumbers(w.at("output"));
      if (w.contains("reference_input")) {
        witness.reference_input = ParseNumbers(w.at("reference_input"));
        witness.reference_output = ParseNumbers(w.at("reference_output"));
      }
      r.witness = std::move(witness);
    }
    if (j.contains("assumptions")) {
      for (const auto& a : j.at("assumptions")) r.assumptions.push_back(ParseOutcome(a));
    }
    for (const auto& [name, value] : j.at("metrics").items()) r.metrics.emplace_back(name, ToNumber(value));
    r.steps = ToUnsigned(j, "steps");
    r.end_time_s = ToNumber(j.at("end_time_s"));
    return r;
  } catch (const std::exception& e) {
    throw core::InputError({where, 0, 0}, std::string("not a results line: ") + e.what());
  }
}

}  // namespace gauntlet::scenarios
