// Fuzzes the OpenSCENARIO reader (openscenario::LoadScenario: pugixml, parameters and expressions,
// entities, catalogs, storyboard, positions on the road network) on a scratch `scenario.xosc`, next to
// the road networks its seeds name (`road.xodr`, esmini's straight_500m; `signs.xodr`, the same with
// signals) and esmini's catalogs
// (`Vehicles/`, `Pedestrians/`, `MiscObjects/`, `Controllers/`), then plays an accepted scenario for at
// most 200 steps of 0.05 s: a scenario that loads must play (core::InputError at run time is a
// documented answer, anything else a finding).
#include <filesystem>
#include <string>

#include "fuzz/fuzz_util.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gauntlet::fuzz::CopyIntoScratch("data/openscenario/xodr/straight_500m.xodr", "road.xodr");
  gauntlet::fuzz::CopyIntoScratch("data/openscenario/xodr/straight_500m_signs.xodr", "signs.xodr");
  for (const std::string kind : {"Vehicles/VehicleCatalog", "Pedestrians/PedestrianCatalog",
                                 "MiscObjects/MiscObjectCatalog", "Controllers/ControllerCatalog"}) {
    std::filesystem::create_directories(gauntlet::fuzz::ScratchDir() + "/" + kind.substr(0, kind.find('/')));
    gauntlet::fuzz::CopyIntoScratch("data/openscenario/xosc/Catalogs/" + kind + ".xosc", kind + ".xosc");
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gauntlet::fuzz::WriteScratch("scenario.xosc", data, size);
  gauntlet::fuzz::Run([&] {
    const gauntlet::openscenario::Scenario scenario = gauntlet::openscenario::LoadScenario(path);
    gauntlet::openscenario::Player player(scenario, {.time_step = 0.05});
    player.Start();
    for (int k = 0; k < 200 && !player.finished(); ++k) player.Step();
    (void)player.States();
    (void)player.TakeLines();
  });
  return 0;
}
