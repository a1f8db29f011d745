#pragma once
// A result for the reports' tests: family `family`, index `index`, one parameter x = index and one gating
// requirement `keep_gap` of the given robustness, made by `origin`.

#include <string>

#include "scenarios/instance_result.h"

namespace gauntlet::test {

inline scenarios::InstanceResult OneRequirementResult(const std::string& family, size_t index, double robustness,
                                                      const std::string& origin) {
  scenarios::InstanceResult r;
  r.family = family;
  r.index = index;
  r.origin = origin;
  r.parameters = {{"x", static_cast<double>(index)}};
  r.id = scenarios::MakeInstanceId(family, index, r.parameters);
  r.seed = index;
  scenarios::RequirementOutcome q;
  q.name = "keep_gap";
  q.robustness = robustness;
  q.satisfied = robustness >= 0;
  q.min_robustness = robustness;
  q.averaged_robustness = robustness;
  r.requirements.push_back(q);
  return r;
}

}  // namespace gauntlet::test
