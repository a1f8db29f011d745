// Sampling trajectory shapes (see shapes.h).

#include "openscenario/internal/shapes.h"

#include <algorithm>
#include <cmath>

#include "opendrive/internal/curve.h"

namespace gauntlet::openscenario::internal {

PlanePose SampleClothoid(const PlanePose& start, double k0, double c, double length, std::vector<ShapePoint>* out) {
  const int n = static_cast<int>(std::clamp(std::ceil(length / kSampleStep), 2.0, 1e6));
  const double ds = length / n;
  double x = start.x, y = start.y;
  for (int k = 0; k < n; ++k) {
    const double s0 = k * ds;
    double dx = 0.0, dy = 0.0;
    opendrive::internal::ClothoidDisplacement(start.heading + s0 * (k0 + 0.5 * c * s0), k0 + c * s0, c, ds, &dx, &dy);
    x += dx;
    y += dy;
    out->push_back({x, y, (k + 1) * ds});
  }
  return {x, y, opendrive::internal::WrapAngle(start.heading + length * (k0 + 0.5 * c * length))};
}

}  // namespace gauntlet::openscenario::internal
