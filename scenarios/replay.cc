#include "scenarios/replay.h"

#include "core/error.h"
#include "scenarios/campaign.h"

namespace gauntlet::scenarios {

const Family& FamilyOf(const Suite& suite, const InstanceResult& recorded) {
  const Family* family = suite.FindFamily(recorded.family);
  if (family == nullptr) {
    throw core::InputError({suite.path, 0, 0}, "the suite has no family '" + recorded.family + "'");
  }
  return *family;
}

std::vector<double> RecordedValues(const Family& family, const InstanceResult& recorded, const core::SourcePos& where) {
  const size_t dimension = family.scenario->parameters.dimension();
  if (recorded.parameters.size() < dimension) {
    throw core::InputError(where, "instance '" + recorded.id + "' lacks parameters");
  }
  std::vector<double> values;
  values.reserve(dimension);
  for (size_t k = 0; k < dimension; ++k) values.push_back(recorded.parameters[k].second);
  return values;
}

Replay ReplayInstance(const Suite& suite, const InstanceResult& recorded, bool with_trace) {
  Replay replay;
  replay.family = &FamilyOf(suite, recorded);
  const std::vector<double> values = RecordedValues(*replay.family, recorded, {suite.path, 0, 0});
  replay.result = RunInstance(suite, *replay.family, recorded.index, values, recorded.seed, recorded.origin,
                              with_trace ? &replay.trace : nullptr);
  replay.result.plan_index = recorded.plan_index;
  return replay;
}

}  // namespace gauntlet::scenarios
