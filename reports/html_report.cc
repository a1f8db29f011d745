#include "reports/html_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"
#include "reports/top_view.h"
#include "scenarios/campaign.h"
#include "reports/html_report_plots.h"

namespace gauntlet::reports {

namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

double WorstGating(const InstanceResult& r) {
  double worst = INFINITY;
  for (const auto& q : r.requirements)
    if (q.gating && !q.satisfied) worst = std::min(worst, q.robustness);
  return worst;
}

bool IsFormal(const InstanceResult& r) { return r.origin == "formal"; }

}  // namespace

std::optional<SignalThreshold> SignalThresholdOf(const std::string& formula) {
  static const std::regex kLeft(R"(([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?))");
  static const std::regex kRight(R"((-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*(>=|<=|>|<)\s*([A-Za-z_][A-Za-z0-9_.]*))");
  std::smatch left, right;
  const bool has_left = std::regex_search(formula, left, kLeft);
  const bool has_right = std::regex_search(formula, right, kRight);
  if (has_left && (!has_right || left.position(0) <= right.position(0))) {
    return SignalThreshold{left[1].str(), std::stod(left[3].str()), left[2].str()};
  }
  if (has_right) {
    // "2 < lead.gap" is "lead.gap > 2"
    const std::string op = right[2].str();
    const std::string flipped = op == "<" ? ">" : op == "<=" ? ">=" : op == ">" ? "<" : "<=";
    return SignalThreshold{right[3].str(), std::stod(right[1].str()), flipped};
  }
  return std::nullopt;
}

std::vector<InstanceResult> ReadResultsFile(const std::string& results_jsonl) {
  if (std::error_code ec; std::filesystem::exists(results_jsonl, ec)) {
    core::CheckInputFile(results_jsonl, core::InputKind::kResults);  // not a FIFO, a folder or a device
  }
  std::ifstream in(results_jsonl, std::ios::binary);
  if (!in) throw core::InfrastructureError("cannot read " + results_jsonl);
  std::vector<InstanceResult> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    out.push_back(scenarios::FromJsonLine(line, results_jsonl + ":" + std::to_string(line_no)));
    out.back().plan_index = out.size() - 1;
  }
  return out;
}

std::vector<size_t> WorstInstances(const std::vector<InstanceResult>& results, size_t count) {
  std::vector<size_t> failed;
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].Failed()) failed.push_back(i);
  std::stable_sort(failed.begin(), failed.end(),
                   [&](size_t a, size_t b) { return WorstGating(results[a]) < WorstGating(results[b]); });
  if (failed.size() > count) failed.resize(count);
  return failed;
}

std::vector<CaseChoice> SelectCases(const std::vector<InstanceResult>& results, size_t max_cases) {
  // (family, requirement) in order of first appearance, with the worst and the worst shrunk violation
  struct Slot {
    std::string family, requirement;
    std::optional<size_t> worst, shrunk;
  };
  std::vector<Slot> slots;
  std::map<std::pair<std::string, std::string>, size_t> slot_of;
  auto lower = [&](std::optional<size_t>& best, size_t i, const std::string& requirement) {
    const double r = html::FindRequirement(results[i], requirement)->robustness;
    if (!best || r < html::FindRequirement(results[*best], requirement)->robustness) best = i;
  };
  for (size_t i = 0; i < results.size(); ++i) {
    const InstanceResult& r = results[i];
    if (r.status != InstanceStatus::kCompleted || IsFormal(r)) continue;
    for (const auto& q : r.requirements) {
      if (!q.gating || q.satisfied) continue;
      const auto key = std::make_pair(r.family, q.name);
      auto it = slot_of.find(key);
      if (it == slot_of.end()) {
        it = slot_of.emplace(key, slots.size()).first;
        slots.push_back({r.family, q.name, std::nullopt, std::nullopt});
      }
      Slot& slot = slots[it->second];
      lower(slot.worst, i, q.name);
      if (r.origin == "shrunk") lower(slot.shrunk, i, q.name);
    }
  }
  // families together, in order of first appearance
  std::vector<std::string> families;
  for (const Slot& s : slots)
    if (std::find(families.begin(), families.end(), s.family) == families.end()) families.push_back(s.family);
  // an instance that is the worst (or the shrunk case) of several requirements is shown once, for the first
  std::vector<CaseChoice> out;
  std::set<std::pair<size_t, std::string>> taken;
  auto add = [&](size_t index, const std::string& requirement, const std::string& role) {
    if (out.size() < max_cases && taken.insert({index, role}).second) out.push_back({index, requirement, role});
  };
  for (const std::string& family : families) {
    for (const Slot& s : slots) {
      if (s.family != family) continue;
      add(*s.worst, s.requirement, "worst");
      if (s.shrunk && *s.shrunk != *s.worst) add(*s.shrunk, s.requirement, "shrunk");
    }
  }
  return out;
}

HtmlCase MakeHtmlCase(const scenarios::Suite& suite, scenarios::Replay replay, const std::string& out_dir,
                      const std::string& requirement, const std::string& role) {
  HtmlCase c;
  c.result = std::move(replay.result);
  c.trace = std::move(replay.trace);
  c.role = role;
  const InstanceResult& result = c.result;
  const scenarios::Family& family = scenarios::FamilyOf(suite, result);
  const scenarios::Scenario& scenario = *family.scenario;
  const std::vector<double> values = scenarios::RecordedValues(family, result, {suite.path, 0, 0});
  // the requirement shown: the one asked for, else the worst gating one
  const scenarios::RequirementOutcome* shown = requirement.empty() ? nullptr : html::FindRequirement(result, requirement);
  if (shown == nullptr) {
    for (const auto& q : result.requirements)
      if (q.gating && (shown == nullptr || q.robustness < shown->robustness)) shown = &q;
  }
  if (shown != nullptr) {
    c.requirement = shown->name;
    for (const auto& req : scenario.requirements)
      if (req.spec.name == shown->name) c.formula = req.spec.formula;
  }
  // the top view at the first violation, with actors the replay moves
  const sim::WorldSpec world = scenario.Resolve(values).world;
  std::vector<core::FieldError> errors;
  const sim::RoadNetwork network = sim::RoadNetwork::Build(world.road, &errors);
  if (errors.empty()) {
    TopViewOptions options;
    options.title = result.family + " #" + std::to_string(result.index);
    options.subtitle = result.id;
    if (shown != nullptr) {
      options.highlight_time_s = shown->first_violation_time_s ? *shown->first_violation_time_s : shown->min_robustness_time_s;
      options.highlight_label = shown->first_violation_time_s ? "first violation of " + shown->name : "worst robustness";
    }
    options.width_px = 760;
    options.live_actors = true;
    options.clip_id = "map-" + std::to_string(result.plan_index) + "-" + role;
    c.actors = TopViewActorsOf(world);
    c.top_view_svg = RenderTopViewSvg(network, c.trace, c.actors, options);
  }
  c.replay_command = core::ReplayCommand(out_dir, result.id) + " --html replay.html";
  return c;
}

}  // namespace gauntlet::reports
