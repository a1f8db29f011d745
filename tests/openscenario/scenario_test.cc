// Reading scenarios: parameters, catalogs with parameter assignments, entities, and errors at their
// file:line:col for what is not supported (openscenario/scenario.h).

#include "openscenario/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::LoadScenario;

/// The message of the InputError loading `path` throws ("" if none).
std::string LoadError(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params = {}) {
  try {
    (void)LoadScenario(path, params);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioTest, ParametersOverridesAndExpressions) {
  XoscParts p;
  p.parameters =
      "<ParameterDeclaration name=\"Speed\" parameterType=\"double\" value=\"10\"/>"
      "<ParameterDeclaration name=\"Double\" parameterType=\"double\" value=\"${$Speed * 2}\"/>";
  p.entities = Car("Ego");
  p.init = "<Private entityRef=\"Ego\"><PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics "
           "dynamicsShape=\"step\" value=\"0\" dynamicsDimension=\"time\"/><SpeedActionTarget><AbsoluteTargetSpeed "
           "value=\"$Double\"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private>";
  const std::string path = WriteXosc("params", Xosc(p));
  EXPECT_DOUBLE_EQ(PlayFile(path, 0.1, 1.0).At(1.0)[0].speed, 20.0);
  // --param replaces the declared value; later declarations see it
  EXPECT_DOUBLE_EQ(PlayFile(path, 0.1, 1.0, {{"Speed", "7"}}).At(1.0)[0].speed, 14.0);
  EXPECT_NE(LoadError(path, {{"Sped", "7"}}).find("declares no parameter 'Sped'"), std::string::npos);
  EXPECT_NE(LoadError(path, {{"Sped", "7"}}).find("did you mean"), std::string::npos);
  // an override is an attribute value: an expression (as Euro NCAP variation files write them) is evaluated
  EXPECT_DOUBLE_EQ(PlayFile(path, 0.1, 1.0, {{"Speed", "${0.6 / 2 + 2.7}"}}).At(1.0)[0].speed, 6.0);
  EXPECT_NE(LoadError(path, {{"Speed", "${1 +}"}}), "");
}

TEST(ScenarioTest, CatalogEntriesWithParameterAssignments) {
  const std::string dir = FreshDir("osc_catalog");
  std::filesystem::create_directories(dir + "/Catalogs/Vehicles");
  std::ofstream(dir + "/Catalogs/Vehicles/cars.xosc")
      << "<?xml version=\"1.0\"?>\n<OpenSCENARIO><FileHeader revMajor=\"1\" revMinor=\"0\" date=\"x\" description=\"\" "
         "author=\"\"/><Catalog name=\"Cars\">\n"
         "<Vehicle name=\"box\" vehicleCategory=\"car\"><ParameterDeclarations><ParameterDeclaration name=\"Len\" "
         "parameterType=\"double\" value=\"4\"/></ParameterDeclarations><BoundingBox><Center x=\"1\" y=\"0\" z=\"0\"/>"
         "<Dimensions width=\"2\" length=\"$Len\" height=\"1.5\"/></BoundingBox><Performance maxSpeed=\"50\" "
         "maxAcceleration=\"5\" maxDeceleration=\"5\"/><Axles/><Properties/></Vehicle>\n"
         "</Catalog></OpenSCENARIO>\n";
  XoscParts p;
  p.catalogs = "<VehicleCatalog><Directory path=\"Catalogs/Vehicles\"/></VehicleCatalog>";
  p.entities =
      "<ScenarioObject name=\"Long\"><CatalogReference catalogName=\"Cars\" entryName=\"box\"><ParameterAssignments>"
      "<ParameterAssignment parameterRef=\"Len\" value=\"6\"/></ParameterAssignments></CatalogReference></ScenarioObject>"
      "<ScenarioObject name=\"Default\"><CatalogReference catalogName=\"Cars\" entryName=\"box\"/></ScenarioObject>";
  const std::string path = dir + "/catalog.xosc";
  std::ofstream(path) << Xosc(p);
  const openscenario::Scenario sc = LoadScenario(path);
  ASSERT_EQ(sc.entities.size(), 2u);
  EXPECT_DOUBLE_EQ(sc.entities[0].box.length, 6.0);
  EXPECT_DOUBLE_EQ(sc.entities[1].box.length, 4.0);
  EXPECT_DOUBLE_EQ(sc.entities[0].box.center_x, 1.0);
  EXPECT_DOUBLE_EQ(sc.entities[0].max_speed, 50.0);

  // a missing entry or an undeclared assignment is an error at the reference
  p.entities = "<ScenarioObject name=\"X\"><CatalogReference catalogName=\"Cars\" entryName=\"bx\"/></ScenarioObject>";
  std::ofstream(path) << Xosc(p);
  EXPECT_NE(LoadError(path).find("catalog.xosc:7:"), std::string::npos) << LoadError(path);
  EXPECT_NE(LoadError(path).find("has no entry 'bx' (did you mean 'box'?)"), std::string::npos) << LoadError(path);
}

TEST(ScenarioTest, UnsupportedElementIsAnErrorAtItsPosition) {
  XoscParts p;
  p.entities = Car("Ego");
  p.stories = Story("Ego", Event("e",
                                 "<GlobalAction>\n  <TrafficAction/></GlobalAction>",
                                 Trigger(TimeCondition(1.0))));
  const std::string path = WriteXosc("unsupported", Xosc(p));
  const std::string error = LoadError(path);
  // the file's line 10 holds the story; TrafficAction is on the next line, column 3
  EXPECT_NE(error.find("unsupported.xosc:11:3: error: TrafficAction is not supported in GlobalAction; "
                       "supported: ParameterAction, VariableAction, EnvironmentAction, InfrastructureAction"),
            std::string::npos)
      << error;
}

TEST(ScenarioTest, EveryProblemOfAFileIsReported) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Nobody", "<WorldPosition x=\"0\" y=\"0\"/>", 1.0) +
           "<Private entityRef=\"Ego\"><PrivateAction><TeleportAction><Position><GeoPosition latitude=\"1\" "
           "longitude=\"2\"/></Position></TeleportAction></PrivateAction></Private>";
  const std::string error = LoadError(WriteXosc("many", Xosc(p)));
  EXPECT_NE(error.find("no entity named 'Nobody'"), std::string::npos) << error;
  EXPECT_NE(error.find("GeoPosition is not supported in Position"), std::string::npos) << error;
}

TEST(ScenarioTest, IgnorableElementsAreWarnings) {
  XoscParts p;
  p.entities = Car("Ego");
  p.stories = Story("Ego", Event("vis",
                                 "<PrivateAction><VisibilityAction graphics=\"false\" traffic=\"true\" sensors=\"true\"/>"
                                 "</PrivateAction>",
                                 Trigger(TimeCondition(1.0))));
  const openscenario::Scenario sc = LoadScenario(WriteXosc("warn", Xosc(p)));
  ASSERT_EQ(sc.warnings.size(), 1u);
  EXPECT_NE(sc.warnings[0].Format().find("warn.xosc:10:"), std::string::npos) << sc.warnings[0].Format();
  EXPECT_NE(sc.warnings[0].Format().find("warning: VisibilityAction is ignored"), std::string::npos);
}

TEST(ScenarioTest, MalformedXmlAndMissingRoad) {
  const std::string bad = WriteXosc("bad", "<OpenSCENARIO>\n<FileHeader>\n</OpenSCENARIO>\n");
  EXPECT_NE(LoadError(bad).find("bad.xosc:3:"), std::string::npos) << LoadError(bad);
  XoscParts p;
  p.road = "nowhere.xodr";
  p.entities = Car("Ego");
  const std::string error = LoadError(WriteXosc("noroad", Xosc(p)));
  EXPECT_NE(error.find("the road network 'nowhere.xodr' does not exist"), std::string::npos) << error;
  XoscParts q;
  q.entities = Car("Ego");
  q.init = Place("Ego", "<LanePosition roadId=\"1\" laneId=\"-1\" s=\"1\" offset=\"0\"/>", 1.0);
  EXPECT_NE(LoadError(WriteXosc("lanenoroad", Xosc(q))).find("LanePosition needs a road network"), std::string::npos);
}


TEST(ScenarioTest, ControllersThatDoNotDriveAreWarningsOthersErrors) {
  auto scenario = [](const std::string& controller_name, const std::string& esmini_type) {
    XoscParts p;
    const std::string props = esmini_type.empty() ? "<Properties/>"
                                                  : "<Properties><Property name=\"esminiController\" value=\"" +
                                                        esmini_type + "\"/></Properties>";
    std::string ego = Car("Ego");
    ego.insert(ego.find("</ScenarioObject>"),
               "<ObjectController><Controller name=\"" + controller_name + "\">" + props + "</Controller></ObjectController>");
    p.entities = ego;
    p.init = Place("Ego", "<WorldPosition x=\"0\" y=\"0\"/>", 10.0) +
             "<Private entityRef=\"Ego\"><PrivateAction><ActivateControllerAction longitudinal=\"true\" "
             "lateral=\"true\"/></PrivateAction></Private>";
    return WriteXosc("controller_" + controller_name, Xosc(p));
  };
  // esmini's DefaultController moves the entity as its actions say: activating it changes nothing
  const openscenario::Scenario ok = LoadScenario(scenario("plain", "DefaultController"));
  ASSERT_EQ(ok.warnings.size(), 1u);
  EXPECT_NE(ok.warnings[0].message.find("ActivateControllerAction is ignored"), std::string::npos);
  EXPECT_NEAR(Play(ok, 0.1, 1.0).At(1.0)[0].x, 10.0, 1e-9);
  // a type esmini does not know (ASAM's examples name theirs "DefaultDriver") is ignored as esmini does
  EXPECT_EQ(LoadScenario(scenario("DefaultDriver", "")).warnings.size(), 1u);
  // a controller that drives and is not simulated (by property, or by name as esmini picks the type) is refused
  EXPECT_NE(LoadError(scenario("sloppy", "SloppyDriverController"))
                .find("controller 'SloppyDriverController' of 'Ego' is not supported"),
            std::string::npos);
  EXPECT_NE(LoadError(scenario("FollowGhostController", "")).find("controller 'FollowGhostController'"),
            std::string::npos);
  // a simulated one needs what it is simulated with (ALKS_R157SM_Controller: its model)
  EXPECT_NE(LoadError(scenario("ALKS_R157SM_Controller", "")).find("ALKS_R157SM_Controller needs the property 'model'"),
            std::string::npos);
}

// An entity whose catalog reference cannot be resolved keeps its place among the entities, so a
// controller action on a later entity reads that entity's controller (it read past the end before:
// undefined behaviour on bad input), and the error names the reference.
TEST(ScenarioTest, AnUnresolvedCatalogEntityKeepsTheLaterEntitiesControllers) {
  XoscParts p;
  p.catalogs = "<VehicleCatalog><Directory path=\"" + std::string(GAUNTLET_SOURCE_DIR) +
               "/data/openscenario/xosc/Catalogs/Vehicles\"/></VehicleCatalog>";
  p.entities = "<ScenarioObject name=\"Ghost\"><CatalogReference catalogName=\"VehicleCatalog\" "
               "entryName=\"no_such_car\"/></ScenarioObject>" + Car("A") + Car("B");
  p.init = Place("A", "<WorldPosition x=\"0\" y=\"0\"/>", 10.0) + Place("B", "<WorldPosition x=\"50\" y=\"0\"/>", 0.0) +
           "<Private entityRef=\"B\"><PrivateAction><ActivateControllerAction longitudinal=\"true\" "
           "lateral=\"true\"/></PrivateAction></Private>";
  const std::string errors = LoadErrors(WriteXosc("ghost_catalog", Xosc(p)));
  EXPECT_NE(errors.find("no_such_car"), std::string::npos) << errors;
}

TEST(ScenarioTest, InitTeleportsRelativeToALaterEntityWaitForIt) {
  XoscParts p;
  p.entities = Car("A") + Car("B");
  p.init = Place("A", "<RelativeWorldPosition entityRef=\"B\" dx=\"-10\" dy=\"0\"/>", 0.0) +
           Place("B", "<WorldPosition x=\"50\" y=\"3\"/>", 0.0);
  const PlayResult r = PlayFile(WriteXosc("initorder", Xosc(p)), 0.1, 0.1);
  EXPECT_NEAR(r.At(0.0)[0].x, 40.0, 1e-12);
  EXPECT_NEAR(r.At(0.0)[0].y, 3.0, 1e-12);
}


TEST(ScenarioTest, ParameterConstraintGroups) {
  XoscParts p;
  p.parameters =
      "<ParameterDeclaration name=\"Speed\" parameterType=\"double\" value=\"10\"><ConstraintGroup>"
      "<ValueConstraint rule=\"greaterThan\" value=\"0\"/><ValueConstraint rule=\"lessOrEqual\" value=\"50\"/>"
      "</ConstraintGroup><ConstraintGroup><ValueConstraint rule=\"equalTo\" value=\"100\"/></ConstraintGroup>"
      "</ParameterDeclaration>";
  p.entities = Car("Ego");
  const std::string path = WriteXosc("constraints", Xosc(p));
  EXPECT_EQ(LoadError(path), "");
  EXPECT_EQ(LoadError(path, {{"Speed", "100"}}), "");  // the second group
  EXPECT_NE(LoadError(path, {{"Speed", "60"}}).find("constraints.xosc:4:24: error: parameter 'Speed' = '60' meets none"),
            std::string::npos)
      << LoadError(path, {{"Speed", "60"}});
}

TEST(ScenarioTest, AParameterDeclarationWithoutValueIsAnErrorUnlessAValueIsSupplied) {
  XoscParts p;
  p.parameters = "<ParameterDeclaration name=\"Name\" parameterType=\"string\"/>";
  p.entities = Car("Ego");
  const std::string path = WriteXosc("no_value", Xosc(p));
  // never read as an empty string
  EXPECT_NE(LoadError(path).find("no_value.xosc:4:24: error: ParameterDeclaration 'Name' needs the attribute 'value'"),
            std::string::npos)
      << LoadError(path);
  // --param supplies it
  EXPECT_EQ(LoadError(path, {{"Name", "x"}}), "");
}

}  // namespace
}  // namespace gauntlet::test
