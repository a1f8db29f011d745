// An OpenSCENARIO scenario as a Gauntlet world (see import.h).

#include "openscenario/import.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <string_view>

#include "openscenario/expression.h"
#include "openscenario/player.h"

namespace gauntlet::openscenario {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
/// Geometry records must join within this (m, rad): sim chains its segments from the road's start.
constexpr double kJoinTolerance_m = 0.01;
constexpr double kJoinTolerance_rad = 1e-4;
/// An entity's heading counts as its lane's within this.
constexpr double kHeadingTolerance_rad = 1e-6;
/// Acceleration limits of actors whose entity has none (the player has none): only the road's grip binds.
constexpr double kUnlimitedAccel_mps2 = 1000.0;
/// How long the run that reads the scenario may last without a StopTrigger or --duration.
constexpr double kMaxReadRun_s = 3600.0;

double Wrap(double a) {
  a = std::remainder(a, 2.0 * std::numbers::pi);
  return a <= -std::numbers::pi ? a + 2.0 * std::numbers::pi : a;
}

std::string Num(double v) { return FormatNumber(v); }

/// A length rounded to the nanometre (so 51.30000000000001 is written 51.3), +0 for -0.
double Nanometre(double v) { return std::round(v * 1e9) / 1e9 + 0.0; }

// ---------------------------------------------------------------------------------------------
// Roads

/// One sim road: the lanes of one side of an OpenDRIVE road that drive one way.
struct LaneGroup {
  opendrive::RoadIndex road = -1;
  std::string id;            ///< sim road id
  bool along_s = true;       ///< drives along +s
  std::vector<int> lanes;    ///< OpenDRIVE ids, sim lane index order (rightmost in the driving direction first)
  std::vector<double> t;     ///< their centre t
  double width = 0.0;
};

/// Where an OpenDRIVE lane is in the sim network.
struct SimLane {
  size_t group = 0;
  int index = 0;
};

class RoadImporter {
 public:
  RoadImporter(const opendrive::Network& net, core::Diagnostics* errors) : net_(net), errors_(errors) {}

  sim::RoadNetworkSpec Run() {
    for (opendrive::RoadIndex r = 0; r < static_cast<opendrive::RoadIndex>(net_.roads().size()); ++r) Road(r);
    Connections();
    return spec_;
  }

  [[nodiscard]] const std::vector<LaneGroup>& groups() const { return groups_; }

  /// The sim lane of OpenDRIVE lane (road, id), if it has one.
  [[nodiscard]] std::optional<SimLane> Find(opendrive::RoadIndex road, int id) const {
    const auto it = lanes_.find({road, id});
    if (it == lanes_.end()) return std::nullopt;
    return it->second;
  }

  /// "road:index".
  [[nodiscard]] std::string Name(const SimLane& l) const { return groups_[l.group].id + ":" + std::to_string(l.index); }

  /// The arc length along the centre of lane (road, id) from its sim start to road coordinate s.
  [[nodiscard]] double LaneS(const SimLane& l, double s) const {
    const LaneGroup& g = groups_[l.group];
    const double t = g.t[static_cast<size_t>(l.index)];
    const opendrive::Road& road = net_.roads()[static_cast<size_t>(g.road)];
    double out = 0.0;
    for (const opendrive::Geometry& geo : road.geometry) {
      const double k = geo.kind == opendrive::Geometry::Kind::kArc ? geo.curvature : 0.0;
      const double a = g.along_s ? geo.s : std::max(geo.s, s);
      const double b = g.along_s ? std::min(geo.s + geo.length, s) : geo.s + geo.length;
      if (b > a) out += (b - a) * (1.0 - k * t);
    }
    return out;
  }

 private:
  void Error(const core::SourcePos& pos, const std::string& message) { errors_->Error(pos, message); }

  /// A width or offset record that is one constant: the constant.
  static std::optional<double> Constant(const std::vector<opendrive::CubicRecord>& records, double fallback) {
    if (records.empty()) return fallback;
    const double a = records.front().poly.a;
    for (const auto& r : records)
      if (r.poly.a != a || r.poly.b != 0.0 || r.poly.c != 0.0 || r.poly.d != 0.0) return std::nullopt;
    return a;
  }

  /// Per side (-1 right, +1 left): the drivable lanes' ids (inner first), their constant width, and
  /// the t of each one's centre. Errors for what a sim road cannot hold.
  struct Side {
    std::vector<int> ids;
    std::vector<double> t;
    double width = 0.0;
    bool ok = true;
  };
  Side SideOf(const opendrive::Road& road, const opendrive::LaneSection& section, int sign, double offset) {
    Side side;
    std::vector<const opendrive::Lane*> lanes;
    for (const opendrive::Lane& l : section.lanes)
      if (l.id * sign > 0) lanes.push_back(&l);
    std::sort(lanes.begin(), lanes.end(), [](const auto* a, const auto* b) { return std::abs(a->id) < std::abs(b->id); });
    double border = offset;  // t of the inner border of the next lane
    bool gap_after_driving = false;
    for (const opendrive::Lane* l : lanes) {
      const bool drivable = opendrive::IsDrivable(l->type);
      if (!l->borders.empty() && l->widths.empty()) {
        if (drivable) Error(l->pos, "lane " + std::to_string(l->id) + " of road '" + road.id +
                                        "' is given by border records; sim roads need constant lane widths");
        side.ok = false;
        return side;
      }
      const std::optional<double> w = Constant(l->widths, 0.0);
      if (!w) {
        Error(l->pos, "lane " + std::to_string(l->id) + " of road '" + road.id +
                          "' has a varying width (a width record with b, c or d not 0, or several widths); sim "
                          "lanes have one constant width");
        side.ok = false;
        return side;
      }
      if (*w == 0.0) continue;  // a lane of width 0 holds no traffic and moves no border
      if (drivable) {
        if (gap_after_driving) {
          Error(l->pos, "lane " + std::to_string(l->id) + " of road '" + road.id +
                            "' is separated from the driving lanes nearer the centre by a lane of another type; a sim "
                            "road's lanes are adjacent");
          side.ok = false;
          return side;
        }
        if (!side.ids.empty() && *w != side.width) {
          Error(l->pos, "lane " + std::to_string(l->id) + " of road '" + road.id + "' is " + Num(*w) +
                            " m wide, lane " + std::to_string(side.ids.front()) + " " + Num(side.width) +
                            " m; a sim road's lanes share one width");
          side.ok = false;
          return side;
        }
        side.width = *w;
        side.ids.push_back(l->id);
        side.t.push_back(border + sign * 0.5 * *w);
      } else if (!side.ids.empty()) {
        gap_after_driving = true;
      }
      border += sign * *w;
    }
    if (!side.ids.empty() && !(side.width > 0.0)) {
      Error(lanes.front()->pos, "the driving lanes of road '" + road.id + "' have width 0");
      side.ok = false;
    }
    return side;
  }

  void Road(opendrive::RoadIndex r) {
    const opendrive::Road& road = net_.roads()[static_cast<size_t>(r)];
    const std::optional<double> offset = Constant(road.lane_offsets, 0.0);
    std::array<Side, 2> sides;  // right, left
    for (int k = 0; k < 2; ++k) {
      const int sign = k == 0 ? -1 : 1;
      for (size_t si = 0; si < road.sections.size(); ++si) {
        const opendrive::LaneSection& section = road.sections[si];
        Side s = SideOf(road, section, sign, offset.value_or(0.0));
        if (!s.ok) return;
        if (si == 0) {
          sides[static_cast<size_t>(k)] = s;
        } else if (s.ids != sides[static_cast<size_t>(k)].ids || s.t != sides[static_cast<size_t>(k)].t) {
          Error(section.pos, "lane section at s = " + Num(section.s) + " of road '" + road.id +
                                 "' changes the driving lanes; a sim road keeps the same lanes from start to end");
          return;
        }
      }
    }
    if (sides[0].ids.empty() && sides[1].ids.empty()) return;  // no traffic on this road
    if (!offset) {
      Error(road.pos, "road '" + road.id + "' has a varying laneOffset; sim lanes run parallel to one line");
      return;
    }
    if (!Geometry(road)) return;
    for (int k = 0; k < 2; ++k) {
      const Side& s = sides[static_cast<size_t>(k)];
      if (s.ids.empty()) continue;
      LaneGroup g;
      g.road = r;
      g.along_s = net_.DrivesAlongS(r, s.ids.front());
      for (int id : s.ids)
        if (net_.DrivesAlongS(r, id) != g.along_s) {
          Error(road.pos, "road '" + road.id + "' has lanes driving both ways on one side");
          return;
        }
      // sim index order: the rightmost lane in the driving direction first (smallest t along s)
      std::vector<size_t> order(s.ids.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return g.along_s ? s.t[a] < s.t[b] : s.t[a] > s.t[b]; });
      for (size_t i : order) {
        g.lanes.push_back(s.ids[i]);
        g.t.push_back(s.t[i]);
      }
      g.width = s.width;
      g.id = ActorName("road" + road.id) + (g.along_s ? "_fwd" : "_bwd");
      for (const LaneGroup& other : groups_)
        if (other.id == g.id) g.id += "_" + std::to_string(groups_.size());
      Spec(road, g);
    }
  }

  /// Whether the plan view is lines and arcs joined end to end.
  bool Geometry(const opendrive::Road& road) {
    bool ok = true;
    for (size_t i = 0; i < road.geometry.size(); ++i) {
      const opendrive::Geometry& g = road.geometry[i];
      if (g.kind != opendrive::Geometry::Kind::kLine && g.kind != opendrive::Geometry::Kind::kArc) {
        const char* kind = g.kind == opendrive::Geometry::Kind::kSpiral ? "spiral"
                           : g.kind == opendrive::Geometry::Kind::kPoly3 ? "poly3"
                                                                          : "paramPoly3";
        Error(g.pos, std::string(kind) + " geometry of road '" + road.id +
                         "' cannot be expressed: sim roads are lines and arcs (a clothoid or polynomial is never "
                         "approximated)");
        ok = false;
        continue;
      }
      if (i + 1 < road.geometry.size()) {
        const double k = g.kind == opendrive::Geometry::Kind::kArc ? g.curvature : 0.0;
        const double h1 = g.heading + k * g.length;
        const double x1 = k == 0.0 ? g.x + g.length * std::cos(g.heading) : g.x + (std::sin(h1) - std::sin(g.heading)) / k;
        const double y1 = k == 0.0 ? g.y + g.length * std::sin(g.heading) : g.y - (std::cos(h1) - std::cos(g.heading)) / k;
        const opendrive::Geometry& n = road.geometry[i + 1];
        if (std::hypot(n.x - x1, n.y - y1) > kJoinTolerance_m || std::abs(Wrap(n.heading - h1)) > kJoinTolerance_rad) {
          Error(n.pos, "geometry at s = " + Num(n.s) + " of road '" + road.id + "' does not start where the previous one "
                           "ends (" + Num(std::hypot(n.x - x1, n.y - y1)) + " m, " + Num(std::abs(Wrap(n.heading - h1))) +
                           " rad apart; at most " + Num(kJoinTolerance_m) + " m and " + Num(kJoinTolerance_rad) +
                           " rad): sim chains a road's segments");
          ok = false;
        }
      }
    }
    return ok;
  }

  void Spec(const opendrive::Road& road, LaneGroup g) {
    sim::RoadSpec spec;
    spec.id = g.id;
    spec.lanes = static_cast<int>(g.lanes.size());
    spec.lane_width_m = g.width;
    const double t0 = g.t.front();
    const opendrive::Pose start = net_.RoadToWorld(g.road, g.along_s ? 0.0 : road.length, t0);
    spec.x_m = start.x;
    spec.y_m = start.y;
    const double ref_heading = net_.RoadToWorld(g.road, g.along_s ? 0.0 : road.length, 0.0).heading;
    spec.heading_rad = Wrap(g.along_s ? ref_heading : ref_heading + std::numbers::pi);
    for (const opendrive::Geometry& geo : road.geometry) {
      const double k = geo.kind == opendrive::Geometry::Kind::kArc ? geo.curvature : 0.0;
      // the edge of the group farthest inside the curve must keep a positive radius
      for (double t : g.t)
        for (double edge : {t - 0.5 * g.width, t + 0.5 * g.width})
          if (!(1.0 - k * edge > 0.0)) {
            Error(geo.pos, "the arc of road '" + road.id + "' at s = " + Num(geo.s) + " is too tight for its lanes");
            return;
          }
      const double curvature = k == 0.0 ? 0.0 : (g.along_s ? k : -k) / (1.0 - k * t0);
      spec.segments.push_back({.length_m = geo.length * (1.0 - k * t0), .curvature_1pm = curvature});
    }
    if (!g.along_s) std::reverse(spec.segments.begin(), spec.segments.end());
    for (size_t i = 0; i < g.lanes.size(); ++i) lanes_[{g.road, g.lanes[i]}] = {groups_.size(), static_cast<int>(i)};
    groups_.push_back(std::move(g));
    spec_.roads.push_back(std::move(spec));
  }

  /// The lanes each lane's driving end continues into, the straightest first (sim takes the first
  /// successor when no route says otherwise, the player the straightest).
  void Connections() {
    for (size_t gi = 0; gi < groups_.size(); ++gi) {
      const LaneGroup& g = groups_[gi];
      const double end = g.along_s ? net_.roads()[static_cast<size_t>(g.road)].length : 0.0;
      for (size_t i = 0; i < g.lanes.size(); ++i) {
        const double heading = net_.LaneHeading(g.road, g.lanes[i], end);
        std::vector<std::pair<double, std::string>> next;
        for (const opendrive::LanePos& p : net_.Successors(g.road, g.lanes[i], end)) {
          const std::optional<SimLane> to = Find(p.road, p.lane);
          if (!to) continue;  // not a driving lane
          next.emplace_back(std::abs(Wrap(net_.LaneHeading(p.road, p.lane, p.s) - heading)), Name(*to));
        }
        std::stable_sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [turn, to] : next) spec_.connections.push_back({.from = Name({gi, static_cast<int>(i)}), .to = to});
      }
    }
  }

  const opendrive::Network& net_;
  core::Diagnostics* errors_;
  sim::RoadNetworkSpec spec_;
  std::vector<LaneGroup> groups_;
  std::map<std::pair<opendrive::RoadIndex, int>, SimLane> lanes_;
};

// ---------------------------------------------------------------------------------------------
// The scenario

/// An imported Event: its behaviours on one actor.
struct ImportedEvent {
  int element = -1;
  int entity = -1;
  std::string name;                        ///< sim behaviour name of the first behaviour
  std::vector<sim::Behaviour> behaviours;  ///< one per action
  bool ends = true;                        ///< whether sim's behaviour ends as the player's event does
  double started = kInf;                   ///< when the event started in the run as written
  std::optional<sim::Trigger> trigger;     ///< the start trigger (with its Act's)
  size_t order = 0;                        ///< storyboard order
};

class Importer {
 public:
  Importer(const std::string& path, const ImportOptions& options)
      : path_(path), options_(options), sc_(LoadScenario(path, options.parameters)) {}

  ImportResult Run() {
    ImportResult out;
    out.warnings = sc_.warnings;
    out.world.time_step_s = options_.time_step;
    if (!(options_.time_step > 0.0) || !std::isfinite(options_.time_step))
      throw core::InputError(core::SourcePos{path_}, "the time step must be a positive number of seconds");
    if (sc_.entities.empty()) throw core::InputError(core::SourcePos{path_}, "the scenario has no entities: there is no ego");
    ChooseEgo();
    if (sc_.roads && !sc_.roads->roads().empty()) {
      roads_.emplace(*sc_.roads, &errors_);
      out.world.road = roads_->Run();
    }
    InitActions();
    try {
      ReadRun();
    } catch (const core::InputError& e) {  // a position the run as written could not resolve
      errors_.Absorb(e);
      if (initial_.empty()) errors_.ThrowIfAny();
    }
    Actors(&out.world);
    Storyboard(&out.world);
    Duration(&out.world);
    errors_.ThrowIfAny();
    for (const core::FieldError& e : sim::Validate(out.world)) {
      // at the entity the problem is about (actors are in entity order), else at the ego
      size_t entity = static_cast<size_t>(ego_);
      if (e.path.starts_with("actors[")) entity = std::min(std::stoul(e.path.substr(7)), sc_.entities.size() - 1);
      errors_.Error(sc_.entities[entity].pos, "the imported world is not valid: " + e.path + ": " + e.message);
    }
    errors_.ThrowIfAny();
    out.ego = ActorName(sc_.entities[static_cast<size_t>(ego_)].name);
    out.ego_pos = sc_.entities[static_cast<size_t>(ego_)].pos;
    for (size_t i = 0; i < sc_.entities.size(); ++i)
      if (static_cast<int>(i) != ego_) out.others.push_back(ActorName(sc_.entities[i].name));
    out.warnings.insert(out.warnings.end(), warnings_.begin(), warnings_.end());
    return out;
  }

 private:
  void Error(const core::SourcePos& pos, const std::string& m) { errors_.Error(pos, m); }
  void Warn(const core::SourcePos& pos, const std::string& m) { warnings_.push_back({pos, m}); }

  void ChooseEgo() {
    if (!options_.ego.empty()) {
      ego_ = sc_.FindEntity(options_.ego);
      if (ego_ < 0) {
        std::string names;
        for (const Entity& e : sc_.entities) names += (names.empty() ? "" : ", ") + e.name;
        throw core::InputError(core::SourcePos{path_}, "--ego " + options_.ego + ": no entity of that name (entities: " + names + ")");
      }
      return;
    }
    for (const char* name : {"Ego", "ego", "hero"})
      if ((ego_ = sc_.FindEntity(name)) >= 0) return;
    ego_ = 0;
  }

  /// Init actions take effect at t = 0 only when they are teleports and step speed changes; the ego's
  /// others are its own (the model drives it), anyone else's cannot be expressed.
  void InitActions() {
    for (const InitAction& init : sc_.init) {
      const Action& a = sc_.actions[static_cast<size_t>(init.action)];
      const auto* speed = std::get_if<SpeedAction>(&a.body);
      if (std::holds_alternative<TeleportAction>(a.body) || std::holds_alternative<IgnoredAction>(a.body) ||
          std::holds_alternative<TrafficSignalAction>(a.body) ||
          (speed && !speed->relative && speed->dynamics.shape == Shape::kStep))
        continue;
      if (init.entity == ego_) {
        Warn(a.pos, "this Init action of the ego is not imported: the model drives the ego from its place and speed at t = 0");
        continue;
      }
      Error(a.pos, "this Init action cannot be expressed: an imported actor starts with its place and speed at t = 0 "
                   "(supported in Init: TeleportAction, an absolute step SpeedAction)");
    }
  }

  /// Plays the scenario as written: the places at t = 0, event start times, the end.
  void ReadRun() {
    Player player(sc_, {.time_step = options_.time_step});
    player.Start();
    initial_ = player.States();
    const double cap = options_.duration.value_or(kMaxReadRun_s);
    auto take = [&] {
      for (const std::string& line : player.TakeLines()) {
        const size_t colon = line.find(": event ");
        if (colon == std::string::npos || !line.ends_with(" start")) continue;
        const std::string name = line.substr(colon + 8, line.size() - colon - 8 - 6);
        const double t = std::stod(line.substr(0, colon));
        if (!event_start_.contains(name)) event_start_[name] = t;
      }
    };
    take();
    while (!player.finished() && player.time() < cap - options_.time_step * 1e-6) {
      player.Step();
      take();
    }
    if (player.finished()) run_end_ = player.time();
  }

  // --- actors

  void Actors(sim::WorldSpec* world) {
    std::set<std::string> names;
    for (size_t i = 0; i < sc_.entities.size(); ++i) {
      const Entity& e = sc_.entities[i];
      sim::ActorSpec a;
      a.name = ActorName(e.name);
      if (a.name == "time" || a.name == "collision") a.name += "_";
      if (!names.insert(a.name).second) {
        Error(e.pos, "entity '" + e.name + "' has the actor name '" + a.name + "' of another entity");
        continue;
      }
      if (a.name != e.name) Warn(e.pos, "entity '" + e.name + "' becomes actor '" + a.name + "' (actor names are letters, digits and '_')");
      a.ego = static_cast<int>(i) == ego_;
      a.kind = e.category == "Pedestrian" ? sim::ActorKind::kPedestrian
               : e.category == "MiscObject" ? sim::ActorKind::kStatic
                                            : sim::ActorKind::kVehicle;
      if (a.ego && a.kind == sim::ActorKind::kStatic) {
        Error(e.pos, "the ego '" + e.name + "' is a MiscObject: a model cannot drive it");
        continue;
      }
      if (e.trailer >= 0)
        Error(e.pos, "entity '" + e.name + "' tows '" + sc_.entities[static_cast<size_t>(e.trailer)].name +
                         "': a trailer cannot be expressed (sim actors are not coupled)");
      a.length_m = e.box.length;
      a.width_m = e.box.width;
      a.height_m = e.box.height;
      if (a.kind != sim::ActorKind::kStatic && !a.ego) {
        a.max_accel_mps2 = e.max_acceleration < 1e300 ? e.max_acceleration : kUnlimitedAccel_mps2;
        a.max_decel_mps2 = e.max_deceleration < 1e300 ? e.max_deceleration : kUnlimitedAccel_mps2;
      }
      Place(e, initial_[i], &a);
      actor_of_entity_.push_back(world->actors.size());
      world->actors.push_back(std::move(a));
    }
  }

  /// The actor's place: its box centre on a lane (or free off the roads), its speed.
  void Place(const Entity& e, const EntityState& s, sim::ActorSpec* a) {
    const double c = std::cos(s.heading), sn = std::sin(s.heading);
    const double x = s.x + e.box.center_x * c - e.box.center_y * sn;
    const double y = s.y + e.box.center_x * sn + e.box.center_y * c;
    if (s.speed < 0.0) {
      Error(e.pos, "entity '" + e.name + "' reverses at t = 0 (speed " + Num(s.speed) + " m/s); sim actors drive forwards");
      return;
    }
    a->speed_mps = a->kind == sim::ActorKind::kStatic ? 0.0 : s.speed;
    if (a->kind == sim::ActorKind::kStatic && s.speed != 0.0)
      Error(e.pos, "MiscObject '" + e.name + "' moves (speed " + Num(s.speed) + " m/s at t = 0); sim's static actors never move");
    std::optional<opendrive::LaneCoord> where;
    if (roads_) where = sc_.roads->Locate(x, y, s.heading);
    std::optional<SimLane> lane;
    if (where && where->on_road) lane = roads_->Find(where->road, where->lane);
    const bool free = a->kind == sim::ActorKind::kStatic || !lane;
    if (free) {
      if (where && where->on_road && !a->ego && a->kind != sim::ActorKind::kStatic && s.speed != 0.0) {
        const auto& road = sc_.roads->roads()[static_cast<size_t>(where->road)];
        Error(e.pos, "entity '" + e.name + "' starts on lane " + std::to_string(where->lane) + " of road '" + road.id +
                         "', which is not a driving lane of an imported road; sim moves actors along driving lanes");
        return;
      }
      a->x_m = Nanometre(x);
      a->y_m = Nanometre(y);
      a->heading_rad = Wrap(s.heading);
      return;
    }
    const LaneGroup& g = roads_->groups()[lane->group];
    a->lane = roads_->Name(*lane);
    a->s_m = Nanometre(roads_->LaneS(*lane, where->s));
    a->lateral_offset_m = Nanometre(g.along_s ? where->offset : -where->offset);
    if (a->ego) {
      a->heading_rad = where->heading_relative;
    } else if (std::abs(where->heading_relative) > kHeadingTolerance_rad) {
      Error(e.pos, "entity '" + e.name + "' starts at " + Num(where->heading_relative) +
                       " rad from its lane's driving direction; sim actors on a lane head along it");
    }
  }

  // --- triggers

  /// A simulation-time threshold as sim's time_s (sim: t >= time_s). A strict comparison fires at the
  /// first step after the value: half a step later when the value is a step time.
  double TimeThreshold(const Condition& c) const {
    if (c.rule == Rule::kGreaterOrEqual) return c.value;
    const double steps = c.value / options_.time_step;
    return std::abs(steps - std::round(steps)) < 1e-9 * std::max(1.0, std::abs(steps)) ? c.value + 0.5 * options_.time_step
                                                                                       : c.value;
  }

  /// A trigger of simulation-time conditions only (an Act's): the time it holds from.
  std::optional<double> TimeOnly(const std::optional<Trigger>& t, const core::SourcePos& pos, const std::string& what) {
    if (!t || t->empty()) return 0.0;
    if (t->groups.size() != 1) {
      Error(pos, what + ": a trigger of several ConditionGroups (or) cannot be expressed; sim triggers are one group");
      return std::nullopt;
    }
    double at = 0.0;
    for (int ci : t->groups[0]) {
      const Condition& c = sc_.conditions[static_cast<size_t>(ci)];
      if (c.kind != Condition::Kind::kSimulationTime || c.delay != 0.0 ||
          (c.rule != Rule::kGreaterThan && c.rule != Rule::kGreaterOrEqual) || !EdgeOk(c)) {
        Error(c.pos, what + ": only SimulationTime conditions (greaterThan or greaterOrEqual, no delay) can be expressed here");
        return std::nullopt;
      }
      at = std::max(at, TimeThreshold(c));
    }
    return at;
  }

  /// Whether a condition's edge changes nothing: none, or rising on a time that is not reached at
  /// the first evaluation.
  static bool EdgeOk(const Condition& c) {
    if (c.edge == Edge::kNone) return true;
    return c.edge == Edge::kRising && c.kind == Condition::Kind::kSimulationTime &&
           (c.rule == Rule::kGreaterThan ? c.value >= 0.0 : c.value > 0.0);
  }

  /// The one entity of a condition's TriggeringEntities.
  std::optional<int> Triggering(const Condition& c) {
    if (c.triggering.size() != 1) {
      Error(c.pos, "a condition on " + std::to_string(c.triggering.size()) +
                       " triggering entities cannot be expressed; sim relates one actor to another");
      return std::nullopt;
    }
    return sc_.FindEntity(c.triggering[0]);
  }

  /// The other entity of a relative condition on `self`'s event: the triggering entity when the
  /// condition's reference is `self`, the reference when `self` triggers.
  std::optional<int> Other(const Condition& c, int self, bool symmetric) {
    const std::optional<int> trig = Triggering(c);
    if (!trig) return std::nullopt;
    const int ref = sc_.FindEntity(c.entity);
    if (ref < 0) {
      Error(c.pos, "the condition has no reference entity; sim relates one actor to another");
      return std::nullopt;
    }
    if (ref == self) return *trig;
    if (symmetric && *trig == self) return ref;
    Error(c.pos, "the condition relates '" + c.triggering[0] + "' to '" + c.entity + "', not to the event's actor '" +
                     sc_.entities[static_cast<size_t>(self)].name + "': a sim trigger relates another actor to its own actor" +
                     (symmetric ? "" : " (measured from the other actor, as the player measures from the triggering entity)"));
    return std::nullopt;
  }

  void WarnNotStraight(const Condition& c, const std::string& what) {
    Warn(c.pos, what + " matches the player's while both actors are in one lane on a straight road: sim measures the free "
                        "distance along the other actor's lane (the clearance when this actor is not in its path), the "
                        "player the difference of s along the road minus the boxes");
  }

  /// A StoryboardElementState condition as sim's `event` ("<actor>.<behaviour>.start" or ".end").
  std::optional<std::string> EventOf(const Condition& c) {
    if (c.element_type != ElementType::kEvent) {
      Error(c.pos, "StoryboardElementState of an element other than an Event cannot be expressed; sim triggers "
                   "wait for behaviours");
      return std::nullopt;
    }
    const bool end = c.state == ElementState::kEndTransition || c.state == ElementState::kComplete;
    if (!end && c.state != ElementState::kStartTransition) {
      Error(c.pos, "StoryboardElementState with this state cannot be expressed: sim's events say that a behaviour "
                   "has started or ended (startTransition, endTransition, completeState)");
      return std::nullopt;
    }
    const ImportedEvent* ref = nullptr;
    int count = 0;
    for (const ImportedEvent& e : events_)
      if (sc_.elements[static_cast<size_t>(e.element)].name == c.element_ref) {
        ref = &e;
        ++count;
      }
    if (count != 1) {
      Error(c.pos, "StoryboardElementState: Event '" + c.element_ref + "' " +
                       (count == 0 ? "is not imported (an ego event, or not a behaviour of an actor)" : "names several events") +
                       "; sim triggers wait for an actor's behaviour");
      return std::nullopt;
    }
    if (end && (!ref->ends || ref->behaviours.size() != 1)) {
      Error(c.pos, "StoryboardElementState: the end of Event '" + c.element_ref +
                       "' cannot be expressed: its sim behaviour (a step speed change holds the speed until another "
                       "takes over; or several actions) has no such end");
      return std::nullopt;
    }
    return ActorName(sc_.entities[static_cast<size_t>(ref->entity)].name) + "." + ref->name + (end ? ".end" : ".start");
  }

  std::optional<sim::Trigger> ConvertTrigger(const ImportedEvent& ev, double act_time) {
    const Element& el = sc_.elements[static_cast<size_t>(ev.element)];
    sim::Trigger out;
    if (act_time > 0.0) out.time_s = act_time;
    if (!el.start_trigger || el.start_trigger->empty()) return out;
    const Trigger& t = *el.start_trigger;
    if (t.groups.size() != 1) {
      Error(el.pos, "Event '" + el.name + "': a start trigger of several ConditionGroups (or) cannot be expressed; sim "
                    "triggers are one group of conditions (and)");
      return std::nullopt;
    }
    bool ok = true;
    const std::vector<int>& group = t.groups[0];
    std::optional<std::string> other;
    auto set_other = [&](const Condition& c, int entity) {
      const std::string name = ActorName(sc_.entities[static_cast<size_t>(entity)].name);
      if (other && *other != name) {
        Error(c.pos, "the conditions of one trigger relate to two actors ('" + *other + "', '" + name +
                         "'); a sim trigger relates to one");
        ok = false;
      }
      other = name;
    };
    for (int ci : group) {
      const Condition& c = sc_.conditions[static_cast<size_t>(ci)];
      if (c.delay != 0.0) {
        if (group.size() > 1) {
          Error(c.pos, "a delay on one condition of several cannot be expressed; a sim trigger has one delay");
          ok = false;
          continue;
        }
        out.delay_s = c.delay;
      }
      if (!EdgeOk(c)) {
        Error(c.pos, "conditionEdge other than none cannot be expressed here: sim triggers hold on the condition's "
                     "value (only rising on a SimulationTime not reached at the start is the same)");
        ok = false;
        continue;
      }
      const bool less = c.rule == Rule::kLessThan || c.rule == Rule::kLessOrEqual;
      switch (c.kind) {
        case Condition::Kind::kSimulationTime:
          if (c.rule != Rule::kGreaterThan && c.rule != Rule::kGreaterOrEqual) {
            Error(c.pos, "SimulationTime with rule other than greaterThan or greaterOrEqual cannot be expressed");
            ok = false;
            break;
          }
          out.time_s = std::max(out.time_s.value_or(0.0), TimeThreshold(c));
          break;
        case Condition::Kind::kStoryboardElementState: {
          const std::optional<std::string> event = out.event.empty() ? EventOf(c) : std::nullopt;
          if (!out.event.empty())
            Error(c.pos, "a second StoryboardElementState condition cannot be expressed; a sim trigger waits for one event");
          if (!event) {
            ok = false;
            break;
          }
          out.event = *event;
          break;
        }
        case Condition::Kind::kRelativeDistance: {
          const std::optional<int> o = less ? Other(c, ev.entity, true) : std::nullopt;
          if (!less) {
            Error(c.pos, "RelativeDistance with rule other than lessThan or lessOrEqual cannot be expressed: sim's "
                         "distance_m holds when the distance is at most the value");
            ok = false;
            break;
          }
          if (!o) {
            ok = false;
            break;
          }
          const Entity& a = sc_.entities[static_cast<size_t>(ev.entity)];
          const Entity& b = sc_.entities[static_cast<size_t>(*o)];
          if (c.freespace || c.coordinate_system != CoordinateSystem::kEntity || c.distance_type != DistanceType::kEuclidean) {
            Error(c.pos, "RelativeDistance other than cartesianDistance between reference points (freespace false, "
                         "coordinateSystem entity) cannot be expressed: sim's distance_m is between box centres");
            ok = false;
            break;
          }
          if (a.box.center_x != 0.0 || a.box.center_y != 0.0 || b.box.center_x != 0.0 || b.box.center_y != 0.0) {
            Error(c.pos, "RelativeDistance between '" + a.name + "' and '" + b.name +
                             "' cannot be expressed: the player measures between reference points, sim between box "
                             "centres, and a box centre is not at its reference point");
            ok = false;
            break;
          }
          set_other(c, *o);
          out.distance_m = c.value;
          break;
        }
        case Condition::Kind::kTimeHeadway:
        case Condition::Kind::kTimeToCollision: {
          const bool headway = c.kind == Condition::Kind::kTimeHeadway;
          const std::string what = headway ? "TimeHeadway" : "TimeToCollision";
          if (!less) {
            Error(c.pos, what + " with rule other than lessThan or lessOrEqual cannot be expressed");
            ok = false;
            break;
          }
          if (!c.freespace || c.position || c.coordinate_system == CoordinateSystem::kEntity ||
              c.coordinate_system == CoordinateSystem::kTrajectory || c.distance_type != DistanceType::kLongitudinal) {
            Error(c.pos, what + " cannot be expressed unless it is freespace, longitudinal, along the road or lane, to an "
                                "entity: sim's " + (headway ? "headway_s" : "ttc_s") + " divides the free gap between boxes");
            ok = false;
            break;
          }
          const std::optional<int> o = Other(c, ev.entity, false);
          if (!o) {
            ok = false;
            break;
          }
          set_other(c, *o);
          (headway ? out.headway_s : out.ttc_s) = c.value;
          WarnNotStraight(c, what);
          break;
        }
        default:
          Error(c.pos, "this condition cannot be expressed as a sim trigger; supported: SimulationTime, "
                       "StoryboardElementState of an Event, RelativeDistance (centre to centre), TimeHeadway and "
                       "TimeToCollision (freespace, along the road)");
          ok = false;
      }
    }
    if (other) out.actor = *other;
    if (!ok) return std::nullopt;
    return out;
  }

  // --- actions

  /// The behaviours of one action on actor `entity`; false when it cannot be expressed.
  bool Convert(const Action& action, int entity, ImportedEvent* ev) {
    const std::string actor = sc_.entities[static_cast<size_t>(entity)].name;
    if (const auto* s = std::get_if<SpeedAction>(&action.body)) {
      if (s->relative) {
        Error(action.pos, "a SpeedAction relative to another entity cannot be expressed: sim's speed behaviours have "
                          "absolute targets");
        return false;
      }
      if (s->dynamics.shape == Shape::kStep) {
        ev->behaviours.push_back(sim::KeepSpeed{.speed_mps = s->value});
        ev->ends = false;
        Warn(action.pos, "a step SpeedAction becomes keep_speed: sim changes '" + actor +
                             "''s speed as fast as its acceleration limits and the road's grip allow (friction * 9.81 "
                             "m/s^2 for a vehicle), not within one step");
        return true;
      }
      if (s->dynamics.shape != Shape::kLinear || s->dynamics.dimension != Dimension::kTime) {
        Error(action.pos, std::string("a SpeedAction with ") +
                              (s->dynamics.shape != Shape::kLinear ? "a cubic or sinusoidal shape"
                                                                   : "dynamicsDimension rate or distance") +
                              " cannot be expressed: sim's speed_profile is linear in time between given times");
        return false;
      }
      if (!(s->dynamics.value > 0.0)) {
        ev->behaviours.push_back(sim::KeepSpeed{.speed_mps = s->value});
        ev->ends = false;
        return true;
      }
      ev->behaviours.push_back(sim::SpeedProfile{.points = {{.time_s = s->dynamics.value, .speed_mps = s->value}}});
      return true;
    }
    if (const auto* l = std::get_if<LaneChangeAction>(&action.body)) {
      if (l->target_offset != 0.0) {
        Error(action.pos, "a LaneChangeAction with a targetLaneOffset cannot be expressed: sim's lane_change ends on "
                          "the lane's centre");
        return false;
      }
      if (l->dynamics.shape == Shape::kStep || l->dynamics.dimension != Dimension::kTime || !(l->dynamics.value > 0.0)) {
        Error(action.pos, "a LaneChangeAction cannot be expressed unless it is linear, cubic or sinusoidal over a time: "
                          "sim's lane_change lasts a given duration");
        return false;
      }
      // the lane the actor is on when the change starts: its start lane, moved by its earlier lane changes
      // in storyboard order (they cannot overlap: sim waits for a lane change to end)
      const std::optional<SimLane> start = StartLane(entity);
      if (!start) {
        Error(action.pos, "a LaneChangeAction of an actor that does not start on a driving lane cannot be expressed");
        return false;
      }
      const auto [it, fresh] = lane_index_.emplace(entity, start->index);
      int side = 0;
      if (l->relative && l->entity == actor) {
        side = l->value;
      } else if (!l->relative) {
        const std::optional<SimLane> to = roads_->Find(roads_->groups()[start->group].road, l->value);
        if (to && to->group == start->group) side = to->index - it->second;
      }
      const int lanes = static_cast<int>(roads_->groups()[start->group].lanes.size());
      if ((side != 1 && side != -1) || it->second + side < 0 || it->second + side >= lanes) {
        Error(action.pos, "this LaneChangeAction cannot be expressed: sim's lane_change moves to a neighbour lane that "
                          "drives the same way (a target relative to the actor itself of +1 or -1 lanes, or an absolute "
                          "target next to the actor's lane, on its road)");
        return false;
      }
      it->second += side;
      Warn(action.pos, "sim moves '" + actor + "' along its lane at its whole speed during this lane change and its box "
                       "centre along the lateral profile; the player moves the reference point its speed along its "
                       "path, so it falls behind along the lane by about pi^2 d^2 / (16 v T) for a sinusoidal change "
                       "(d the lateral move, v the speed, T the duration: 0.38 m for 3.5 m in 2 s at 10 m/s)");
      const sim::LaneChangeShape shape = l->dynamics.shape == Shape::kLinear ? sim::LaneChangeShape::kLinear
                                         : l->dynamics.shape == Shape::kCubic ? sim::LaneChangeShape::kCubic
                                                                               : sim::LaneChangeShape::kSinusoidal;
      ev->behaviours.push_back(sim::LaneChange{.side = side > 0 ? sim::Side::kLeft : sim::Side::kRight,
                                               .duration_s = l->dynamics.value, .shape = shape});
      return true;
    }
    // the player does nothing either; signals matter only to conditions, which are refused here
    if (std::holds_alternative<IgnoredAction>(action.body) || std::holds_alternative<TrafficSignalAction>(action.body))
      return true;
    Error(action.pos, "this action cannot be expressed as a sim behaviour; supported: SpeedAction (absolute, step or linear "
                      "over time), LaneChangeAction (to a neighbour lane, over time)");
    return false;
  }

  std::optional<SimLane> StartLane(int entity) const {
    const sim::ActorSpec& a = actors_->at(actor_of_entity_.at(static_cast<size_t>(entity)));
    if (a.lane.empty() || !roads_) return std::nullopt;
    for (size_t g = 0; g < roads_->groups().size(); ++g)
      if (a.lane.starts_with(roads_->groups()[g].id + ":"))
        return SimLane{g, std::stoi(a.lane.substr(roads_->groups()[g].id.size() + 1))};
    return std::nullopt;
  }

  void Storyboard(sim::WorldSpec* world) {
    actors_ = &world->actors;
    if (actor_of_entity_.size() != sc_.entities.size()) return;  // an actor could not be made: reported
    std::vector<std::pair<size_t, double>> act_times;  // event index -> its act's start
    for (int story : sc_.stories) {
      for (int act : sc_.elements[static_cast<size_t>(story)].children) {
        const Element& a = sc_.elements[static_cast<size_t>(act)];
        if (a.stop_trigger && !a.stop_trigger->empty()) {
          Error(a.pos, "Act '" + a.name + "' has a StopTrigger: sim behaviours cannot be stopped from outside");
          continue;
        }
        const std::optional<double> act_time = TimeOnly(a.start_trigger, a.pos, "Act '" + a.name + "'");
        if (!act_time) continue;
        for (int mg : a.children) Group(mg, *act_time, &act_times);
      }
    }
    // triggers, once every event is known (StoryboardElementState may name a later one)
    for (auto& [index, act_time] : act_times) {
      ImportedEvent& ev = events_[index];
      ev.trigger = ConvertTrigger(ev, act_time);
    }
    // per actor, in the order the events started when played as written
    std::vector<const ImportedEvent*> order;
    for (const ImportedEvent& e : events_) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a->started < b->started; });
    for (const ImportedEvent* e : order) {
      if (!e->trigger) continue;
      sim::ActorSpec& actor = world->actors[actor_of_entity_[static_cast<size_t>(e->entity)]];
      for (size_t k = 0; k < e->behaviours.size(); ++k) {
        sim::Behaviour b = e->behaviours[k];
        std::visit(
            [&](auto& x) {
              x.name = k == 0 ? e->name : e->name + "_" + std::to_string(k + 1);
              x.trigger = e->trigger;
            },
            b);
        actor.behaviours.push_back(std::move(b));
      }
    }
  }

  void Group(int mg, double act_time, std::vector<std::pair<size_t, double>>* act_times) {
    const Element& g = sc_.elements[static_cast<size_t>(mg)];
    if (g.max_executions != 1) {
      Error(g.pos, "ManeuverGroup '" + g.name + "' runs more than once (maximumExecutionCount); sim behaviours run once");
      return;
    }
    if (g.actors.size() != 1) {
      Error(g.pos, "ManeuverGroup '" + g.name + "' has " + std::to_string(g.actors.size()) +
                       " actors; an imported event acts on one actor");
      return;
    }
    const int entity = g.actors[0];
    for (int m : g.children)
      for (int e : sc_.elements[static_cast<size_t>(m)].children) {
        const Element& ev = sc_.elements[static_cast<size_t>(e)];
        if (entity == ego_) {
          Warn(ev.pos, "Event '" + ev.name + "' acts on the ego '" + sc_.entities[static_cast<size_t>(entity)].name +
                           "', which the model drives: it is not imported");
          continue;
        }
        if (ev.max_executions != 1) {
          Error(ev.pos, "Event '" + ev.name + "' may run more than once (maximumExecutionCount); sim behaviours run once");
          continue;
        }
        if (ev.stop_trigger && !ev.stop_trigger->empty()) {
          Error(ev.pos, "Event '" + ev.name + "' has a StopTrigger: sim behaviours cannot be stopped from outside");
          continue;
        }
        ImportedEvent out{.element = e, .entity = entity, .name = ActorName(ev.name), .order = events_.size()};
        for (const ImportedEvent& other : events_)
          if (other.entity == entity && other.name == out.name) out.name += "_" + std::to_string(events_.size() + 1);
        bool ok = true;
        for (int ai : ev.children) {
          const Element& action = sc_.elements[static_cast<size_t>(ai)];
          ok = Convert(sc_.actions[static_cast<size_t>(action.action)], entity, &out) && ok;
        }
        if (!ok || out.behaviours.empty()) continue;
        if (const auto it = event_start_.find(ev.name); it != event_start_.end()) out.started = it->second;
        act_times->emplace_back(events_.size(), act_time);
        events_.push_back(std::move(out));
      }
  }

  /// Where the StopTrigger is: its first condition, else the first Story, else the ego.
  core::SourcePos StopPos() const {
    const Trigger& stop = sc_.stop_trigger;
    if (!stop.groups.empty() && !stop.groups[0].empty()) return sc_.conditions[static_cast<size_t>(stop.groups[0][0])].pos;
    if (!sc_.stories.empty()) return sc_.elements[static_cast<size_t>(sc_.stories[0])].pos;
    return sc_.entities[static_cast<size_t>(ego_)].pos;
  }

  /// duration_s: --duration, else the StopTrigger's time, else how long the run as written lasted.
  void Duration(sim::WorldSpec* world) {
    if (options_.duration) {
      world->duration_s = *options_.duration;
      return;
    }
    const Trigger& stop = sc_.stop_trigger;
    if (stop.groups.size() == 1 && stop.groups[0].size() == 1) {
      const Condition& c = sc_.conditions[static_cast<size_t>(stop.groups[0][0])];
      if (c.kind == Condition::Kind::kSimulationTime && c.delay == 0.0 && c.edge == Edge::kNone &&
          (c.rule == Rule::kGreaterThan || c.rule == Rule::kGreaterOrEqual) && c.value > 0.0) {
        // the player stops at the first step time that meets the rule
        const double dt = options_.time_step;
        double steps = std::ceil(c.value / dt - 1e-9);
        if (c.rule == Rule::kGreaterThan && steps * dt <= c.value + 1e-10) steps += 1.0;
        world->duration_s = steps * dt;
        return;
      }
    }
    if (run_end_) {
      world->duration_s = *run_end_;
      Warn(StopPos(), "the StopTrigger is not a simulation time: the world lasts " + Num(*run_end_) +
                                       " s, as long as the scenario ran when played as written (give --duration to choose)");
      return;
    }
    if (!errors_.empty()) return;  // the run as written stopped at an error: reported
    Error(StopPos(), "no StopTrigger ended the scenario within " + Num(kMaxReadRun_s) +
                         " s when played as written: give --duration");
  }

  std::string path_;
  ImportOptions options_;
  Scenario sc_;
  core::Diagnostics errors_;
  std::vector<Warning> warnings_;
  int ego_ = 0;
  std::optional<RoadImporter> roads_;
  std::vector<EntityState> initial_;
  std::map<std::string, double> event_start_;
  std::optional<double> run_end_;
  std::vector<size_t> actor_of_entity_;
  const std::vector<sim::ActorSpec>* actors_ = nullptr;
  std::vector<ImportedEvent> events_;
  std::map<int, int> lane_index_;  ///< entity -> its sim lane index after its lane changes so far
};

}  // namespace

std::string ActorName(const std::string& entity) {
  std::string out;
  for (const char c : entity) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out.insert(out.begin(), '_');
  return out;
}

ImportResult ImportScenario(const std::string& path, const ImportOptions& options) {
  return Importer(path, options).Run();
}

}  // namespace gauntlet::openscenario
