// Sharing definitions between files: `include:` catalogues and `use: NAME` with overrides.
// Entries and overrides merge as documented; every problem inside an included file carries that
// file's position, every problem at a reference the referencing file's; include cycles, missing
// files, unknown and duplicate entries are reported at once; the suite fingerprint follows the
// included files' contents.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/rng.h"
#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "scenarios/yaml_reader.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

/// This test process's own folder (tests/test_files.h), made empty once.
const fs::path& Dir() {
  static const fs::path dir = test::FreshDir("include_test");
  return dir;
}

/// Writes `text` to `relative` under the test folder; returns its path.
std::string Write(const std::string& relative, const std::string& text) { return test::WriteUnder(Dir(), relative, text); }

/// CheckFile's messages with the test folder left out of paths, or "ok".
std::string Errors(const std::string& path) {
  return test::InputErrors([&] { CheckFile(path); }, Dir().string() + "/", "");
}

const char* kRoadCatalogue = R"(catalog: road
parameters:
  ccr_speed: {uniform: [10 km/h, 50 km/h]}
actors:
  car:
    length_m: 4.8
    speed_mps: 10
    behaviours:
      - brake_to_stop: {name: brake, decel_mps2: 4, trigger: {time_s: 1}}
  walker: {kind: pedestrian}
requirements:
  comfort: {formula: always (ego.accel > -6), gating: false}
)";

/// A scenario with `include` and `actors` to fill in (the rest is fixed).
std::string Scenario(const std::string& include, const std::string& parameters, const std::string& actors,
                     const std::string& requirements = "  - {use: comfort, gating: true}\n") {
  return "scenario: uses\ninclude: " + include + "\nparameters:\n" + parameters +
         "world:\n  duration_s: 2\n  road: {roads: [{id: main, lanes: 2, segments: [{length_m: 300}]}]}\n"
         "  actors:\n" +
         actors +
         "model:\n  slot: idm\n  observation:\n    - {name: gap_m, expr: lead.gap}\n"
         "    - {name: speed_mps, expr: ego.speed}\n    - {name: closing_speed_mps, expr: ego.speed - lead.speed}\n"
         "  accel_mps2: {output: 0}\nrequirements:\n  - {name: no_collision, formula: always (lead.gap > 0)}\n" +
         requirements + "generators:\n  - {kind: uniform, count: 4}\n";
}

const char* kParameters = "  v: {use: ccr_speed, nominal: 30 km/h}\n  lead_v: {uniform: [5, 15]}\n";
const char* kActors =
    "    - {name: ego, ego: true, lane: \"main:0\", s_m: 10, speed_mps: v}\n"
    "    - {name: lead, use: car, lane: \"main:0\", s_m: 40, speed_mps: lead_v}\n"
    "    - {use: walker, lane: \"main:1\", s_m: 60}\n";

TEST(IncludeTest, EntriesAreTakenAndOverridden) {
  Write("good/catalogs/road.yaml", kRoadCatalogue);
  const std::string path = Write("good/uses.yaml", Scenario("[catalogs/road.yaml]", kParameters, kActors));
  ASSERT_EQ(Errors(path), "ok");
  const auto s = LoadScenario(path);
  EXPECT_EQ(s->included_files, std::vector<std::string>{(Dir() / "good/catalogs/road.yaml").string()});
  // a parameter entry with its nominal value overridden
  ASSERT_EQ(s->parameters.parameters.size(), 2u);
  const Parameter& v = s->parameters.parameters[0];
  EXPECT_EQ(v.name, "v");
  EXPECT_EQ(v.kind, Parameter::Kind::kUniform);
  EXPECT_DOUBLE_EQ(v.lo, 10 / 3.6);
  EXPECT_DOUBLE_EQ(v.hi, 50 / 3.6);
  EXPECT_DOUBLE_EQ(v.Nominal(), 30 / 3.6);
  EXPECT_EQ(v.pos.line, 4);  // the reference, not the entry
  // an actor entry: its fields, the reference's overrides, the name from the reference or the entry
  const sim::ActorSpec& lead = s->world.actors[1];
  EXPECT_EQ(lead.name, "lead");
  EXPECT_EQ(lead.length_m, 4.8);
  EXPECT_EQ(lead.s_m, 40.0);
  EXPECT_EQ(lead.speed_mps, 10.0);  // lead_v's nominal value, bound to the parameter
  ASSERT_EQ(lead.behaviours.size(), 1u);
  EXPECT_EQ(sim::BehaviourKindName(lead.behaviours[0]), "brake_to_stop");
  const sim::ActorSpec& walker = s->world.actors[2];
  EXPECT_EQ(walker.name, "walker");
  EXPECT_EQ(walker.kind, sim::ActorKind::kPedestrian);
  const ResolvedInstance inst = s->Resolve({5.0, 7.0});
  EXPECT_EQ(inst.world.actors[0].speed_mps, 5.0);
  EXPECT_EQ(inst.world.actors[1].speed_mps, 7.0);
  EXPECT_EQ(inst.world.actors[1].length_m, 4.8);
  // a requirement entry named by its key, with gating overridden
  ASSERT_EQ(s->requirements.size(), 2u);
  EXPECT_EQ(s->requirements[1].spec.name, "comfort");
  EXPECT_EQ(s->requirements[1].spec.formula, "always (ego.accel > -6)");
  EXPECT_TRUE(s->requirements[1].spec.gating);
}

TEST(IncludeTest, ADistributionGivenAtTheReferenceReplacesTheEntrys) {
  Write("dist/catalogs/road.yaml", kRoadCatalogue);
  const std::string path = Write(
      "dist/uses.yaml", Scenario("[catalogs/road.yaml]",
                                 "  v: {use: ccr_speed, choice: [3, 4], perturbation: true}\n  lead_v: 9\n", kActors));
  const auto s = LoadScenario(path);
  const Parameter& v = s->parameters.parameters[0];
  EXPECT_EQ(v.kind, Parameter::Kind::kChoice);
  EXPECT_EQ(v.choices, (std::vector<double>{3, 4}));
  EXPECT_EQ(v.Nominal(), 3.0);
  EXPECT_TRUE(v.perturbation);
}

TEST(IncludeTest, ProblemsInsideAnIncludedFileCarryItsPosition) {
  Write("inside/catalogs/bad.yaml", R"(catalog: bad
parameters:
  ccr_speed: {uniform: [50 km/h, 10 km/h]}
actors:
  car: {lenght_m: 4.8, speed_mps: lead_v}
  walker: {kind: pedestrain, name: bob}
requirements:
  comfort: {gating: false}
)");
  const std::string path = Write(
      "inside/uses.yaml", Scenario("[catalogs/bad.yaml]", "  lead_v: 9\n",
                                   "    - {name: ego, ego: true, lane: \"main:0\", s_m: 10}\n"
                                   "    - {name: lead, use: car, lane: \"main:0\", s_m: 40}\n",
                                   "  - {use: comfort}\n"));
  EXPECT_EQ(Errors(path),
            "inside/catalogs/bad.yaml:3:24: error: range of parameter 'ccr_speed' has min 13.88888888888889 > max "
            "2.7777777777777777\n"
            "inside/catalogs/bad.yaml:5:9: error: unknown key 'lenght_m' in actors.car (did you mean 'length_m'?)\n"
            "inside/catalogs/bad.yaml:5:35: error: 'lead_v' in a catalogue entry: an entry holds plain numbers; bind "
            "parameters where the entry is used\n"
            "inside/catalogs/bad.yaml:6:36: error: a catalogue entry is named by its key ('walker'): remove 'name'\n"
            "inside/catalogs/bad.yaml:6:18: error: unknown value 'pedestrain' in actors.walker.kind (did you mean "
            "'pedestrian'?); expected one of 'vehicle', 'pedestrian', 'cyclist', 'aircraft', 'static'\n"
            "inside/catalogs/bad.yaml:8:12: error: missing required key 'formula' in requirements.comfort");
}

TEST(IncludeTest, LaterProblemsWithAnEntrysFieldsPointIntoTheCatalogue) {
  Write("semantic/catalogs/road.yaml", R"(catalog: road
actors:
  car:
    width_m: -1
    behaviours:
      - brake_to_stop: {decel_mps2: 4, trigger: {actor: nobody, distance_m: 5}}
requirements:
  comfort: {formula: always (ego.accel > -6) and not leda.collision}
)");
  const std::string path =
      Write("semantic/uses.yaml", Scenario("[catalogs/road.yaml]", "  lead_v: 9\n",
                                           "    - {name: ego, ego: true, lane: \"main:0\", s_m: 10}\n"
                                           "    - {name: lead, use: car, lane: \"main:0\", s_m: 40}\n"
                                           "    - {name: lead2, use: car, lane: \"main:1\", s_m: 40, width_m: 2,\n"
                                           "       behaviours: [{brake_to_stop: {decel_mps2: -4}}]}\n",
                                           "  - {use: comfort}\n"
                                           "  - {use: comfort, name: comfort2, formula: always (lead.gapp > 0)}\n"));
  const std::string errors = Errors(path);
  // the entry's fields at the catalogue's positions, the reference's own at the scenario's
  EXPECT_EQ(errors.substr(0, errors.find("; known signals")),
            "semantic/catalogs/road.yaml:4:14: error: width_m must be positive (got -1)\n"
            "semantic/catalogs/road.yaml:6:57: error: unknown actor 'nobody'\n"
            "semantic/uses.yaml:12:50: error: decel_mps2 must be positive (got -4)\n"
            "semantic/catalogs/road.yaml:8:54: error: unknown signal 'leda.collision' (did you mean "
            "'lead.collision'?)");
  EXPECT_NE(errors.find("'cmd.turn_rate_radps'\nsemantic/uses.yaml:23:53: error: unknown signal 'lead.gapp' (did you "
                        "mean 'lead.gap'?)"),
            std::string::npos)
      << errors;
}

TEST(IncludeTest, ProblemsAtAReferencePointToTheReferencingFile) {
  Write("refs/catalogs/road.yaml", kRoadCatalogue);
  const std::string path = Write(
      "refs/uses.yaml", Scenario("[catalogs/road.yaml]", "  v: {use: ccr_sped}\n  lead_v: {use: [ccr_speed]}\n",
                                 "    - {name: ego, ego: true, lane: \"main:0\", s_m: 10}\n"
                                 "    - {name: lead, use: cra, lane: \"main:0\", s_m: 40, sped_mps: 3}\n",
                                 "  - {use: comfort, name: comfort2}\n  - {use: confort}\n"));
  EXPECT_EQ(Errors(path),
            "refs/uses.yaml:4:12: error: unknown catalogue parameter 'ccr_sped' (did you mean 'ccr_speed'?); the "
            "included catalogues define 'ccr_speed'\n"
            "refs/uses.yaml:5:17: error: expected the name of a catalogue parameter, found a list\n"
            "refs/uses.yaml:11:25: error: unknown catalogue actor 'cra' (did you mean 'car'?); the included catalogues "
            "define 'car', 'walker'\n"
            "refs/uses.yaml:11:55: error: unknown key 'sped_mps' in world.actors[1] (did you mean 'speed_mps'?)\n"
            "refs/uses.yaml:22:11: error: unknown catalogue requirement 'confort' (did you mean 'comfort'?); the "
            "included catalogues define 'comfort'");
}

TEST(IncludeTest, AReferenceWithoutCataloguesSaysSo) {
  const std::string path = Write("none/uses.yaml", Scenario("[]", "  v: {use: ccr_speed}\n",
                                                            "    - {name: ego, ego: true, lane: \"main:0\"}\n"
                                                            "    - {name: lead, use: car, lane: \"main:0\"}\n"));
  EXPECT_EQ(Errors(path),
            "none/uses.yaml:4:12: error: unknown catalogue parameter 'ccr_speed'; no included catalogue defines "
            "parameters\n"
            "none/uses.yaml:10:25: error: unknown catalogue actor 'car'; no included catalogue defines actors\n"
            "none/uses.yaml:20:11: error: unknown catalogue requirement 'comfort'; no included catalogue defines "
            "requirements");
}

TEST(IncludeTest, MissingFilesCyclesAndDuplicatesAreReportedAtOnce) {
  Write("files/catalogs/vehicles.yaml", "catalog: vehicles\ninclude: [more/trucks.yaml]\nactors:\n  car: {}\n");
  Write("files/catalogs/more/trucks.yaml",
        "catalog: trucks\ninclude: [../vehicles.yaml, ../../uses.yaml]\nactors:\n  truck: {length_m: 12}\n");
  Write("files/catalogs/people.yaml", "catalog: people\nactors:\n  car: {kind: pedestrian}\n  truck: {}\n");
  Write("files/catalogs/scenario_like.yaml", "scenario: not_a_catalogue\nactors: {}\n");
  Write("files/catalogs/syntax.yaml", "catalog: broken\nactors: {car: [}\n");
  const std::string path = Write(
      "files/uses.yaml",
      Scenario("\n  - catalogs/vehicle.yaml\n  - catalogs/vehicles.yaml\n  - catalogs/people.yaml\n"
               "  - catalogs/scenario_like.yaml\n  - catalogs/syntax.yaml\n  - /nowhere/at/all.yaml",
               "  v: 9\n  lead_v: 9\n", kActors, ""));
  EXPECT_EQ(Errors(path),
            "files/uses.yaml:3:5: error: included file 'catalogs/vehicle.yaml' does not exist (did you mean "
            "'catalogs/vehicles.yaml'?); looked for files/catalogs/vehicle.yaml\n"
            "files/catalogs/more/trucks.yaml:2:11: error: include cycle: files/catalogs/vehicles.yaml -> "
            "files/catalogs/more/trucks.yaml -> files/catalogs/vehicles.yaml\n"
            "files/catalogs/more/trucks.yaml:2:29: error: include cycle: files/uses.yaml -> "
            "files/catalogs/vehicles.yaml -> files/catalogs/more/trucks.yaml -> files/uses.yaml\n"
            "files/catalogs/people.yaml:3:3: error: catalogue actor 'car' is defined twice: here and at "
            "files/catalogs/vehicles.yaml:4:3\n"
            "files/catalogs/people.yaml:4:3: error: catalogue actor 'truck' is defined twice: here and at "
            "files/catalogs/more/trucks.yaml:4:3\n"
            "files/catalogs/scenario_like.yaml:1:1: error: unknown key 'scenario'\n"
            "files/catalogs/scenario_like.yaml:1:1: error: missing required key 'catalog' (an included file is a "
            "catalogue: 'catalog: NAME')\n"
            "files/catalogs/syntax.yaml:2:16: error: YAML syntax error: illegal flow end\n"
            "files/uses.yaml:8:5: error: included file '/nowhere/at/all.yaml' is an absolute path: name a "
            "catalogue relative to the including file, inside " + fs::canonical(Dir()).string() + "\n"
            "files/uses.yaml:18:13: error: unknown catalogue actor 'walker'; the included catalogues define 'car', "
            "'truck'");
}

TEST(IncludeTest, AFileIncludedTwiceAlongTwoPathsIsLoadedOnce) {
  Write("diamond/catalogs/base.yaml", kRoadCatalogue);
  Write("diamond/catalogs/left.yaml", "catalog: left\ninclude: [base.yaml]\n");
  Write("diamond/catalogs/right.yaml", "catalog: right\ninclude: [./base.yaml]\nactors:\n  bus: {length_m: 12}\n");
  const std::string path =
      Write("diamond/uses.yaml", Scenario("[catalogs/left.yaml, catalogs/right.yaml]", kParameters, kActors));
  ASSERT_EQ(Errors(path), "ok");
  EXPECT_EQ(LoadScenario(path)->included_files,
            (std::vector<std::string>{(Dir() / "diamond/catalogs/left.yaml").string(),
                                      (Dir() / "diamond/catalogs/base.yaml").string(),
                                      (Dir() / "diamond/catalogs/right.yaml").string()}));
  EXPECT_EQ(Errors((Dir() / "diamond/catalogs/right.yaml").string()), "ok");  // gauntlet check on a catalogue
}

TEST(IncludeTest, TheSuiteFingerprintFollowsIncludedFiles) {
  const std::string catalogue = Write("print/catalogs/road.yaml", kRoadCatalogue);
  Write("print/uses.yaml", Scenario("[catalogs/road.yaml]", kParameters, kActors));
  const std::string suite = Write("print/suite.yaml", "suite: s\nmodels:\n  idm: {builtin: idm}\nscenarios:\n"
                                                      "  - {scenario: uses.yaml}\n");
  const std::string before = LoadSuite(suite).fingerprint;
  EXPECT_EQ(LoadSuite(suite).fingerprint, before);
  std::string text = kRoadCatalogue;
  text.replace(text.find("length_m: 4.8"), 13, "length_m: 4.9");
  Write("print/catalogs/road.yaml", text);
  const std::string after = LoadSuite(suite).fingerprint;
  EXPECT_NE(after, before);
  Write("print/catalogs/road.yaml", kRoadCatalogue);
  EXPECT_EQ(LoadSuite(suite).fingerprint, before);
  (void)catalogue;
}

TEST(IncludeTest, ACatalogueSeveralScenariosIncludeReportsItsProblemsOnce) {
  Write("once/catalogs/road.yaml", "catalog: road\nactors:\n  car: {speed: 3}\n");
  Write("once/a.yaml", Scenario("[catalogs/road.yaml]", "  lead_v: 9\n", kActors, ""));
  Write("once/b.yaml", Scenario("[catalogs/road.yaml]", "  lead_v: 9\n", kActors, ""));
  const std::string suite = Write("once/suite.yaml", "suite: s\nmodels:\n  idm: {builtin: idm}\nscenarios:\n"
                                                     "  - {scenario: a.yaml}\n  - {scenario: b.yaml}\n");
  EXPECT_EQ(Errors(suite),
            "once/catalogs/road.yaml:3:9: error: unknown key 'speed' in actors.car\n"
            "once/a.yaml:9:66: error: unknown parameter 'v'; known parameters: 'lead_v'\n"
            "once/a.yaml:11:13: error: unknown catalogue actor 'walker'; the included catalogues define 'car'\n"
            "once/b.yaml:9:66: error: unknown parameter 'v'; known parameters: 'lead_v'\n"
            "once/b.yaml:11:13: error: unknown catalogue actor 'walker'; the included catalogues define 'car'");
}

// ---- the merge rule on random entries and references, against a naive reference ----

/// Prints every field of a struct, for comparing two loaded structs.
class Printer {
 public:
  template <typename T>
  void Visit(std::string_view name, T* field, core::FieldPresence = core::kOptional) {
    out << name << '=';
    Print(*field);
    out << ';';
  }
  std::ostringstream out;

 private:
  void Print(double v) { out << std::hexfloat << v; }
  void Print(bool v) { out << v; }
  void Print(const std::string& v) { out << '"' << v << '"'; }
  void Print(sim::ActorKind v) { out << static_cast<int>(v); }
  void Print(const std::optional<double>& v) {
    if (v) Print(*v);
    else out << "none";
  }
  void Print(const std::vector<sim::Behaviour>& v) {
    out << '[';
    for (const sim::Behaviour& b : v) {
      const auto& keep = std::get<sim::KeepSpeed>(b);
      out << keep.name << ':';
      Print(keep.speed_mps);
      out << ',';
    }
    out << ']';
  }
};

std::string Print(sim::ActorSpec actor) {
  Printer p;
  actor.Serialize(&p);
  return p.out.str();
}

TEST(IncludeTest, UseMergesEntryAndReferenceFieldByField) {
  // field -> a random YAML value
  core::Rng rng(7);
  const std::vector<std::string> kinds = {"vehicle", "pedestrian", "cyclist", "aircraft", "static"};
  auto value = [&](const std::string& field) -> std::string {
    if (field == "kind") return kinds[rng.UniformInt(kinds.size())];
    if (field == "ego") return rng.UniformInt(2) ? "true" : "false";
    if (field == "lane") return "\"road" + std::to_string(rng.UniformInt(9)) + ":0\"";
    if (field == "behaviours") {
      std::string list = "[";
      for (uint64_t i = 0, n = rng.UniformInt(3); i < n; ++i) {
        list += "{keep_speed: {name: b" + std::to_string(rng.UniformInt(100)) +
                ", speed_mps: " + std::to_string(rng.UniformInt(400)) + ".125}},";
      }
      return list + "]";
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(rng.UniformInt(100000)) / 8.0 - 1000.0);
    return text;
  };
  const std::vector<std::string> fields = {"kind",   "ego",     "lane",          "s_m",  "lateral_offset_m",
                                           "x_m",    "y_m",     "heading_rad",   "speed_mps", "length_m",
                                           "width_m", "height_m", "max_accel_mps2", "max_decel_mps2",
                                           "max_steer_rad", "wheelbase_m", "max_turn_rate_radps", "behaviours"};
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(round);
    // each field: in the entry, in the reference, in both (the reference wins) or in neither
    std::string entry = "{";
    std::string reference = "{use: proto";
    std::string inline_actor = "{";
    const bool renamed = rng.UniformInt(2) == 1;
    inline_actor += renamed ? "name: other" : "name: proto";
    if (renamed) reference += ", name: other";
    std::map<std::string, uint64_t> placed;
    for (const std::string& f : fields) {
      const uint64_t where = placed[f] = rng.UniformInt(4);
      const std::string a = value(f);
      const std::string b = value(f);
      if (where == 1 || where == 3) entry += f + ": " + a + ", ";
      if (where == 2 || where == 3) reference += ", " + f + ": " + b;
      if (where == 1) inline_actor += ", " + f + ": " + a;
      if (where >= 2) inline_actor += ", " + f + ": " + b;
    }
    entry += "}";
    reference += "}";
    inline_actor += "}";
    core::Diagnostics diags;
    auto catalogue = std::make_shared<YamlReader>("catalogue.yaml", &diags);
    catalogue->set_implied_key("name");
    sim::ActorSpec proto;
    proto.name = "proto";
    catalogue->Read(YAML::Load(entry), "actors.proto", &proto);
    YamlReader reader("scenario.yaml", &diags);
    reader.SetPrototypes<sim::ActorSpec>([&](const YAML::Node& use, const std::string& path, sim::ActorSpec* v) {
      ASSERT_EQ(use.Scalar(), "proto");
      *v = proto;
      reader.ImportPositions(*catalogue, "actors.proto", path);
    });
    std::vector<sim::ActorSpec> merged;
    reader.Read(YAML::Load("[" + reference + "]"), "actors", &merged);
    YamlReader plain("inline.yaml", &diags);
    std::vector<sim::ActorSpec> expected;
    plain.Read(YAML::Load("[" + inline_actor + "]"), "actors", &expected);
    ASSERT_TRUE(diags.empty()) << diags.items()[0].Format() << "\n" << entry << "\n" << reference;
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(Print(merged[0]), Print(expected[0])) << entry << "\n" << reference;
    // every field's position: the reference's where it gave the field, else the entry's
    for (const std::string& f : fields) {
      const core::SourcePos pos = reader.PositionOf("actors[0]." + f);
      const bool in_reference = placed[f] >= 2;
      const bool in_entry = placed[f] == 1;
      EXPECT_EQ(pos.file, in_reference ? "scenario.yaml" : in_entry ? "catalogue.yaml" : "scenario.yaml") << f;
    }
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
