// render_top_view: one top-view picture per scenario of a suite, for the documentation.
//
//   build/tools/render_top_view configs/example.yaml docs/img [--count 40] [--threads 2]
//
// For each scenario the suite names (the first suite entry using it, with that entry's model), it runs
// a small campaign (the edge cases, at most 8 corners, and `--count` uniform points), picks the
// completed instance with the lowest robustness of any gating requirement (the first such in plan
// order on ties), replays it with its trace, and writes `<out_dir>/<scenario>.svg`: the roads, the
// actors' paths, their footprints at the requirement's worst moment (min_robustness_time_s). The
// pictures depend only on the suite (deterministic campaign, deterministic SVG). It prints one line
// per picture. Exit codes follow the gauntlet contract: 0 done, 2 usage or input error, 3 other.

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/trace.h"
#include "reports/top_view.h"
#include "scenarios/campaign.h"
#include "scenarios/replay.h"
#include "scenarios/suite.h"
#include "sim/road_network.h"

namespace {

using namespace gauntlet;

constexpr const char* kUsage = "usage: render_top_view SUITE.yaml OUT_DIR [--count N] [--threads N]\n";

struct Worst {
  const scenarios::InstanceResult* result = nullptr;
  const scenarios::RequirementOutcome* requirement = nullptr;
};

/// The completed instance whose gating requirement has the lowest robustness (first in plan order).
Worst FindWorst(const std::vector<scenarios::InstanceResult>& results) {
  Worst worst;
  double lowest = std::numeric_limits<double>::infinity();
  for (const auto& r : results) {
    if (r.status != scenarios::InstanceStatus::kCompleted) continue;
    for (const auto& q : r.requirements) {
      if (!q.gating) continue;
      if (worst.result == nullptr || q.robustness < lowest) {
        lowest = q.robustness;
        worst = {&r, &q};
      }
    }
  }
  return worst;
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

/// Renders one family; returns the picture's path.
std::string RenderFamily(const scenarios::Suite& suite, const scenarios::Family& family, int64_t count,
                         int threads, const std::filesystem::path& out_dir) {
  // a small run of the family alone
  scenarios::Suite small = suite;
  small.families = {family};
  small.families[0].generators.clear();
  scenarios::GeneratorSpec edges;
  edges.kind = scenarios::GeneratorKind::kEdgeCases;
  edges.corner_budget = 8;
  scenarios::GeneratorSpec uniform;
  uniform.kind = scenarios::GeneratorKind::kUniform;
  uniform.count = count;
  small.families[0].generators = {edges, uniform};
  const scenarios::CampaignOutcome outcome = scenarios::RunCampaign(small, {.threads = threads});
  const Worst worst = FindWorst(outcome.results);
  if (worst.result == nullptr) throw std::runtime_error("no completed instance of " + family.name);

  // its replay, with the trace
  const scenarios::Scenario& scenario = *family.scenario;
  const scenarios::Replay replay = scenarios::ReplayInstance(small, *worst.result);
  const scenarios::InstanceResult& again = replay.result;
  const core::Trace& trace = replay.trace;
  const std::vector<double> values = scenarios::RecordedValues(small.families[0], *worst.result, {small.path, 0, 0});
  const scenarios::ResolvedInstance instance = scenario.Resolve(values);
  std::vector<core::FieldError> errors;
  const sim::RoadNetwork road = sim::RoadNetwork::Build(instance.world.road, &errors);
  if (!errors.empty()) throw std::runtime_error("the road of " + worst.result->id + " does not build");

  reports::TopViewOptions options;
  options.title = scenario.name + " (" + family.model_slot + "): " + worst.requirement->name + " " +
                  (worst.requirement->satisfied ? "holds" : "violated") + ", robustness " +
                  Format("%.3g", worst.requirement->robustness);
  options.subtitle = again.id;
  options.highlight_time_s = worst.requirement->min_robustness_time_s;
  options.highlight_label = "worst " + worst.requirement->name;
  const std::string svg =
      reports::RenderTopViewSvg(road, trace, reports::TopViewActorsOf(instance.world), options);
  const std::filesystem::path path = out_dir / (scenario.name + ".svg");
  std::ofstream out(path, std::ios::binary);
  out << svg;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::printf("%s  %s  %s robustness %.6g at t = %.2f s  (%zu instances)\n", path.string().c_str(), again.id.c_str(),
              worst.requirement->name.c_str(), worst.requirement->robustness, worst.requirement->min_robustness_time_s,
              outcome.results.size());
  return path.string();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  int64_t count = 40;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--count" || arg == "--threads") && i + 1 < argc) {
      try {
        const long long value = std::stoll(argv[++i]);
        if (value < 0) throw std::invalid_argument("negative");
        if (arg == "--count") {
          count = value;
        } else {
          threads = static_cast<int>(value);
        }
      } catch (const std::exception&) {
        std::fprintf(stderr, "render_top_view: %s expects a non-negative integer\n%s", arg.c_str(), kUsage);
        return 2;
      }
    } else if (arg.starts_with("--")) {
      std::fprintf(stderr, "render_top_view: unknown option '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const scenarios::Suite suite = scenarios::LoadSuite(positional[0]);
    const std::filesystem::path out_dir = positional[1];
    std::filesystem::create_directories(out_dir);
    std::set<std::string> done;
    for (const auto& family : suite.families) {
      if (!done.insert(family.scenario->name).second) continue;
      RenderFamily(suite, family, count, threads, out_dir);
    }
  } catch (const core::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "render_top_view: %s\n", e.what());
    return 3;
  }
  return 0;
}
