// Trailers towed as esmini tows them (see trailer.h).
#include "openscenario/internal/trailer.h"

#include <cmath>
#include <numbers>

#include "opendrive/internal/curve.h"

namespace gauntlet::openscenario::internal {
namespace {

constexpr double kPi = std::numbers::pi;
using opendrive::internal::WrapAngle;

}  // namespace

PlanePose HitchPoint(const PlanePose& pose, double dx) {
  return {pose.x + dx * std::cos(pose.heading), pose.y + dx * std::sin(pose.heading), pose.heading};
}

PlanePose PullTrailer(const PlanePose& hitch, const PlanePose& trailer, double coupler) {
  const double dx = trailer.x - hitch.x;
  const double dy = trailer.y - hitch.y;
  const double length = std::hypot(dx, dy);
  if (length < 1e-9) return AlignTrailer(hitch, coupler);
  const double ux = dx / length, uy = dy / length;
  return {hitch.x + coupler * ux, hitch.y + coupler * uy, WrapAngle(std::atan2(uy, ux) + kPi)};
}

PlanePose AlignTrailer(const PlanePose& hitch, double coupler) {
  return {hitch.x - coupler * std::cos(hitch.heading), hitch.y - coupler * std::sin(hitch.heading), WrapAngle(hitch.heading)};
}

Couplings::Couplings(const std::vector<Entity>& entities)
    : tow_(entities.size(), -1), trailer_(entities.size(), -1) {
  for (size_t i = 0; i < entities.size(); ++i)
    if (entities[i].trailer >= 0) {
      trailer_[i] = entities[i].trailer;
      tow_[static_cast<size_t>(entities[i].trailer)] = static_cast<int>(i);
    }
}

bool Couplings::Connect(int tow, int trailer) {
  for (int e = tow; e >= 0; e = this->tow(e))
    if (e == trailer) return false;
  if (this->trailer(tow) == trailer) return true;  // esmini: already connected, kept
  Disconnect(tow);
  if (this->tow(trailer) >= 0) Disconnect(this->tow(trailer));
  trailer_[static_cast<size_t>(tow)] = trailer;
  tow_[static_cast<size_t>(trailer)] = tow;
  return true;
}

void Couplings::Disconnect(int tow) {
  const int t = trailer(tow);
  if (t < 0) return;
  tow_[static_cast<size_t>(t)] = -1;
  trailer_[static_cast<size_t>(tow)] = -1;
}

std::vector<int> Couplings::Fronts() const {
  std::vector<int> out;
  for (size_t i = 0; i < tow_.size(); ++i)
    if (tow_[i] < 0 && trailer_[i] >= 0) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace gauntlet::openscenario::internal
