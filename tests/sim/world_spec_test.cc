#include "sim/world_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "sim/internal/footprint_geometry.h"
#include "tests/sim/test_worlds.h"

namespace gauntlet::sim {
namespace {

// "path: message" lines, for exact comparisons.
std::vector<std::string> Lines(const std::vector<core::FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.path + ": " + e.message);
  return out;
}

using testing_worlds::Car;

// Two lanes of 300 m on road "main", a connection to road "exit".
WorldSpec TwoCars() {
  WorldSpec w;
  w.duration_s = 10.0;
  w.road.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 300.0}}});
  w.road.roads.push_back({.id = "exit", .x_m = 300.0, .lanes = 1, .segments = {{.length_m = 100.0}}});
  w.road.roads.push_back({.id = "far", .y_m = 500.0, .lanes = 1, .segments = {{.length_m = 100.0}}});
  w.road.connections.push_back({.from = "main:0", .to = "exit:0"});
  ActorSpec ego = Car("ego", "main:0", 10.0);
  ego.ego = true;
  w.actors.push_back(ego);
  w.actors.push_back(Car("lead", "main:0", 50.0));
  return w;
}

TEST(WorldSpecTest, ValidWorldHasNoProblems) { EXPECT_THAT(Lines(Validate(TwoCars())), testing::IsEmpty()); }

TEST(WorldSpecTest, TimeProblems) {
  WorldSpec w = TwoCars();
  w.time_step_s = 0.0;
  w.duration_s = -1.0;
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("time_step_s: time_step_s must be positive (got 0)",
                                                       "duration_s: duration_s must be positive (got -1)"));
  w = TwoCars();
  w.time_step_s = 1e-6;
  w.duration_s = 100.0;
  EXPECT_THAT(
      Lines(Validate(w)),
      testing::ElementsAre("duration_s: too many steps: duration_s / time_step_s = 100000000 (at most 10000000)"));
}

TEST(WorldSpecTest, RefusesATraceThatWouldExhaustMemory) {
  WorldSpec w = TwoCars();  // 29 signals
  w.time_step_s = 1e-5;
  w.duration_s = 100.0;  // 10^7 steps: allowed, but 2.9e8 trace values are not
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre("duration_s: the trace would hold 290000029 values (10000001 steps x 29 signals; "
                                   "at most 134217728, 1 GiB): shorten duration_s, lengthen time_step_s or use fewer "
                                   "actors"));
  w.duration_s = 40.0;  // 4e6 steps x 29 = 1.2e8 values
  EXPECT_THAT(Lines(Validate(w)), testing::IsEmpty());
}

TEST(WorldSpecTest, EgoProblems) {
  WorldSpec w = TwoCars();
  w.actors[0].ego = false;
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors: no actor has ego: true (exactly one is needed)"));
  w.actors[0].ego = true;
  w.actors[1].ego = true;
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors[1].ego: more than one ego: 'ego' and 'lead'"));
  w.actors.clear();
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors: no actors (one of them must be the ego)"));
}

TEST(WorldSpecTest, TooManyActors) {
  WorldSpec w = TwoCars();
  w.actors.resize(kMaxActors + 1, w.actors[1]);
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors: too many actors: 10001 (at most 10000)"));
}

TEST(WorldSpecTest, NamesAndPlacement) {
  WorldSpec w = TwoCars();
  w.actors.push_back(Car("lead", "main:1", 80.0));
  w.actors.push_back(Car("2nd", "main:1", 120.0));
  w.actors.push_back(Car("car", "main:3", 10.0));
  w.actors.push_back(Car("far_car", "main:1", 400.0));
  ActorSpec ped;
  ped.name = "ped";
  ped.kind = ActorKind::kPedestrian;
  ped.x_m = 5.0;
  w.actors.push_back(ped);
  ActorSpec twice = Car("twice", "main:1", 200.0);
  twice.x_m = 1.0;
  twice.y_m = 1.0;
  w.actors.push_back(twice);
  ActorSpec nowhere;
  nowhere.name = "nowhere";
  w.actors.push_back(nowhere);
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre(
                  "actors[2].name: duplicate actor name 'lead' (also actors[1])",
                  "actors[3].name: actor name '2nd' must be an identifier (letters, digits and '_', not starting "
                  "with a digit)",
                  "actors[4].lane: unknown lane 'main:3' (did you mean 'main:0'?)",
                  "actors[5].s_m: s_m = 400 is not on lane 'main:1' (length 300 m)",
                  "actors[6]: actor 'ped' needs both x_m and y_m",
                  "actors[7]: actor 'twice' is placed twice: give either lane or x_m/y_m, not both",
                  "actors[8]: actor 'nowhere' has no placement: give lane (and s_m) or x_m and y_m"));
}

TEST(WorldSpecTest, SizesAndSpeeds) {
  WorldSpec w = TwoCars();
  w.actors[1].length_m = 0.0;
  w.actors[1].speed_mps = -3.0;
  w.actors[1].max_decel_mps2 = -1.0;
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre("actors[1].length_m: length_m must be positive (got 0)",
                                   "actors[1].speed_mps: speed_mps must not be negative (got -3)",
                                   "actors[1].max_decel_mps2: max_decel_mps2 must be positive (got -1)"));
}

TEST(WorldSpecTest, OnlyTheEgoAndStaticActorsTurnAwayFromTheirLane) {
  WorldSpec w = TwoCars();
  w.actors[0].heading_rad = 0.1;
  w.actors[1].heading_rad = 0.5;
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre(
                  "actors[1].heading_rad: actor 'lead' follows lane 'main:0': heading_rad must be 0 (got 0.5)"));
  w.actors[1].kind = ActorKind::kStatic;
  w.actors[1].speed_mps = 0.0;
  EXPECT_THAT(Lines(Validate(w)), testing::IsEmpty());
}

TEST(WorldSpecTest, OverlapAtStart) {
  WorldSpec w = TwoCars();
  w.actors[1].s_m = 13.0;  // 3 m ahead of the ego's centre: the 4.5 m boxes overlap
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors[1]: actors 'ego' and 'lead' overlap at start"));
  w.actors[1].s_m = 14.6;  // 4.6 m apart: clear
  EXPECT_THAT(Lines(Validate(w)), testing::IsEmpty());
  w.actors[1].s_m = 13.0;
  w.actors[1].lane = "main:1";  // side by side in the next lane: clear
  EXPECT_THAT(Lines(Validate(w)), testing::IsEmpty());
}

TEST(WorldSpecTest, TouchingAtStartIsAnOverlap) {
  // the start check is the episode's contact: footprints touch when SignedClearance <= 0
  WorldSpec w = TwoCars();
  w.actors[1].s_m = 14.5;  // bumper to bumper: the 4.5 m boxes touch
  EXPECT_THAT(Lines(Validate(w)), testing::ElementsAre("actors[1]: actors 'ego' and 'lead' overlap at start"));
  w.actors[1].s_m = 14.5 + 1e-9;
  EXPECT_THAT(Lines(Validate(w)), testing::IsEmpty());
}

TEST(WorldSpecTest, StartOverlapsMatchSignedClearanceOnRandomCrowds) {
  // the sorted, prefiltered check against every pair by SignedClearance, on crowds of rotated boxes
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> position(0.0, 30.0), heading(-3.2, 3.2), half(0.2, 3.0);
  int with_overlap = 0;
  for (int world = 0; world < 300; ++world) {
    WorldSpec w;
    w.duration_s = 1.0;
    std::vector<internal::Footprint> boxes;
    for (int i = 0; i < 12; ++i) {
      ActorSpec a = testing_worlds::Free("a" + std::to_string(i), ActorKind::kStatic, position(rng), position(rng),
                                         heading(rng), 0.0);
      a.ego = i == 0;
      a.kind = i == 0 ? ActorKind::kVehicle : ActorKind::kStatic;
      a.length_m = 2.0 * half(rng);
      a.width_m = 2.0 * half(rng);
      boxes.push_back({*a.x_m, *a.y_m, a.heading_rad, 0.5 * *a.length_m, 0.5 * *a.width_m});
      w.actors.push_back(a);
    }
    std::vector<std::string> expected;
    for (size_t b = 0; b < boxes.size(); ++b) {
      for (size_t a = 0; a < b; ++a) {
        if (internal::SignedClearance(boxes[a], boxes[b]) <= 0.0) {
          expected.push_back("actors[" + std::to_string(b) + "]: actors 'a" + std::to_string(a) + "' and 'a" +
                             std::to_string(b) + "' overlap at start");
        }
      }
    }
    std::vector<std::string> got;
    for (const std::string& line : Lines(Validate(w))) {
      if (line.find("overlap at start") != std::string::npos) got.push_back(line);
    }
    auto key = [](const std::string& line) {
      const size_t a = line.find("'a") + 2, b = line.find("' and 'a") + 8;
      return std::pair(std::stoi(line.substr(a)), std::stoi(line.substr(b)));
    };
    // reported in pair order (first actor, then second)
    std::sort(expected.begin(), expected.end(), [&](auto& x, auto& y) { return key(x) < key(y); });
    EXPECT_EQ(got, expected) << "world " << world;
    with_overlap += expected.empty() ? 0 : 1;
  }
  EXPECT_GT(with_overlap, 100);  // the crowds are dense enough to test both answers
}

TEST(WorldSpecTest, BehaviourProblems) {
  WorldSpec w = TwoCars();
  auto& b = w.actors[1].behaviours;
  b.push_back(BrakeToStop{});
  FollowRoute route;
  route.to = "far:0";
  b.push_back(route);
  FollowRoute typo;
  typo.to = "exti:0";
  b.push_back(typo);
  LaneChange change;
  change.side = Side::kRight;
  change.duration_s = 3.0;
  b.push_back(change);
  SpeedProfile profile;
  profile.points = {{2.0, 5.0}, {1.0, 3.0}};
  b.push_back(profile);
  b.push_back(SpeedProfile{});
  EXPECT_THAT(
      Lines(Validate(w)),
      testing::ElementsAre(
          "actors[1].behaviours[0].brake_to_stop.decel_mps2: decel_mps2 must be positive (got 0)",
          "actors[1].behaviours[1].follow_route.to: no route from lane 'main:0' to lane 'far:0'",
          "actors[1].behaviours[2].follow_route.to: unknown lane 'exti:0' (did you mean 'exit:0'?)",
          "actors[1].behaviours[4].speed_profile.points[1].time_s: speed_profile times must increase (1 after 2)",
          "actors[1].behaviours[5].speed_profile.points: speed_profile needs at least one point"));
}

TEST(WorldSpecTest, LaneChangeWithoutNeighbour) {
  WorldSpec w = TwoCars();
  LaneChange change;
  change.side = Side::kRight;
  change.duration_s = 0.0;
  w.actors[1].behaviours.push_back(change);
  EXPECT_THAT(
      Lines(Validate(w)),
      testing::ElementsAre("actors[1].behaviours[0].lane_change.duration_s: duration_s must be positive (got 0)",
                           "actors[1].behaviours[0].lane_change.side: lane 'main:0' has no right neighbour to "
                           "change to"));
}

TEST(WorldSpecTest, TriggerProblems) {
  WorldSpec w = TwoCars();
  BrakeToStop brake;
  brake.name = "brake";
  brake.decel_mps2 = 5.0;
  w.actors[1].behaviours.push_back(brake);
  KeepSpeed keep;
  keep.trigger = Trigger{.actor = "eg", .distance_m = 10.0};
  w.actors[1].behaviours.push_back(keep);
  keep.trigger = Trigger{.event = "laed.brake.end"};
  w.actors[1].behaviours.push_back(keep);
  keep.trigger = Trigger{.event = "lead.brak.end"};
  w.actors[1].behaviours.push_back(keep);
  keep.trigger = Trigger{.event = "lead.brake"};
  w.actors[1].behaviours.push_back(keep);
  keep.trigger = Trigger{.actor = "lead", .ttc_s = 2.0};
  w.actors[1].behaviours.push_back(keep);
  EXPECT_THAT(
      Lines(Validate(w)),
      testing::ElementsAre(
          "actors[1].behaviours[1].keep_speed.trigger.actor: unknown actor 'eg' (did you mean 'ego'?)",
          "actors[1].behaviours[2].keep_speed.trigger.event: unknown actor 'laed' in event 'laed.brake.end' (did "
          "you mean 'lead'?)",
          "actors[1].behaviours[3].keep_speed.trigger.event: actor 'lead' has no behaviour named 'brak' (event "
          "'lead.brak.end') (did you mean 'brake'?)",
          "actors[1].behaviours[4].keep_speed.trigger.event: event 'lead.brake' must be "
          "'<actor>.<behaviour>.start' or '<actor>.<behaviour>.end'",
          "actors[1].behaviours[5].keep_speed.trigger.actor: a trigger of actor 'lead' cannot refer to itself"));
}

TEST(WorldSpecTest, BehavioursWhereNoneAreAllowed) {
  WorldSpec w = TwoCars();
  w.actors[0].behaviours.push_back(KeepSpeed{});
  ActorSpec wall;
  wall.name = "wall";
  wall.kind = ActorKind::kStatic;
  wall.x_m = 200.0;
  wall.y_m = 20.0;
  wall.behaviours.push_back(KeepSpeed{});
  w.actors.push_back(wall);
  ActorSpec walker;
  walker.name = "walker";
  walker.kind = ActorKind::kPedestrian;
  walker.x_m = 100.0;
  walker.y_m = 10.0;
  FollowLaneIdm idm;
  idm.desired_speed_mps = 1.0;
  walker.behaviours.push_back(idm);
  w.actors.push_back(walker);
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre(
                  "actors[0].behaviours: the ego 'ego' is driven by the controller and has no behaviours",
                  "actors[2].behaviours: a static actor has no behaviours",
                  "actors[3].behaviours[0].follow_lane_idm: follow_lane_idm needs an actor on a lane ('walker' is "
                  "placed by x_m/y_m or has left its lane)"));
}

TEST(WorldSpecTest, SensorProblems) {
  WorldSpec w = TwoCars();
  w.sensors.push_back(RaySensorSpec{.name = "lead", .count = 0});
  w.sensors.push_back(DetectorSpec{.name = "cam", .host = "leed", .targets = {"ego", "laed"}});
  w.sensors.push_back(DetectorSpec{.name = "cam", .targets = {"ego"}});
  EXPECT_THAT(Lines(Validate(w)),
              testing::ElementsAre("sensors[0].rays.name: sensor name 'lead' is already used by an actor or a signal",
                                   "sensors[0].rays.count: count must be between 1 and 1024 (got 0)",
                                   "sensors[1].detector.host: unknown actor 'leed' (did you mean 'lead'?)",
                                   "sensors[1].detector.targets[1]: unknown actor 'laed' (did you mean 'lead'?)",
                                   "sensors[2].detector.name: duplicate sensor name 'cam' (also sensors[1])",
                                   "sensors[2].detector.targets[0]: a detector does not detect its own host 'ego'"));
}

TEST(WorldSpecTest, RoadProblemsComeWithRoadPaths) {
  WorldSpec w = TwoCars();
  w.road.roads[0].segments[0].length_m = -5.0;
  const auto errors = Validate(w);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].path.rfind("road.roads[0]", 0), 0u) << errors[0].path;
}

TEST(WorldSpecTest, SignalTablesNameTheirColumns) {
  // the names come from the tables the episode writes by (signal_table.h): each id at its offset
  const std::vector<std::string> names = SignalNames(TwoCars());
  EXPECT_EQ(names[ActorColumn(ActorSignal::kSpeed)], "ego.speed");
  EXPECT_EQ(names[kSignalsPerActor + ActorColumn(ActorSignal::kHeadingError)], "lead.heading_error");
  EXPECT_EQ(names[2 * kSignalsPerActor + 1 + PairColumn(PairSignal::kContactTime)], "lead.contact_time");
  for (const auto& c : kActorSignals) EXPECT_FALSE(c.unit.empty()) << c.name;
  for (const auto& c : kPairSignals) EXPECT_FALSE(c.unit.empty()) << c.name;
  for (const auto& c : kDetectorSignals) EXPECT_FALSE(c.unit.empty()) << c.name;
}

TEST(WorldSpecTest, SignalNamesInOrder) {
  WorldSpec w = TwoCars();
  w.sensors.push_back(RaySensorSpec{.name = "lidar", .count = 2});
  w.sensors.push_back(DetectorSpec{.name = "cam"});
  const std::vector<std::string> names = SignalNames(w);
  ASSERT_EQ(names.size(), 2 * kSignalsPerActor + 1 + kSignalsPerPair + 2 + 3);
  EXPECT_THAT(std::vector<std::string>(names.begin(), names.begin() + 10),
              testing::ElementsAre("ego.x", "ego.y", "ego.heading", "ego.speed", "ego.accel", "ego.yaw_rate",
                                   "ego.lane", "ego.s", "ego.lateral_offset", "ego.heading_error"));
  EXPECT_THAT(std::vector<std::string>(names.begin() + 20, names.end()),
              testing::ElementsAre("collision", "lead.gap", "lead.rel_speed", "lead.ttc", "lead.distance",
                                   "lead.bearing", "lead.rel_heading", "lead.collision", "lead.contact_time", "lidar.r0",
                                   "lidar.r1",
                                   "cam.lead.visible", "cam.lead.range", "cam.lead.bearing"));
}

}  // namespace
}  // namespace gauntlet::sim
