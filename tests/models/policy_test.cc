#include "models/policy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace gauntlet::models {
namespace {

std::string PolicyError(std::string_view name, const std::map<std::string, double>& params) {
  try {
    (void)MakeBuiltinPolicy(name, params);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

double Act(const Policy& p, double gap, double speed, double closing) {
  PolicyScratch scratch;
  const double obs[3] = {gap, speed, closing};
  double accel;
  p.Act(obs, std::span(&accel, 1), scratch);
  return accel;
}

TEST(IdmTest, MatchesTheFormula) {
  const auto idm = MakeBuiltinPolicy("idm", {{"v0", 30.0}});
  EXPECT_EQ(idm->input_names(), (std::vector<std::string>{"gap_m", "speed_mps", "closing_speed_mps"}));
  EXPECT_EQ(idm->output_size(), 1u);
  // free road: a (1 - (v/v0)^4 - (s0/gap)^2)
  EXPECT_DOUBLE_EQ(Act(*idm, 1000.0, 15.0, 0.0), 1.5 * (1.0 - std::pow(0.5, 4) - std::pow((2.0 + 22.5) / 1000.0, 2)));
  // closing fast at a short gap: strong braking, not clipped by the policy
  const double s_star = 2.0 + 20.0 * 1.5 + 20.0 * 10.0 / (2.0 * std::sqrt(1.5 * 2.0));
  EXPECT_DOUBLE_EQ(Act(*idm, 10.0, 20.0, 10.0),
                   1.5 * (1.0 - std::pow(20.0 / 30.0, 4) - (s_star / 10.0) * (s_star / 10.0)));
  EXPECT_LT(Act(*idm, 10.0, 20.0, 10.0), -9.0);
  // opening gap: s* never below s0
  EXPECT_DOUBLE_EQ(Act(*idm, 4.0, 1.0, -30.0), 1.5 * (1.0 - std::pow(1.0 / 30.0, 4) - 0.25));
  EXPECT_TRUE(std::isfinite(Act(*idm, -1.0, 20.0, 5.0)));
}

TEST(TtcBrakeTest, BrakesBelowTheThresholdAndCruisesOtherwise) {
  const auto p = MakeBuiltinPolicy("ttc_brake", {{"ttc_threshold_s", 2.0}, {"cruise_speed_mps", 25.0}});
  EXPECT_EQ(Act(*p, 19.0, 20.0, 10.0), -8.0);           // ttc 1.9 s
  EXPECT_EQ(Act(*p, 21.0, 20.0, 10.0), 1.5);            // ttc 2.1 s: cruise, capped at max accel
  EXPECT_EQ(Act(*p, 100.0, 24.0, -5.0), 0.5);           // opening: 0.5 * (25 - 24)
  EXPECT_EQ(Act(*p, 100.0, 45.0, 0.0), -8.0);           // far above cruise: floored at -brake
  EXPECT_EQ(Act(*p, 1.5, 20.0, 0.1), -8.0);             // below min gap while closing
}

TEST(BuiltinPolicyTest, Errors) {
  EXPECT_EQ(PolicyError("idn", {}), "error: unknown builtin policy 'idn' (did you mean 'idm'?); known: 'idm', 'ttc_brake'");
  EXPECT_EQ(PolicyError("idm", {{"v00", 3.0}}),
            "error: builtin policy 'idm': unknown parameter 'v00' (did you mean 'v0'?); known: 'T', 'a', 'b', "
            "'delta', 's0', 'v0'");
  EXPECT_EQ(PolicyError("idm", {{"b", -1.0}}), "error: builtin policy 'idm': parameter 'b' must be > 0, got -1");
  EXPECT_EQ(PolicyError("ttc_brake", {{"ttc_treshold_s", 1.0}}),
            "error: builtin policy 'ttc_brake': unknown parameter 'ttc_treshold_s' (did you mean 'ttc_threshold_s'?); "
            "known: 'brake_decel_mps2', 'cruise_gain_1ps', 'cruise_speed_mps', 'max_accel_mps2', 'min_gap_m', "
            "'ttc_threshold_s'");
  EXPECT_EQ(BuiltinPolicyDefaults("idm").at("T"), 1.5);
}

TEST(ArgMinMaxTest, TiesAndNan) {
  const double v[] = {3.0, 1.0, 1.0, 5.0, 5.0};
  EXPECT_EQ(ArgMin(v), 1u);
  EXPECT_EQ(ArgMax(v), 3u);
  const double n[] = {std::nan(""), 2.0, -1.0};
  EXPECT_EQ(ArgMin(n), 2u);
  EXPECT_EQ(ArgMax(n), 1u);
}

TEST(NetworkPolicyTest, ActsWithTheRawOutputs) {
  const auto model = Model::LoadModel(GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx");
  const NetworkPolicy policy(model);
  EXPECT_EQ(policy.input_names(), (std::vector<std::string>{"input0", "input1", "input2"}));
  EXPECT_EQ(policy.output_size(), model->output_size());
  Workspace ws;
  const std::vector<double> x = {30.0, 20.0, 1.0};
  double y;
  model->Evaluate(x, std::span(&y, 1), ws);
  EXPECT_EQ(Act(policy, 30.0, 20.0, 1.0), y);

  // a .nnet network takes raw (physical) inputs: the file's normalisation applies
  const auto net = Model::LoadModel(GAUNTLET_ACASXU_DIR "/nnet/ACASXU_run2a_1_1_batch_2000.nnet");
  const NetworkPolicy acas(net);
  ASSERT_EQ(acas.output_size(), 5u);
  const double raw[5] = {5000.0, 0.5, -2.0, 500.0, 400.0};
  double scores[5];
  double unnormalised[5];
  net->EvaluateRaw(raw, scores, ws);
  net->Evaluate(raw, unnormalised, ws);
  PolicyScratch scratch;
  double action[5];
  acas.Act(raw, action, scratch);
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ(action[k], scores[k]) << k;
  EXPECT_NE(action[0], unnormalised[0]);
}

}  // namespace
}  // namespace gauntlet::models
