// The per-step path of a campaign's episode allocates nothing: after a warm-up, every step (measure,
// controller with the ONNX model and its observation perturbations, trace row, observer with online
// monitors, behaviours, integration) runs without one call of the global operator new. This binary
// replaces operator new with a counting one (its own test binary, so no other test sees it).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "core/rng.h"
#include "scenarios/generators/samplers.h"
#include "scenarios/model_driver.h"
#include "scenarios/suite.h"
#include "sim/episode.h"
#include "tests/test_files.h"
#include "verifier/stl/online_monitor.h"

namespace {
std::atomic<long> allocations{0};

void* Allocate(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* AllocateAligned(std::size_t size, std::align_val_t align) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, std::align_val_t align) { return AllocateAligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return AllocateAligned(size, align); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace gauntlet::scenarios {
namespace {

constexpr size_t kWarmUpSteps = 20;

/// A suite of lead_brake (configs/scenarios) with the ONNX controller, `edit` applied to the scenario
/// text (replace `from` with `to`).
Suite LeadBrakeSuite(const std::string& name, const std::string& from, const std::string& to) {
  const std::string dir = test::FreshDir("step_allocation_" + name);
  std::ifstream in(std::string(GAUNTLET_SOURCE_DIR) + "/configs/scenarios/lead_brake.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!from.empty()) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  std::ofstream(dir + "/lead_brake.yaml") << text;
  std::ofstream(dir + "/suite.yaml") << "suite: " << name << "\nseed: 1\nmodels: {acc: {path: " << GAUNTLET_SOURCE_DIR
                                     << "/zoo/acc_flawed.onnx}}\nscenarios: [{scenario: lead_brake.yaml}]\n";
  return LoadSuite(dir + "/suite.yaml");
}

/// Runs instances of the suite's family as RunInstance does (the scenario's shared road, the model
/// driver, online monitors of every requirement in the observer as for stop_on_violation, the trace
/// recorded) and returns the
/// allocations counted after the warm-up; `*steps` counts the steps checked.
long AllocationsAfterWarmUp(const Suite& suite, size_t instances, size_t* steps) {
  const Family& family = suite.families.at(0);
  const Scenario& scenario = *family.scenario;
  long counted = 0;
  for (const auto& point : UniformPoints(scenario.parameters, instances, 11)) {
    const ResolvedInstance instance = scenario.Resolve(point.values);
    core::Rng rng(7);
    ModelDriver driver(scenario, instance.model_binding, suite.ModelOf(family), rng.Fork("sensors"));
    sim::EpisodeOptions options;
    options.control_period_steps = driver.ControlPeriodSteps(instance.world.time_step_s);
    options.extra_signals = driver.SignalNames();
    options.stop_on_collision = scenario.stop_on_collision;
    std::vector<verifier::stl::OnlineMonitor> monitors;
    for (const auto& r : scenario.requirements) {  // as RunInstance does for stop_on_violation ones
      monitors.emplace_back(r.monitor.formula(), scenario.signals, instance.world.time_step_s);
      monitors.back().Reserve(sim::ReservedRows(sim::StepCount(instance.world)));
    }
    size_t step = 0;
    long at_warm_up = 0;
    options.observer = [&](double time_s, std::span<const double> row) {
      for (auto& m : monitors) (void)m.Push(time_s, row);
      if (step == kWarmUpSteps) at_warm_up = allocations.load();
      if (step > kWarmUpSteps) ++*steps;
      ++step;
      return true;
    };
    EXPECT_TRUE(scenario.road != nullptr) << "no parameter changes lead_brake's road: built once at load";
    const sim::EpisodeResult episode = sim::RunEpisode(instance.world, *scenario.road, driver, options);
    const long after = allocations.load();  // the last step's row is the observer's last call
    EXPECT_EQ(episode.status == sim::EpisodeStatus::kError, false) << episode.error;
    if (step > kWarmUpSteps + 1) counted += after - at_warm_up;
  }
  return counted;
}

TEST(StepAllocationTest, CountingOperatorNewIsInstalled) {
  const long before = allocations.load();
  auto* p = new std::vector<double>(100);
  delete p;
  EXPECT_GE(allocations.load() - before, 2);  // the vector and its buffer
}

TEST(StepAllocationTest, LeadBrakeWithTheOnnxControllerStepsWithoutAllocating) {
  const Suite suite = LeadBrakeSuite("plain", "", "");
  size_t steps = 0;
  EXPECT_EQ(AllocationsAfterWarmUp(suite, 8, &steps), 0);
  EXPECT_GT(steps, 1000u);
}

TEST(StepAllocationTest, SensorsAndObservationPerturbationsStepWithoutAllocating) {
  // delayed, noisy, dropping observations; a ray sensor and a detector (Bullet rays every step)
  const Suite suite = LeadBrakeSuite(
      "perturbed", "    - {name: gap_m, expr: lead.gap}",
      "    - {name: gap_m, expr: lead.gap, delay_steps: 3, noise: {gaussian: 0.2, uniform: 0.1}, dropout: 0.1}");
  size_t steps = 0;
  EXPECT_EQ(AllocationsAfterWarmUp(suite, 4, &steps), 0);
  EXPECT_GT(steps, 1000u);
  const Suite sensing = LeadBrakeSuite(
      "sensing", "\nmodel:",
      "\n  sensors:\n    - rays: {name: lidar, count: 5, fov_rad: 1.0, range_m: 80}\n"
      "    - detector: {name: cam, range_m: 80}\nmodel:");
  steps = 0;
  EXPECT_EQ(AllocationsAfterWarmUp(sensing, 4, &steps), 0);
  EXPECT_GT(steps, 1000u);
}

/// Moves the scripted actors straight on at their speed (the scripting itself allocates nothing).
class StraightOnScript : public sim::ActorScript {
 public:
  StraightOnScript(std::vector<bool> scripted, double dt) : scripted_(std::move(scripted)), dt_(dt) {}
  bool Advance(double, std::span<const sim::ActorPose> now, std::span<sim::ActorPose> next) override {
    for (size_t i = 0; i < next.size(); ++i)
      if (scripted_[i]) next[i].x_m = now[i].x_m + now[i].speed_mps * dt_;
    return true;
  }

 private:
  std::vector<bool> scripted_;
  double dt_;
};

TEST(StepAllocationTest, ScriptedActorsStepWithoutAllocating) {
  sim::WorldSpec w;
  w.duration_s = 5.0;
  w.actors.resize(3);
  for (size_t i = 0; i < 3; ++i) {
    w.actors[i].name = "a" + std::to_string(i);
    w.actors[i].x_m = 20.0 * static_cast<double>(i);
    w.actors[i].y_m = 0.0;
    w.actors[i].speed_mps = 10.0 + static_cast<double>(i);
    w.actors[i].scripted = i > 0;
  }
  w.actors[0].ego = true;
  StraightOnScript script({false, true, true}, w.time_step_s);
  sim::LambdaController keep([](double, std::span<const double>, std::span<double>, sim::EgoCommand* c) { c->accel_mps2 = 0.5; });
  sim::EpisodeOptions options;
  options.script = &script;
  size_t step = 0;
  long at_warm_up = 0;
  options.observer = [&](double, std::span<const double>) {
    if (step == kWarmUpSteps) at_warm_up = allocations.load();
    ++step;
    return true;
  };
  const sim::EpisodeResult episode = sim::RunEpisode(w, keep, options);
  const long after = allocations.load();
  ASSERT_EQ(episode.status, sim::EpisodeStatus::kCompleted) << episode.error;
  EXPECT_EQ(step, 501u);
  EXPECT_EQ(after - at_warm_up, 0);
}

}  // namespace
}  // namespace gauntlet::scenarios
