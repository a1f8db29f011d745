#include "scenarios/openscenario_world.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cmath>
#include <functional>
#include <map>

#include "core/check.h"
#include "core/error.h"
#include "core/format.h"
#include "core/suggest.h"
#include "core/text.h"
#include "scenarios/scenario.h"
#include "verifier/stl/expression.h"

namespace gauntlet::scenarios {
namespace {

using openscenario::BoundingBox;
using openscenario::EntityState;

/// Gap reported by the default binding when no actor is ahead (the top of lead_brake's operating domain).
constexpr double kNothingAhead_m = 150.0;

bool Finite(double v) { return std::isfinite(v) && v > 0.0 && v < 1e300; }

}  // namespace

std::string CoSimulation::ActorName(const std::string& entity) {
  std::string out;
  for (const char c : entity) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  if (out == "time" || out == "collision") out += '_';
  return out;
}

std::string CoSimulation::EgoProblem(const openscenario::Scenario& scenario, const std::string& ego) {
  const int i = scenario.FindEntity(ego);
  if (i < 0) {
    std::vector<std::string> names;
    for (const auto& e : scenario.entities) names.push_back(e.name);
    return "no entity " + core::Quote(ego) + " to drive" + core::DidYouMean(ego, names) +
           (names.empty() ? "; the scenario has no entities" : "; entities: " + core::QuotedList(names));
  }
  if (scenario.entities[static_cast<size_t>(i)].category == "MiscObject")
    return "entity " + core::Quote(ego) + " is a MiscObject: a model drives a Vehicle or a Pedestrian";
  return "";
}

sim::ActorPose CoSimulation::ToCentre(const EntityState& s, const BoundingBox& b) {
  const double c = std::cos(s.heading), n = std::sin(s.heading);
  return {s.x + c * b.center_x - n * b.center_y, s.y + n * b.center_x + c * b.center_y, s.heading, s.speed};
}

EntityState CoSimulation::ToReference(const sim::ActorPose& p, const BoundingBox& b) {
  const double c = std::cos(p.heading_rad), n = std::sin(p.heading_rad);
  return {p.x_m - c * b.center_x + n * b.center_y, p.y_m - n * b.center_x - c * b.center_y, p.heading_rad, p.speed_mps};
}

CoSimulation::CoSimulation(std::shared_ptr<const openscenario::Scenario> scenario, const std::string& ego,
                           double time_step_s, double duration_s)
    : scenario_(std::move(scenario)) {
  const openscenario::Scenario& sc = *scenario_;
  if (const std::string problem = EgoProblem(sc, ego); !problem.empty()) throw core::InputError({sc.path, 1, 1}, problem);
  ego_ = static_cast<size_t>(sc.FindEntity(ego));
  core::Diagnostics diags;
  std::map<std::string, std::string> taken;  // actor name -> entity
  for (const openscenario::Entity& e : sc.entities) {
    const std::string name = ActorName(e.name);
    if (const auto [it, fresh] = taken.emplace(name, e.name); !fresh) {
      diags.Error(e.pos, "entities " + core::Quote(it->second) + " and " + core::Quote(e.name) +
                             " both become the actor name " + core::Quote(name) + "; rename one");
    }
    if (!(e.box.length > 0.0) || !(e.box.width > 0.0)) {
      diags.Error(e.pos, "entity " + core::Quote(e.name) + " needs a BoundingBox with a positive length and width (got " +
                             core::FormatDouble(e.box.length) + " x " + core::FormatDouble(e.box.width) + " m)");
    }
  }
  diags.ThrowIfAny();

  player_ = std::make_unique<openscenario::Player>(sc, openscenario::PlayOptions{time_step_s, ego});
  player_->Start();
  const std::vector<EntityState> states = player_->States();
  world_.time_step_s = time_step_s;
  world_.duration_s = duration_s;
  for (size_t i = 0; i < sc.entities.size(); ++i) {
    const openscenario::Entity& e = sc.entities[i];
    sim::ActorSpec a;
    a.name = ActorName(e.name);
    a.kind = e.category == "Pedestrian" ? sim::ActorKind::kPedestrian : sim::ActorKind::kVehicle;
    const sim::ActorPose at = ToCentre(states[i], e.box);
    a.x_m = at.x_m;
    a.y_m = at.y_m;
    a.heading_rad = at.heading_rad;
    a.speed_mps = at.speed_mps;
    a.length_m = e.box.length;
    a.width_m = e.box.width;
    if (e.box.height > 0.0) a.height_m = e.box.height;
    if (i == ego_) {
      a.ego = true;
      if (Finite(e.max_acceleration)) a.max_accel_mps2 = e.max_acceleration;
      if (Finite(e.max_deceleration)) a.max_decel_mps2 = e.max_deceleration;
    } else {
      a.scripted = true;
    }
    world_.actors.push_back(std::move(a));
  }
  // the lane table: each road's lane ids (every section's), left to right
  const std::vector<opendrive::Road>& roads = sc.roads->roads();
  for (const opendrive::Road& road : roads) {
    std::vector<int> ids;
    for (const opendrive::LaneSection& section : road.sections)
      for (const opendrive::Lane& lane : section.lanes)
        if (lane.id != 0) ids.push_back(lane.id);
    std::sort(ids.begin(), ids.end(), std::greater<>());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    lane_base_.push_back(static_cast<int>(lane_names_.size()));
    for (const int id : ids) lane_names_.push_back(road.id + ":" + std::to_string(id));
    lane_ids_.push_back(std::move(ids));
  }
  hints_.resize(sc.entities.size());
  last_.resize(sc.entities.size());
  const std::vector<std::string> signals = sim::SignalNames(world_);
  ego_column_ = static_cast<size_t>(std::find(signals.begin(), signals.end(), world_.actors[ego_].name + ".x") -
                                    signals.begin());
  GAUNTLET_CHECK(ego_column_ + 3 < signals.size() && signals[ego_column_ + 3] == world_.actors[ego_].name + ".speed");
}

bool CoSimulation::Advance(double time_s, std::span<const sim::ActorPose> now, std::span<sim::ActorPose> next) {
  const openscenario::Scenario& sc = *scenario_;
  GAUNTLET_CHECK(std::fabs(player_->time() - time_s) <= 1e-9 * std::max(1.0, time_s));
  try {
    player_->SetExternalState(ToReference(now[ego_], sc.entities[ego_].box));
    player_->Step();
  } catch (const core::InputError& e) {
    input_error_ = e.what();
    throw;
  }
  if (player_->finished()) return false;
  for (size_t i = 0; i < sc.entities.size(); ++i)  // entity by entity: no copy of every state per step
    if (i != ego_) next[i] = ToCentre(player_->EntityStateOf(i), sc.entities[i].box);
  return true;
}

sim::LaneLocator* CoSimulation::lane_locator() { return scenario_->roads->roads().empty() ? nullptr : this; }

sim::LanePosition CoSimulation::Locate(size_t actor, const sim::ActorPose& pose) {
  const opendrive::Network& net = *scenario_->roads;
  std::optional<opendrive::LanePos>& hint = hints_.at(actor);
  // the pose of the last call (bit for bit: -0 is not 0): the hint is where that call found the actor,
  // so the search below would find the same again
  const auto bits = [](double v) { return std::bit_cast<uint64_t>(v); };
  std::optional<std::pair<sim::ActorPose, sim::LanePosition>>& last = last_.at(actor);
  if (last && bits(last->first.x_m) == bits(pose.x_m) && bits(last->first.y_m) == bits(pose.y_m) &&
      bits(last->first.heading_rad) == bits(pose.heading_rad)) {
    return last->second;
  }
  last.reset();
  std::optional<opendrive::LaneCoord> at;
  // on the hint's road Locate keeps that road: looking there first gives its answer, cheaply
  if (hint) at = net.LocateOnRoad(hint->road, pose.x_m, pose.y_m, pose.heading_rad);
  if (!at || !at->on_road) at = net.Locate(pose.x_m, pose.y_m, pose.heading_rad, hint);
  if (!at) return {};
  hint = at->Position();
  const std::vector<int>& ids = lane_ids_[static_cast<size_t>(at->road)];
  const auto id = std::find(ids.begin(), ids.end(), at->lane);
  GAUNTLET_CHECK(id != ids.end());
  const bool along = net.DrivesAlongS(at->road, at->lane);
  sim::LanePosition out;
  out.lane = lane_base_[static_cast<size_t>(at->road)] + static_cast<int>(id - ids.begin());
  out.s_m = along ? at->s : net.roads()[static_cast<size_t>(at->road)].length - at->s;
  out.lateral_offset_m = along ? at->offset : -at->offset;
  out.heading_error_rad = at->heading_relative;
  out.on_road = at->on_road;
  last.emplace(pose, out);
  return out;
}

std::vector<EntityState> CoSimulation::States(std::span<const double> signals) const {
  std::vector<EntityState> out = player_->States();
  const double* s = signals.data() + ego_column_;
  out[ego_] = ToReference({s[0], s[1], s[2], s[3]}, scenario_->entities[ego_].box);
  return out;
}

std::shared_ptr<CoSimulation> StartCoSimulation(const OpenScenarioWorld& world,
                                                const std::vector<std::pair<std::string, double>>& values) {
  std::vector<std::pair<std::string, std::string>> overrides;
  if (world.variation) {
    std::vector<double> point;
    for (size_t i = 0; i < world.variation->parameters.size(); ++i) point.push_back(values.at(world.variation_first + i).second);
    overrides = world.variation->Overrides(point);
  }
  for (const auto& [name, value] : values)
    if (std::find(world.parameters.begin(), world.parameters.end(), name) != world.parameters.end())
      overrides.emplace_back(name, core::FormatDouble(value));
  GAUNTLET_CHECK(world.resolved != nullptr);
  return std::make_shared<CoSimulation>(world.resolved->Get(world.path, overrides), world.spec.ego,
                                        world.spec.time_step_s, world.spec.duration_s);
}

std::shared_ptr<const openscenario::Scenario> ResolvedScenarios::Get(const std::string& path,
                                                                     const Overrides& overrides) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const Entry& e : entries_)
      if (e.path == path && e.overrides == overrides) return e.scenario;
  }
  // outside the lock (another thread may resolve the same list meanwhile: both results are the same)
  auto scenario = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario(path, overrides));
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& e : entries_)
    if (e.path == path && e.overrides == overrides) return e.scenario;
  entries_.push_back({path, overrides, scenario});
  if (entries_.size() > kCapacity) entries_.pop_front();
  return scenario;
}

ModelBindingSpec DefaultOpenScenarioBinding(const sim::WorldSpec& world, const std::string& slot) {
  const auto ego = std::find_if(world.actors.begin(), world.actors.end(), [](const sim::ActorSpec& a) { return a.ego; });
  GAUNTLET_CHECK(ego != world.actors.end());
  const double ego_width = sim::ResolveActor(*ego).width_m;
  std::string gap = core::FormatDouble(kNothingAhead_m);
  std::string closing = "0";
  const std::string& e = ego->name;
  // 1 when the ego is on a lane (the world has roads), 0 when its lane is -1
  const std::string roads = "min(1, max(0, " + e + ".lane + 1))";
  for (const sim::ActorSpec& a : world.actors) {
    if (a.ego) continue;
    const std::string& n = a.name;
    const std::string half = core::FormatDouble(0.5 * (ego_width + sim::ResolveActor(a).width_m));
    // on roads: 0 when in the ego's lane (lane numbers are whole) and ahead by s, 1 from 1 m behind or
    // in another lane; off them: 0 when the centre is within `half` of the ego's heading line ahead,
    // 1 from 1 m beyond it (or behind)
    const std::string lane = "(1 - (1 - min(1, abs(" + n + ".lane - " + e + ".lane))) * min(1, max(0, " + n +
                             ".s - " + e + ".s)))";
    const std::string line = "min(1, max(0, abs(" + n + ".bearing) * " + n + ".distance - " + half + "))";
    const std::string away = "(" + roads + " * " + lane + " + (1 - " + roads + ") * " + line + ")";
    gap += ", " + n + ".gap + 1000 * " + away;
    closing += ", (1 - " + away + ") * (0 - " + n + ".rel_speed)";
  }
  ModelBindingSpec b;
  b.slot = slot;
  const bool others = world.actors.size() > 1;
  b.observation.push_back({.name = "gap_m", .expr = others ? "min(" + gap + ")" : gap});
  b.observation.push_back({.name = "speed_mps", .expr = ego->name + ".speed"});
  b.observation.push_back({.name = "closing_speed_mps", .expr = others ? "max(" + closing + ")" : closing});
  b.accel_mps2 = ContinuousActionSpec{};
  return b;
}

std::shared_ptr<const Scenario> BindingScenario(const std::string& name, const sim::WorldSpec& world,
                                                const ModelBindingSpec& binding) {
  auto s = std::make_shared<Scenario>();
  s->name = name;
  s->world = world;
  s->model_binding = binding;
  const std::vector<std::string> names = sim::SignalNames(world);
  for (const ObservationSpec& o : binding.observation)
    s->observations.push_back({o, verifier::stl::Expression::Parse(o.expr).Bind(names)});
  s->signals = names;
  for (std::string& m : ModelSignalNames(binding)) s->signals.push_back(std::move(m));
  return s;
}

}  // namespace gauntlet::scenarios
