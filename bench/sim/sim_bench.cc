// Simulated steps per second for a lead_brake world, and Bullet's own collision-detection cost for the
// same two boxes, measured in the same run. Prints both figures and their ratio.
//
//   build-*/bench/sim/sim_bench [episodes]
//
// The world: an ego and a lead car on a straight one-lane road, the lead braking at t = 5 s, the ego
// driven by a constant-acceleration controller callback, trace recording on, dt = 0.01 s, 60 s.

#include <btBulletCollisionCommon.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sim/episode.h"

namespace {

using gauntlet::sim::ActorSpec;
using gauntlet::sim::WorldSpec;

WorldSpec LeadBrake() {
  WorldSpec w;
  w.time_step_s = 0.01;
  w.duration_s = 60.0;
  w.road.roads.push_back({.id = "main", .lanes = 1, .segments = {{.length_m = 3000.0}}});
  ActorSpec ego;
  ego.name = "ego";
  ego.ego = true;
  ego.lane = "main:0";
  ego.s_m = 10.0;
  ego.speed_mps = 20.0;
  ActorSpec lead;
  lead.name = "lead";
  lead.lane = "main:0";
  lead.s_m = 50.0;
  lead.speed_mps = 20.0;
  gauntlet::sim::BrakeToStop brake;
  brake.decel_mps2 = 3.0;
  brake.trigger = gauntlet::sim::Trigger{.time_s = 5.0};
  lead.behaviours.push_back(brake);
  w.actors = {ego, lead};
  return w;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Bullet alone: two car-sized boxes in a btCollisionWorld, moved every step, discrete detection.
double BulletMicrosecondsPerStep(size_t steps) {
  btDefaultCollisionConfiguration configuration;
  btCollisionDispatcher dispatcher(&configuration);
  btDbvtBroadphase broadphase;
  btCollisionWorld world(&dispatcher, &broadphase, &configuration);
  btBoxShape box(btVector3(2.25, 0.9, 0.75));
  btCollisionObject a, b;
  a.setCollisionShape(&box);
  b.setCollisionShape(&box);
  world.addCollisionObject(&a);
  world.addCollisionObject(&b);
  btTransform ta, tb;
  ta.setIdentity();
  tb.setIdentity();
  int contacts = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < steps; ++k) {
    const double t = 0.01 * static_cast<double>(k % 6000);
    ta.setOrigin(btVector3(10.0 + 20.0 * t, 0.0, 0.75));
    tb.setOrigin(btVector3(50.0 + 15.0 * t, 0.0, 0.75));
    a.setWorldTransform(ta);
    b.setWorldTransform(tb);
    world.performDiscreteCollisionDetection();
    contacts += dispatcher.getNumManifolds();
  }
  const double seconds = Seconds(start);
  world.removeCollisionObject(&a);
  world.removeCollisionObject(&b);
  if (contacts < 0) std::printf("impossible\n");
  return 1e6 * seconds / static_cast<double>(steps);
}

}  // namespace

int main(int argc, char** argv) {
  const int episodes = argc > 1 ? std::atoi(argv[1]) : 50;
  const WorldSpec world = LeadBrake();
  std::vector<gauntlet::core::FieldError> errors;
  const gauntlet::sim::RoadNetwork road = gauntlet::sim::RoadNetwork::Build(world.road, &errors);
  gauntlet::sim::LambdaController controller(
      [](double, std::span<const double>, std::span<double>, gauntlet::sim::EgoCommand* c) { c->accel_mps2 = -0.5; });

  // warm up, then measure whole episodes (set-up, validation, stepping, trace recording)
  (void)gauntlet::sim::RunEpisode(world, road, controller);
  size_t steps = 0;
  size_t collisions = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < episodes; ++e) {
    const gauntlet::sim::EpisodeResult r = gauntlet::sim::RunEpisode(world, road, controller);
    if (r.status == gauntlet::sim::EpisodeStatus::kError) {
      std::fprintf(stderr, "episode error: %s\n", r.error.c_str());
      return 3;
    }
    steps += r.steps;
    for (double c : r.trace.column("collision")) collisions += c > 0.0 ? 1 : 0;
  }
  const double sim_seconds = Seconds(start);
  const double sim_us = 1e6 * sim_seconds / static_cast<double>(steps);

  // the same without recording the trace (an observer sees every row)
  size_t observed = 0;
  gauntlet::sim::EpisodeOptions no_trace;
  no_trace.record_trace = false;
  no_trace.observer = [&observed](double, std::span<const double> row) {
    observed += row[0] > 0.0 ? 1 : 0;
    return true;
  };
  const auto start_no_trace = std::chrono::steady_clock::now();
  for (int e = 0; e < episodes; ++e) (void)gauntlet::sim::RunEpisode(world, road, controller, no_trace);
  const double no_trace_us = 1e6 * Seconds(start_no_trace) / static_cast<double>(steps);
  const double bullet_us = BulletMicrosecondsPerStep(steps);

  std::printf("lead_brake: %d episodes, %zu steps (%zu rows in contact), %zu signals per row\n", episodes, steps,
              collisions, gauntlet::sim::SignalNames(world).size());
  std::printf("simulation:          %10.0f steps/s  %7.3f us/step (trace on, whole episodes)\n", 1e6 / sim_us, sim_us);
  std::printf("simulation:          %10.0f steps/s  %7.3f us/step (trace off, observer on)\n", 1e6 / no_trace_us,
              no_trace_us);
  std::printf("bullet detection:    %10.0f steps/s  %7.3f us/step (performDiscreteCollisionDetection, 2 boxes)\n",
              1e6 / bullet_us, bullet_us);
  std::printf("ratio simulation / bullet detection: %.2f\n", sim_us / bullet_us);
  return 0;
}
