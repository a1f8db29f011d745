#pragma once
// Private to openscenario/: where a point projects onto a polyline path, as esmini measures a distance
// along a trajectory (Position::Distance in its trajectory coordinate system; docs/openscenario.md,
// "SynchronizeAction").
//
//   std::vector<std::pair<Vec, double>> path = {{{0, 0}, 0.0}, {{10, 0}, 10.0}, {{10, 5}, 15.0}};
//   const double s = ClosestAlongPath(path, {12, 3});   // 13: the second segment, 3 m up

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace gauntlet::openscenario::internal {

/// The arc length of the point of `path` closest to `point`. `path` is a sequence of (point, arc
/// length) pairs, points with members x and y, arc lengths increasing; each segment is a straight line
/// between its ends, its arc length interpolated linearly. Ties go to the earliest segment. A path of
/// one point gives that point's arc length; an empty one 0.
template <class Path, class Point>
double ClosestAlongPath(const Path& path, const Point& point) {
  if (path.empty()) return 0.0;
  double best_s = path.front().second;
  double best = std::hypot(point.x - path.front().first.x, point.y - path.front().first.y);
  for (std::size_t k = 1; k < path.size(); ++k) {
    const auto& a = path[k - 1].first;
    const auto& b = path[k].first;
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    const double f = len2 > 0.0 ? std::clamp(((point.x - a.x) * dx + (point.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
    const double d = std::hypot(point.x - (a.x + f * dx), point.y - (a.y + f * dy));
    if (d < best) {
      best = d;
      best_s = path[k - 1].second + f * (path[k].second - path[k - 1].second);
    }
  }
  return best_s;
}

}  // namespace gauntlet::openscenario::internal
