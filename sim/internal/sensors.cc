#include "sim/internal/sensors.h"

#include <cmath>
#include <string>
#include <utility>
#include <variant>

namespace gauntlet::sim::internal {

Sensors::Sensors(const WorldSpec& spec, int ego, size_t first_column) {
  size_t column = first_column;
  for (const SensorSpec& sensor : spec.sensors) {
    if (const auto* r = std::get_if<RaySensorSpec>(&sensor)) {
      RaySensor ray;
      ray.host = ActorIndex(spec, ego, r->host);
      ray.range_m = r->range_m;
      ray.height_m = r->mount_height_m;
      for (int i = 0; i < r->count; ++i) {
        ray.angles_rad.push_back(r->count == 1 ? 0.0 : -0.5 * r->fov_rad + r->fov_rad * i / (r->count - 1));
      }
      ray.column = column;
      column += ray.angles_rad.size();
      rays_.push_back(std::move(ray));
    } else {
      const auto& d = std::get<DetectorSpec>(sensor);
      Detector det;
      det.host = ActorIndex(spec, ego, d.host);
      det.range_m = d.range_m;
      det.half_fov_rad = 0.5 * d.fov_rad;
      det.height_m = d.mount_height_m;
      if (d.targets.empty()) {
        for (size_t i = 0; i < spec.actors.size(); ++i)
          if (static_cast<int>(i) != det.host) det.targets.push_back(static_cast<int>(i));
      } else {
        for (const std::string& t : d.targets) det.targets.push_back(ActorIndex(spec, ego, t));
      }
      det.column = column;
      column += kSignalsPerDetection * det.targets.size();
      detectors_.push_back(std::move(det));
    }
  }
  end_column_ = column;
}

void Sensors::Measure(const std::vector<Actor>& actors, const CollisionWorld& collision, std::span<double> row) const {
  for (const RaySensor& sensor : rays_) {
    const Actor& host = actors[static_cast<size_t>(sensor.host)];
    const double c = std::cos(host.body.heading_rad);
    const double s = std::sin(host.body.heading_rad);
    const CollisionWorld::Point3 from{host.body.x_m + 0.5 * host.dims.length_m * c,
                                      host.body.y_m + 0.5 * host.dims.length_m * s, sensor.height_m};
    for (size_t i = 0; i < sensor.angles_rad.size(); ++i) {
      const double angle = host.body.heading_rad + sensor.angles_rad[i];
      const CollisionWorld::Point3 to{from.x + sensor.range_m * std::cos(angle),
                                      from.y + sensor.range_m * std::sin(angle), from.z};
      const CollisionWorld::RayHit hit = collision.CastRay(from, to, host.box);
      row[sensor.column + i] = hit.box >= 0 ? hit.fraction * sensor.range_m : sensor.range_m;
    }
  }
  for (const Detector& det : detectors_) {
    const Actor& host = actors[static_cast<size_t>(det.host)];
    const CollisionWorld::Point3 from{host.body.x_m, host.body.y_m, det.height_m};
    for (size_t k = 0; k < det.targets.size(); ++k) {
      const Actor& target = actors[static_cast<size_t>(det.targets[k])];
      const double dx = target.body.x_m - host.body.x_m;
      const double dy = target.body.y_m - host.body.y_m;
      const double range = std::hypot(dx, dy);
      const double bearing = WrapAngle(std::atan2(dy, dx) - host.body.heading_rad);
      bool visible = false;
      if (range <= det.range_m && std::abs(bearing) <= det.half_fov_rad) {
        const double c = std::cos(target.body.heading_rad);
        const double s = std::sin(target.body.heading_rad);
        const double hl = 0.45 * target.dims.length_m;
        const double hw = 0.45 * target.dims.width_m;
        static constexpr double kCorners[5][2] = {{0, 0}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        for (const auto& corner : kCorners) {
          const double lx = corner[0] * hl;
          const double ly = corner[1] * hw;
          const CollisionWorld::Point3 to{target.body.x_m + lx * c - ly * s, target.body.y_m + lx * s + ly * c,
                                          0.5 * target.dims.height_m};
          if (collision.CastRay(from, to, host.box).box == target.box) {
            visible = true;
            break;
          }
        }
      }
      const size_t at = det.column + kSignalsPerDetection * k;
      row[at + DetectorColumn(DetectorSignal::kVisible)] = visible ? 1.0 : 0.0;
      row[at + DetectorColumn(DetectorSignal::kRange)] = visible ? range : det.range_m;
      row[at + DetectorColumn(DetectorSignal::kBearing)] = visible ? bearing : 0.0;
    }
  }
}

}  // namespace gauntlet::sim::internal
