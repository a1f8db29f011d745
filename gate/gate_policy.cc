#include "gate/gate_policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/suggest.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::gate {

namespace {

constexpr std::array<core::EnumName<RateBound>, 3> kRateBoundNames{{
    {RateBound::kLower, "lower"},
    {RateBound::kUpper, "upper"},
    {RateBound::kPoint, "point"},
}};
constexpr std::array<core::EnumName<RateInstances>, 2> kRateInstancesNames{{
    {RateInstances::kRandomDraws, "random_draws"},
    {RateInstances::kAll, "all"},
}};
constexpr std::array<core::EnumName<DropStatistic>, 2> kDropStatisticNames{{
    {DropStatistic::kMedian, "median"},
    {DropStatistic::kWorst, "worst"},
}};

}  // namespace

std::span<const core::EnumName<RateBound>> EnumNames(RateBound) { return kRateBoundNames; }
std::span<const core::EnumName<RateInstances>> EnumNames(RateInstances) { return kRateInstancesNames; }
std::span<const core::EnumName<DropStatistic>> EnumNames(DropStatistic) { return kDropStatisticNames; }

GatePolicy LoadGatePolicy(const std::string& path, const std::vector<std::string>& known_requirements) {
  core::Diagnostics diags;
  YAML::Node root = scenarios::LoadYamlFile(path);
  // an empty file is the default policy
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  scenarios::YamlReader reader(path, &diags);
  GatePolicy policy;
  reader.Read(root, "", &policy);
  diags.ThrowIfAny();

  // names the suite does not have
  const auto check_name = [&](const std::string& name, const std::string& field) {
    if (known_requirements.empty() || name.empty()) return;
    if (std::find(known_requirements.begin(), known_requirements.end(), name) != known_requirements.end()) return;
    diags.Error(reader.PositionOf(field), "unknown requirement '" + name + "'" +
                                              core::DidYouMean(name, known_requirements) +
                                              "; the suite's requirements are " + core::QuotedList(known_requirements));
  };
  for (size_t i = 0; i < policy.blocking.size(); ++i)
    check_name(policy.blocking[i], core::IndexPath("blocking", i));
  for (size_t i = 0; i < policy.zero_tolerance.size(); ++i)
    check_name(policy.zero_tolerance[i], core::IndexPath("zero_tolerance", i));
  for (size_t i = 0; i < policy.min_pass_rate.size(); ++i) {
    const std::string where = core::IndexPath("min_pass_rate", i);
    const PassRateRule& rule = policy.min_pass_rate[i];
    check_name(rule.requirement, core::JoinPath(where, "requirement"));
    if (!(rule.rate >= 0.0 && rule.rate <= 1.0))
      diags.Error(reader.PositionOf(core::JoinPath(where, "rate")), "rate must be in [0, 1] in " + where);
  }
  for (size_t i = 0; i < policy.max_robustness_drop.size(); ++i) {
    const std::string where = core::IndexPath("max_robustness_drop", i);
    const RobustnessDropRule& rule = policy.max_robustness_drop[i];
    check_name(rule.requirement, core::JoinPath(where, "requirement"));
    if (!(rule.drop >= 0.0))
      diags.Error(reader.PositionOf(core::JoinPath(where, "drop")), "drop must be >= 0 in " + where);
  }
  diags.ThrowIfAny();
  return policy;
}

}  // namespace gauntlet::gate
