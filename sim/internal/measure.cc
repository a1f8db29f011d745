#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>

#include "sim/internal/trig.h"
#include "sim/internal/world.h"

// The measurement: the row at t (the actors' blocks, the pairs relative to the ego with their contacts,
// then the sensors), each column at the offset its signal table gives (signal_table.h).

namespace gauntlet::sim::internal {
namespace {

// A footprint moved on at its speed and yaw rate for `h` seconds (straight, for a rate of change).
Footprint Ahead(const Actor& a, double h) {
  Footprint f = FootprintOf(a);
  const SinCos heading = SinCosOf(a.body.heading_rad);
  f.x_m += h * a.body.speed_mps * heading.cos;
  f.y_m += h * a.body.speed_mps * heading.sin;
  f.heading_rad += h * a.yaw_rate_radps;
  return f;
}

// Footprints this close count as touching when `a` is slid along its path (PathGap).
constexpr double kPathTouch_m = 1e-6;
constexpr int kPathIterations = 1000;

}  // namespace

std::optional<double> World::PathGap(const Actor& a, const Actor& b, const Footprint& fa, const Footprint& fb,
                                     double clearance) const {
  // b must be on a's lane or on one of its successors, not behind a, and laterally within reach
  if (clearance <= 0.0 || a.where.lane < 0 || b.where.lane < 0) return std::nullopt;
  const LaneId lane = a.where.lane;
  LaneId next = -1;
  double ds = b.where.s_m - a.where.s_m;
  if (b.where.lane != lane) {
    const auto& successors = road_.Successors(lane);
    if (std::find(successors.begin(), successors.end(), b.where.lane) == successors.end()) return std::nullopt;
    next = b.where.lane;
    ds = road_.LaneLength(lane) - a.where.s_m + b.where.s_m;
  }
  const double ra = fa.Radius();
  const double reach = ra + fb.Radius();
  if (ds + reach <= 0.0 || std::abs(b.where.lateral_offset_m - a.where.lateral_offset_m) > reach) {
    return std::nullopt;
  }
  // slide a's footprint along the lane (its offset and heading error kept) until it touches b:
  // conservative advancement, no point of the footprint moves faster than `rate` per metre of lane
  const double offset = a.where.lateral_offset_m;
  double kappa = road_.MaxCurvature(lane);
  if (next >= 0) kappa = std::max(kappa, road_.MaxCurvature(next));
  const double rate = 1.0 + kappa * (std::abs(offset) + ra);
  const double length = road_.LaneLength(lane);
  auto pose_at = [&](double s) {
    return next >= 0 && s > length ? road_.PoseAt(next, s - length, offset) : road_.PoseAt(lane, s, offset);
  };
  const Pose2 origin = pose_at(a.where.s_m);
  const double horizon = ds + reach;
  double sigma = 0.0;
  double c = clearance;
  for (int i = 0; i < kPathIterations; ++i) {
    sigma += c / rate;
    if (sigma > horizon) return std::nullopt;
    const Pose2 pose = pose_at(a.where.s_m + sigma);
    Footprint moved = fa;
    moved.x_m += pose.x_m - origin.x_m;
    moved.y_m += pose.y_m - origin.y_m;
    moved.heading_rad += WrapAngle(pose.heading_rad - origin.heading_rad);
    c = internal::SignedClearance(moved, fb);
    if (c <= kPathTouch_m) return sigma;
  }
  return std::nullopt;  // grazes the path without resolving: not in the path
}

Pair World::Relate(const Actor& a, const Actor& b) const {
  Pair p;
  const double dx = b.body.x_m - a.body.x_m;
  const double dy = b.body.y_m - a.body.y_m;
  p.distance = Hypot(dx, dy);
  const double direction = Atan2(dy, dx);
  p.bearing = WrapAngle(direction - a.body.heading_rad);
  p.rel_heading = WrapAngle(b.body.heading_rad - a.body.heading_rad);
  const Footprint fa = FootprintOf(a);
  const Footprint fb = FootprintOf(b);
  p.clearance = internal::SignedClearance(fa, fb);
  const std::optional<double> along = PathGap(a, b, fa, fb, p.clearance);
  p.gap = along.value_or(p.clearance);
  if (along) {
    // along the path: the difference of the speeds along the lane
    const double va = a.body.speed_mps * Cos(a.where.heading_error_rad);
    const double vb = b.body.speed_mps * Cos(b.where.heading_error_rad);
    p.rel_speed = vb - va;
  } else {
    // the rate of change of the clearance at constant speeds and yaw rates
    constexpr double h = 1e-3;
    p.rel_speed = (internal::SignedClearance(Ahead(a, h), Ahead(b, h)) - p.clearance) / h;
  }
  if (p.gap <= 0.0) {
    p.ttc = 0.0;
  } else if (p.rel_speed < 0.0) {
    p.ttc = std::min(kTtcCap_s, p.gap / -p.rel_speed);
  }
  return p;
}

void World::MeasureLanes(std::span<double> row) {
  // the locator's lane signals over the world's (LaneLocator)
  double* out = row.data();
  for (size_t i = 0; i < actors_.size(); ++i) {
    const BodyState& b = actors_[i].body;
    LanePosition where;
    try {
      where = locator_->Locate(i, {b.x_m, b.y_m, b.heading_rad, b.speed_mps});
    } catch (const std::exception& e) {
      throw EpisodeFailure("the lane locator failed at " + TimeText(static_cast<double>(measured_ - 1) * dt_) + " for " +
                           Who(actors_[i]) + ": " + e.what());
    }
    out[ActorColumn(ActorSignal::kLane)] = static_cast<double>(where.lane);
    out[ActorColumn(ActorSignal::kS)] = where.s_m;
    out[ActorColumn(ActorSignal::kLateralOffset)] = where.lateral_offset_m;
    out[ActorColumn(ActorSignal::kHeadingError)] = where.heading_error_rad;
    out += kSignalsPerActor;
  }
}

void World::Measure(std::span<double> row) {
  // shapes to Bullet, for the sensors' rays
  const bool sensing = !sensors_.empty();
  if (sensing) {
    for (const Actor& a : actors_) {
      if (a.motion != Motion::kStatic) collision_->SetPose(a.box, a.body.x_m, a.body.y_m, a.body.heading_rad);
    }
    collision_->UpdateBounds();
  }
  const double t = static_cast<double>(measured_) * dt_;
  const bool first = measured_ == 0;
  ++measured_;

  // per actor
  double* out = row.data();
  for (const Actor& a : actors_) {
    out[ActorColumn(ActorSignal::kX)] = a.body.x_m;
    out[ActorColumn(ActorSignal::kY)] = a.body.y_m;
    out[ActorColumn(ActorSignal::kHeading)] = a.body.heading_rad;
    out[ActorColumn(ActorSignal::kSpeed)] = a.body.speed_mps;
    out[ActorColumn(ActorSignal::kAccel)] = a.accel_mps2;
    out[ActorColumn(ActorSignal::kYawRate)] = a.yaw_rate_radps;
    out[ActorColumn(ActorSignal::kLane)] = static_cast<double>(a.where.lane);
    out[ActorColumn(ActorSignal::kS)] = a.where.s_m;
    out[ActorColumn(ActorSignal::kLateralOffset)] = a.where.lateral_offset_m;
    out[ActorColumn(ActorSignal::kHeadingError)] = a.where.heading_error_rad;
    out += kSignalsPerActor;
  }
  if (locator_ != nullptr) MeasureLanes(row);

  // relative to the ego
  const Actor& ego = actors_[static_cast<size_t>(ego_)];
  ego_collided_ = false;
  double* pair = row.data() + pair_column_;
  for (size_t i = 0; i < actors_.size(); ++i) {
    if (static_cast<int>(i) == ego_) continue;
    const Actor& other = actors_[i];
    Pair p = Relate(ego, other);
    // contact: the footprints touch now, or touched within the step from the previous row (swept)
    ContactState& contact = contacts_[i];
    bool touching = p.clearance <= 0.0;
    double began = t;
    if (!first && contact.clearance > 0.0) {
      const std::optional<internal::Sweep> sweep = internal::SweepContact(
          last_footprints_[static_cast<size_t>(ego_)], FootprintOf(ego), last_footprints_[i], FootprintOf(other));
      if (sweep) {
        began = t - dt_ + sweep->fraction * dt_;
        if (!touching) {
          // a contact that began and ended within the step: reported at this row
          touching = true;
          p.gap = std::min(p.gap, std::min(sweep->clearance, p.clearance));
          if (p.gap > 0.0) p.gap = 0.0;
          p.ttc = 0.0;
        }
      }
    }
    contact.clearance = p.clearance;
    if (touching && !contact.touching) contact.since_s = began;
    if (!touching) contact.since_s = -1.0;
    contact.touching = touching;
    ego_collided_ = ego_collided_ || touching;
    pair[PairColumn(PairSignal::kGap)] = p.gap;
    pair[PairColumn(PairSignal::kRelSpeed)] = p.rel_speed;
    pair[PairColumn(PairSignal::kTtc)] = p.ttc;
    pair[PairColumn(PairSignal::kDistance)] = p.distance;
    pair[PairColumn(PairSignal::kBearing)] = p.bearing;
    pair[PairColumn(PairSignal::kRelHeading)] = p.rel_heading;
    pair[PairColumn(PairSignal::kCollision)] = touching ? 1.0 : 0.0;
    pair[PairColumn(PairSignal::kContactTime)] = contact.since_s;
    pair += kSignalsPerPair;
  }
  for (size_t i = 0; i < actors_.size(); ++i) last_footprints_[i] = FootprintOf(actors_[i]);
  row[actors_.size() * kSignalsPerActor] = ego_collided_ ? 1.0 : 0.0;

  // sensors
  if (sensing) sensors_.Measure(actors_, *collision_, row);
}

}  // namespace gauntlet::sim::internal
