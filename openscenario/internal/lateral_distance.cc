// One step of a LateralDistanceAction (see lateral_distance.h; semantics after esmini's
// LatDistanceAction, re-derived here).

#include "openscenario/internal/lateral_distance.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gauntlet::openscenario::internal {
namespace {

constexpr double kSmall = 1e-10;
constexpr double kLarge = 1e10;
constexpr double kPi = std::numbers::pi;
constexpr double kReached = 0.01;  // m: esmini's LATERAL_DISTANCE_THRESHOLD

/// a - b wrapped to (-pi, pi].
double AngleDiff(double a, double b) {
  double d = std::remainder(a - b, 2.0 * kPi);
  if (d <= -kPi) d += 2.0 * kPi;
  return d;
}

}  // namespace

double LateralOffsetFrom(const PlanePose& ref, double x, double y) {
  return -std::sin(ref.heading) * (x - ref.x) + std::cos(ref.heading) * (y - ref.y);
}

double LateralRoadStep(double error, double ref_lateral_speed, double speed, const LateralLimits& limits, double dt,
                       LateralRoadState* state, bool* reached) {
  LateralRoadState& st = *state;
  const double cap = std::max(0.0, std::min(limits.max_speed, std::fabs(speed)) - kSmall);
  *reached = false;
  if (limits.max_acceleration < kLarge) {
    // a critically damped spring on the error, relative to the referenced entity's lateral speed
    const double k = 0.4 * limits.max_acceleration;
    const double spring = k * error - 2.0 * std::sqrt(k) * (st.lateral_speed - ref_lateral_speed);
    const double change = std::clamp(spring - st.acceleration, -limits.max_acceleration_rate * dt,
                                     limits.max_acceleration_rate * dt);
    st.acceleration = std::clamp(st.acceleration + change, -limits.max_acceleration, limits.max_acceleration);
    st.lateral_speed = std::clamp(st.lateral_speed + st.acceleration * dt, -cap, cap);
    *reached = std::fabs(error) < kReached;
    return st.lateral_speed * dt;
  }
  // as fast as the speed limit allows, stopping on the target
  st.lateral_speed = (error < 0.0 ? -1.0 : 1.0) * cap;
  double step = st.lateral_speed * dt;
  if ((error - step < 0.0) != (error < 0.0)) {
    step = error;
    st.lateral_speed = dt > 0.0 ? step / dt : 0.0;
    *reached = true;
  }
  return step;
}

PlanePose LateralEntityStep(const PlanePose& actor, double speed, const PlanePose& ref, double distance,
                            double max_acceleration, double dt) {
  const double ax = std::cos(ref.heading), ay = std::sin(ref.heading);  // the target line's direction
  const double lx = ref.x - ay * distance, ly = ref.y + ax * distance;   // a point on it
  // the aiming point: the entity's position projected on the line
  const double along = (actor.x - lx) * ax + (actor.y - ly) * ay;
  const double px = lx + along * ax, py = ly + along * ay;
  const double dx = px - actor.x, dy = py - actor.y;
  const double dist = std::hypot(dx, dy);
  const double step = speed * dt;
  if (max_acceleration >= kLarge) {
    const double rest = std::max(0.0, std::fabs(step) - dist);
    return {px + ax * rest, py + ay * rest, ref.heading};
  }
  if (dist < kSmall) return {actor.x + ax * step, actor.y + ay * step, ref.heading};
  const double radius = std::max(0.5, 1.5 * speed * speed / std::min(std::fabs(max_acceleration), 1000.0));
  const double dh_max = std::min(std::fabs(speed / radius * dt) * 1.5, kPi - kSmall);
  if (dist < step / 2 - kSmall && step / 2 > radius - kSmall) {
    // close to the line: go straight to where the circle of radius step meets it, the point whose
    // direction is nearer the referenced entity's heading
    const double half = std::sqrt(std::max(0.0, step * step - dist * dist));
    const double cands[2][2] = {{px + ax * half, py + ay * half}, {px - ax * half, py - ay * half}};
    PlanePose best{};
    double best_diff = 1e300;
    for (const auto& c : cands) {
      const double h = std::atan2(c[1] - actor.y, c[0] - actor.x);
      const double diff = std::fabs(AngleDiff(h, ref.heading));
      if (diff < best_diff) {
        best_diff = diff;
        best = {c[0], c[1], h};
      }
    }
    return best;
  }
  double dh = 0.0;
  if (dist > radius - kSmall) {
    // far from the line: head for the aiming point, turning at most dh_max
    dh = std::clamp(AngleDiff(std::atan2(dy, dx), actor.heading), -dh_max, dh_max);
  } else {
    // within the turning radius: blend heading for the line and the referenced entity's heading
    const double to_line = AngleDiff(std::atan2(dy, dx), actor.heading);
    const double to_heading = AngleDiff(ref.heading, actor.heading);
    const double d_angle = step / radius;
    const double angle = std::max(std::acos(std::clamp(1.0 - dist / radius, -1.0, 1.0)), d_angle / 2);
    double w = (2.0 * angle - d_angle / 2) / kPi;
    w = 3.0 * w * w - 2.0 * w * w * w;
    dh = std::clamp(w * to_line + (1.0 - w) * to_heading, -dh_max, dh_max);
  }
  const double h = actor.heading + dh;
  return {actor.x + std::cos(h) * step, actor.y + std::sin(h) * step, std::atan2(std::sin(h), std::cos(h))};
}

}  // namespace gauntlet::openscenario::internal
