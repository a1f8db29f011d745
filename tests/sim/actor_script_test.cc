// The episode's ActorScript hook: scripted actors are moved exactly where the script says, every
// signal is measured for them as for any other actor, and a script that ends its scenario ends the
// episode.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "sim/episode.h"
#include "tests/sim/test_worlds.h"

namespace gauntlet::sim {
namespace {

using namespace testing_worlds;

/// Moves every scripted actor by a function of time (the pose at t + dt); counts its calls.
class FunctionScript : public ActorScript {
 public:
  using Pose = std::function<ActorPose(double t)>;
  FunctionScript(std::vector<bool> scripted, Pose pose, double dt) : scripted_(std::move(scripted)), pose_(std::move(pose)), dt_(dt) {}
  bool Advance(double time_s, std::span<const ActorPose> now, std::span<ActorPose> next) override {
    ++calls;
    last_now.assign(now.begin(), now.end());
    if (end_at && time_s >= *end_at - 1e-9) return false;
    if (throw_at && time_s >= *throw_at - 1e-9) throw std::runtime_error("script broke");
    for (size_t i = 0; i < next.size(); ++i)
      if (scripted_[i]) next[i] = pose_(time_s + dt_);
    return true;
  }
  int calls = 0;
  std::vector<ActorPose> last_now;
  std::optional<double> end_at;
  std::optional<double> throw_at;

 private:
  std::vector<bool> scripted_;
  Pose pose_;
  double dt_;
};

/// Runs `w` with the ego keeping its speed and `script` moving the scripted actors.
EpisodeResult RunScripted(const WorldSpec& w, ActorScript& script) {
  LambdaController keep([](double, std::span<const double>, std::span<double>, EgoCommand* c) { c->accel_mps2 = 0.0; });
  EpisodeOptions options;
  options.script = &script;
  return RunEpisode(w, keep, options);
}

/// The scripted car of Chase(80) driving away at 4 m/s.
FunctionScript Receding(double dt) {
  return FunctionScript({false, true}, [](double t) { return ActorPose{80.0 + 4.0 * t, 0.0, 0.0, 4.0}; }, dt);
}

// No roads: an ego at x = 0 driving +x at 10 m/s, and a scripted car ahead at x0 + v t.
WorldSpec Chase(double x0) {
  WorldSpec w;
  w.time_step_s = 0.05;
  w.duration_s = 12.0;
  ActorSpec ego = Free("ego", ActorKind::kVehicle, 0.0, 0.0, 0.0, 10.0);
  ego.ego = true;
  w.actors.push_back(ego);
  ActorSpec car = Free("car", ActorKind::kVehicle, x0, 0.0, 0.0, 4.0);
  car.scripted = true;
  w.actors.push_back(car);
  return w;
}

TEST(ActorScriptTest, ScriptedActorIsExactlyWhereTheScriptPutsIt) {
  // an arc of radius 30 around (0, 50), speed growing 2 m/s^2: no behaviour could do this
  const auto pose = [](double t) {
    const double v = 3.0 + 2.0 * t;
    const double angle = (3.0 * t + t * t) / 30.0;  // arc length / radius
    return ActorPose{30.0 * std::sin(angle), 50.0 - 30.0 * std::cos(angle), angle, v};
  };
  WorldSpec w = Chase(0.0);
  w.duration_s = 3.0;
  w.actors[1].x_m = 0.0;
  w.actors[1].y_m = 20.0;
  w.actors[1].speed_mps = 3.0;
  FunctionScript script({false, true}, pose, w.time_step_s);
  const EpisodeResult r = RunScripted(w, script);
  ASSERT_EQ(r.status, EpisodeStatus::kCompleted) << r.error;
  ASSERT_EQ(r.trace.size(), 61u);
  EXPECT_EQ(script.calls, 60);  // once per step, not after the last row
  for (size_t k = 1; k < r.trace.size(); ++k) {
    const double t = static_cast<double>(k - 1) * w.time_step_s + w.time_step_s;  // as the script computes it
    const ActorPose p = pose(t);
    EXPECT_EQ(At(r.trace, "car.x", k), p.x_m) << k;
    EXPECT_EQ(At(r.trace, "car.y", k), p.y_m) << k;
    EXPECT_NEAR(At(r.trace, "car.heading", k), p.heading_rad, 1e-12) << k;
    EXPECT_EQ(At(r.trace, "car.speed", k), p.speed_mps) << k;
    EXPECT_NEAR(At(r.trace, "car.accel", k), 2.0, 1e-9) << k;            // (v(t) - v(t - dt)) / dt
    EXPECT_NEAR(At(r.trace, "car.yaw_rate", k), (3.0 + 2.0 * t - 0.05) / 30.0, 1e-9) << k;  // mean over the step
    EXPECT_EQ(At(r.trace, "car.lane", k), -1.0);                      // no roads
  }
  // the script saw the ego where the controller drove it (10 m/s along +x)
  ASSERT_EQ(script.last_now.size(), 2u);
  EXPECT_NEAR(script.last_now[0].x_m, 10.0 * 2.95, 1e-9);
  EXPECT_NEAR(script.last_now[0].speed_mps, 10.0, 1e-12);
}

TEST(ActorScriptTest, PairSignalsAndContactFollowTheScriptedActor) {
  // the car ahead at 50 + 4 t, the ego at 10 t: clearance 50 - 6 t - 4.5 (default 4.5 m cars), contact at 45.5 / 6 s
  const double x0 = 50.0;
  WorldSpec w = Chase(x0);
  FunctionScript script({false, true}, [&](double t) { return ActorPose{x0 + 4.0 * t, 0.0, 0.0, 4.0}; }, w.time_step_s);
  const EpisodeResult r = RunScripted(w, script);
  ASSERT_EQ(r.status, EpisodeStatus::kCompleted) << r.error;
  const double contact = 45.5 / 6.0;
  for (size_t k = 0; k < r.trace.size(); ++k) {
    const double t = r.trace.time()[k];
    if (t >= contact - 1e-9) break;
    EXPECT_NEAR(At(r.trace, "car.gap", k), 45.5 - 6.0 * t, 1e-9) << t;
    EXPECT_NEAR(At(r.trace, "car.distance", k), x0 - 6.0 * t, 1e-9) << t;
    EXPECT_NEAR(At(r.trace, "car.rel_speed", k), -6.0, 1e-9) << t;
    EXPECT_NEAR(At(r.trace, "car.ttc", k), (45.5 - 6.0 * t) / 6.0, 1e-9) << t;
    EXPECT_EQ(At(r.trace, "car.collision", k), 0.0) << t;
  }
  const size_t row = FirstRow(r.trace, "collision", 1.0);
  ASSERT_LT(row, r.trace.size());
  EXPECT_NEAR(r.trace.time()[row], std::ceil(contact / 0.05) * 0.05, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.contact_time", row), contact, 1e-6);
}

TEST(ActorScriptTest, AScriptThatEndsItsScenarioEndsTheEpisodeThere) {
  WorldSpec w = Chase(80.0);
  FunctionScript script = Receding(w.time_step_s);
  script.end_at = 2.0;
  const EpisodeResult r = RunScripted(w, script);
  EXPECT_EQ(r.status, EpisodeStatus::kCompleted) << r.error;
  ASSERT_EQ(r.trace.size(), 41u);  // rows at 0, 0.05, ..., 2.0
  EXPECT_NEAR(r.trace.time().back(), 2.0, 1e-12);
}

TEST(ActorScriptTest, AScriptThatThrowsIsAnErrorWithTheTime) {
  WorldSpec w = Chase(80.0);
  FunctionScript script = Receding(w.time_step_s);
  script.throw_at = 1.0;
  const EpisodeResult r = RunScripted(w, script);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_NE(r.error.find("script broke"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("t=1 s"), std::string::npos) << r.error;
}

TEST(ActorScriptTest, AScriptedWorldWithoutAScriptIsAnError) {
  LambdaController keep([](double, std::span<const double>, std::span<double>, EgoCommand*) {});
  const EpisodeResult r = RunEpisode(Chase(80.0), keep, {});
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_NE(r.error.find("no actor script"), std::string::npos) << r.error;
}

TEST(ActorScriptTest, ScriptedIsRefusedWithBehavioursTheEgoALaneOrAStaticKind) {
  auto messages = [](const WorldSpec& w) {
    std::string all;
    for (const core::FieldError& e : Validate(w)) all += e.path + ": " + e.message + "\n";
    return all;
  };
  WorldSpec w = Chase(80.0);
  EXPECT_EQ(messages(w), "");
  w.actors[1].speed_mps = -3.0;  // a script may reverse
  EXPECT_EQ(messages(w), "");
  w.actors[1].behaviours.push_back(BrakeToStop{{.name = "b"}, 3.0});
  EXPECT_NE(messages(w).find("actors[1].behaviours: actor 'car' is scripted"), std::string::npos) << messages(w);

  WorldSpec ego = Chase(80.0);
  ego.actors[0].scripted = true;
  EXPECT_NE(messages(ego).find("actors[0].scripted: the ego is driven by the controller"), std::string::npos);

  WorldSpec lane = Chase(80.0);
  lane.road.roads.push_back({.id = "main", .lanes = 1, .segments = {{.length_m = 300.0}}});
  lane.actors[1].x_m.reset();
  lane.actors[1].y_m.reset();
  lane.actors[1].lane = "main:0";
  lane.actors[1].s_m = 100.0;
  EXPECT_NE(messages(lane).find("actors[1].scripted: a scripted actor is placed free"), std::string::npos)
      << messages(lane);

  WorldSpec fixed = Chase(80.0);
  fixed.actors[1].kind = ActorKind::kStatic;
  fixed.actors[1].speed_mps = 0.0;
  EXPECT_NE(messages(fixed).find("actors[1].scripted: a static actor never moves"), std::string::npos);
}

/// Receding's script with its own lanes: lane = 10 + actor, s = x, offset = y, heading error = speed,
/// on the road when x < 100; or throwing for the ego from x = `locate_throw_at` on.
class LocatingScript : public FunctionScript, public LaneLocator {
 public:
  explicit LocatingScript(double dt) : FunctionScript(Receding(dt)) {}
  LaneLocator* lane_locator() override { return this; }
  LanePosition Locate(size_t actor, const ActorPose& pose) override {
    ++located;
    if (actor == 0 && pose.x_m >= locate_throw_at) throw std::runtime_error("no such lane");
    return {static_cast<LaneId>(10 + actor), pose.x_m, pose.y_m, pose.speed_mps, pose.x_m < 100.0};
  }
  int located = 0;
  double locate_throw_at = 1e300;
};

TEST(ActorScriptTest, AScriptsLaneLocatorGivesEveryActorsLaneSignals) {
  const WorldSpec w = Chase(80.0);
  LocatingScript script(w.time_step_s);
  const EpisodeResult r = RunScripted(w, script);
  ASSERT_EQ(r.status, EpisodeStatus::kCompleted) << r.error;
  EXPECT_EQ(script.located, static_cast<int>(2 * r.trace.size()));  // each actor, each row
  for (size_t k = 0; k < r.trace.size(); ++k) {
    for (const auto& [name, index] : {std::pair<std::string, double>{"ego", 0.0}, {"car", 1.0}}) {
      EXPECT_EQ(r.trace.column(name + ".lane")[k], 10.0 + index);
      EXPECT_EQ(r.trace.column(name + ".s")[k], r.trace.column(name + ".x")[k]);
      EXPECT_EQ(r.trace.column(name + ".lateral_offset")[k], r.trace.column(name + ".y")[k]);
      EXPECT_EQ(r.trace.column(name + ".heading_error")[k], r.trace.column(name + ".speed")[k]);
    }
  }
  // the other signals are those of the same run without the locator
  FunctionScript plain = Receding(w.time_step_s);
  const EpisodeResult without = RunScripted(w, plain);
  ASSERT_EQ(without.trace.size(), r.trace.size());
  for (const std::string& name : r.trace.names()) {
    if (name.ends_with(".lane") || name.ends_with(".s") || name.ends_with(".lateral_offset") ||
        name.ends_with(".heading_error")) {
      continue;
    }
    const auto a = r.trace.column(name);
    const auto b = without.trace.column(name);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << name;
  }
  EXPECT_EQ(without.trace.column("ego.lane")[0], -1.0);
}

TEST(ActorScriptTest, ALaneLocatorThatThrowsEndsTheEpisodeWithAnError) {
  const WorldSpec w = Chase(80.0);
  LocatingScript script(w.time_step_s);
  script.locate_throw_at = 4.99;  // the ego reaches x = 5 at t = 0.5
  const EpisodeResult r = RunScripted(w, script);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_NE(r.error.find("the lane locator failed at t=0.5 s for actor 'ego': no such lane"), std::string::npos) << r.error;
  EXPECT_EQ(r.trace.size(), 10u);
}

}  // namespace
}  // namespace gauntlet::sim
