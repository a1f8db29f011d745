#include "openscenario/internal/controller.h"

#include "openscenario/internal/controller_acc.h"
#include "openscenario/internal/controller_r157.h"

namespace gauntlet::openscenario::internal {

double IntervalGap(double a0, double a1, double b0, double b1) {
  if (b0 > a1) return b0 - a1;
  if (b1 < a0) return b1 - a0;
  return 0.0;
}

std::unique_ptr<Controller> MakeController(const ControllerSpec& spec) {
  if (spec.type == "ALKS_R157SM_Controller") return std::make_unique<R157Controller>(spec);
  return std::make_unique<AccController>(spec);
}

}  // namespace gauntlet::openscenario::internal
