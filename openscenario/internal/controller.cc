#include "openscenario/internal/controller.h"

#include "openscenario/internal/controller_acc.h"
#include "openscenario/internal/controller_r157.h"

namespace gauntlet::openscenario::internal {

std::unique_ptr<Controller> MakeController(const ControllerSpec& spec) {
  if (spec.type == "ALKS_R157SM_Controller") return std::make_unique<R157Controller>(spec);
  return std::make_unique<AccController>(spec);
}

}  // namespace gauntlet::openscenario::internal
