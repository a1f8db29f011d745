// Fuzzes the release-gate policy loader (gate::LoadGatePolicy on a scratch file), once without and once
// with the suite's requirement names (the did-you-mean path). An accepted policy must satisfy what the
// loader promises: rates in [0, 1], drops >= 0, and every named requirement one of the suite's.
#include <algorithm>
#include <string>
#include <vector>

#include "core/check.h"
#include "fuzz/fuzz_util.h"
#include "gate/gate_policy.h"

namespace {

const std::vector<std::string> kRequirements = {"no_collision", "safe_gap", "comfort"};

bool Known(const std::string& name) {
  return name.empty() || std::find(kRequirements.begin(), kRequirements.end(), name) != kRequirements.end();
}

void CheckAccepted(const gauntlet::gate::GatePolicy& policy, bool names_checked) {
  for (const auto& rule : policy.min_pass_rate) {
    GAUNTLET_CHECK_MSG(rule.rate >= 0.0 && rule.rate <= 1.0, "accepted a pass rate outside [0, 1]");
    GAUNTLET_CHECK_MSG(!names_checked || Known(rule.requirement), "accepted an unknown requirement");
  }
  for (const auto& rule : policy.max_robustness_drop) {
    GAUNTLET_CHECK_MSG(rule.drop >= 0.0, "accepted a negative or NaN robustness drop");
    GAUNTLET_CHECK_MSG(!names_checked || Known(rule.requirement), "accepted an unknown requirement");
  }
  if (!names_checked) return;
  for (const auto& name : policy.blocking) GAUNTLET_CHECK_MSG(Known(name), "accepted an unknown requirement");
  for (const auto& name : policy.zero_tolerance) GAUNTLET_CHECK_MSG(Known(name), "accepted an unknown requirement");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gauntlet::fuzz::WriteScratch("gate_policy.yaml", data, size);
  gauntlet::fuzz::Run([&] { CheckAccepted(gauntlet::gate::LoadGatePolicy(path), false); });
  gauntlet::fuzz::Run([&] { CheckAccepted(gauntlet::gate::LoadGatePolicy(path, kRequirements), true); });
  return 0;
}
