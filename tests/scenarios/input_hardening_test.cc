// Bad input from an adversarial colleague (issue 15 points 8, 9, 11-14, 16-18): every problem is a
// positioned core::InputError that quotes at most an excerpt of the input, found while reading, before
// anything big is allocated; no file outside the include root, no FIFO and no device is ever read.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "scenarios/generators/samplers.h"
#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "scenarios/yaml_reader.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const fs::path& Dir() {
  static const fs::path dir = fs::canonical(test::FreshDir("input_hardening_test"));
  return dir;
}

std::string Write(const std::string& relative, const std::string& text) { return test::WriteUnder(Dir(), relative, text); }

/// CheckFile's messages with the test folder shown as "<dir>", or "ok".
std::string Errors(const std::string& path) {
  return test::InputErrors([&] { CheckFile(path); }, Dir().string(), "<dir>");
}

/// A valid scenario; `world_extra` goes under world:, `actor_extra` into the lead's mapping, `top` at the
/// end of the file (line 17 on).
std::string Scenario(const std::string& world_extra = "", const std::string& lead_extra = "",
                     const std::string& top = "") {
  return "scenario: hard\n"                                                            // 1
         "parameters:\n"                                                               // 2
         "  v: {uniform: [10, 20]}\n"                                                  // 3
         "world:\n"                                                                    // 4
         "  duration_s: 2\n"                                                           // 5
         "  road: {roads: [{id: main, segments: [{length_m: 300}]}]}\n"                // 6
         "  actors:\n"                                                                 // 7
         "    - {name: ego, ego: true, lane: \"main:0\", s_m: 10, speed_mps: v}\n"     // 8
         "    - {name: lead, lane: \"main:0\", s_m: 40" + lead_extra + "}\n" +         // 9
         world_extra +                                                                 //
         "model:\n"                                                                    // 10
         "  slot: idm\n"                                                               // 11
         "  observation: [{name: gap_m, expr: lead.gap}, {name: speed_mps, expr: ego.speed}, "
         "{name: closing_speed_mps, expr: ego.speed - lead.speed}]\n"                  // 12
         "  accel_mps2: {output: 0}\n"                                                 // 13
         "requirements:\n"                                                             // 14
         "  - {name: no_collision, formula: always (lead.gap > 0)}\n"                  // 15
         "generators: [{kind: uniform, count: 4}]\n" +                                 // 16
         top;
}

// ---- point 8: what an include may name, and excerpts ----

TEST(InputHardeningTest, AnIncludeNamesAYamlFileInsideTheIncludeRoot) {
  fs::create_directories(Dir() / "inc");
  fs::create_symlink("/dev/zero", Dir() / "inc/zero.yaml");
  fs::create_symlink("/etc/passwd", Dir() / "inc/passwd.yaml");
  Write("outside.yaml", "catalog: outside\n");
  const std::string path = Write(
      "inc/deep/s.yaml",
      Scenario("", "", "include:\n  - /etc/passwd\n  - ../../../../../../../etc/passwd\n  - ../zero.yaml\n"
                       "  - ../passwd.yaml\n  - ../../outside.yaml\n"));
  const std::string root = Dir().string() + "/inc";
  EXPECT_EQ(Errors(path),
            "<dir>/inc/deep/s.yaml:18:5: error: included file '/etc/passwd' is an absolute path: name a catalogue "
            "relative to the including file, inside <dir>/inc\n"
            "<dir>/inc/deep/s.yaml:19:5: error: included file '../../../../../../../etc/passwd' is not a YAML file: "
            "a catalogue's name ends in .yaml or .yml\n"
            "<dir>/inc/deep/s.yaml:20:5: error: included file '../zero.yaml' is a device, not a regular file\n"
            "<dir>/inc/deep/s.yaml:21:5: error: included file '../passwd.yaml' is outside the include root "
            "<dir>/inc (the suite's folder, or the folder above a scenario or catalogue checked alone)\n"
            "<dir>/inc/deep/s.yaml:22:5: error: included file '../../outside.yaml' is outside the include root "
            "<dir>/inc (the suite's folder, or the folder above a scenario or catalogue checked alone)");
}

TEST(InputHardeningTest, ErrorsQuoteOnlyAnExcerptOfTheInput) {
  const std::string secret = std::string(200, 's') + "TOPSECRET";
  const std::string catalogue = Write("excerpt/catalogs/c.yaml", "catalog: c\n" + secret + ": 1\n");
  const std::string path = Write("excerpt/s/s.yaml", Scenario("", "", "include: [../catalogs/c.yaml]\n"));
  EXPECT_EQ(Errors(path), "<dir>/excerpt/catalogs/c.yaml:2:1: error: unknown key '" + std::string(48, 's') + "..." +
                              std::string(3, 's') + "TOPSECRET' (209 bytes)");
  const std::string number = Write("excerpt/n.yaml", Scenario("", ", speed_mps: 9x" + std::string(5000, 'y')));
  EXPECT_EQ(Errors(number), "<dir>/excerpt/n.yaml:9:56: error: expected a number in world.actors[1].speed_mps: "
                            "unknown unit 'x" + std::string(47, 'y') + "..." + std::string(12, 'y') + "' (5001 bytes)");
}

// ---- point 9: let names ----

TEST(InputHardeningTest, ALetNameMustNotShadowASignalOrAParameter) {
  const std::string path =
      Write("let/s.yaml", Scenario("", "", "let:\n  lead.gap: ego.speed\n  v: ego.speed > 1\n  time: 1 > 0\n"
                                           "  close: lead.gap < 5\n"));
  EXPECT_EQ(Errors(path),
            "<dir>/let/s.yaml:18:3: error: let name 'lead.gap' is already a signal; choose another name\n"
            "<dir>/let/s.yaml:19:3: error: let name 'v' is already a parameter; choose another name\n"
            "<dir>/let/s.yaml:20:3: error: let name 'time' is already a signal; choose another name");
}

// ---- points 11, 14: nesting and sizes, checked while reading ----

TEST(InputHardeningTest, DeeplyNestedYamlIsAPositionedError) {
  const std::string path = Write("deep/s.yaml", "scenario: " + std::string(20000, '[') + std::string(20000, ']') + "\n");
  EXPECT_EQ(Errors(path), "<dir>/deep/s.yaml:1:110: error: lists and mappings nested more than 100 levels deep: the "
                          "limit of an input file");
}

TEST(InputHardeningTest, AliasesCannotBlowUpTheFile) {
  std::string text = "a: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    text += "]\n";
  }
  const std::string path = Write("alias/s.yaml", text);
  EXPECT_EQ(Errors(path).substr(0, std::string("<dir>/alias/s.yaml:6:").size()), "<dir>/alias/s.yaml:6:");
  EXPECT_NE(Errors(path).find("error: the file holds more than 1000000 YAML values"), std::string::npos)
      << Errors(path);
}

TEST(InputHardeningTest, TooManyActorsOrParametersAreRefusedBeforeTheyAreRead) {
  std::string actors;
  for (int i = 0; i < 10001; ++i) actors += "    - {name: a" + std::to_string(i) + "}\n";
  std::string text = Scenario();
  text.insert(text.find("model:"), "  sensors: []\n");
  const std::string many_actors =
      Write("limits/actors.yaml", "scenario: x\nworld:\n  duration_s: 1\n  actors:\n" + actors +
                                      "model: {slot: idm, observation: []}\nrequirements: []\n");
  EXPECT_EQ(Errors(many_actors), "<dir>/limits/actors.yaml:5:5: error: too many actors: 10001 (at most 10000)");
  // 10^5 actors: refused on the parser's events, before a tree of them is built (it took 12.8 s and 1.2 GB)
  for (int i = 10001; i < 100000; ++i) actors += "    - {name: a" + std::to_string(i) + "}\n";
  const std::string lots_of_actors = Write("limits/actors5.yaml", "scenario: x\nworld:\n  duration_s: 1\n  actors:\n" +
                                                                      actors + "model: {slot: idm, observation: []}\n");
  EXPECT_EQ(Errors(lots_of_actors), "<dir>/limits/actors5.yaml:20005:7: error: a list with more than 20000 entries: the "
                                    "limit of an input file");
  std::string parameters;
  for (int i = 0; i < 10001; ++i) parameters += "  p" + std::to_string(i) + ": 1\n";
  const std::string many_parameters = Write("limits/params.yaml", "scenario: x\nparameters:\n" + parameters +
                                                                       "world: {duration_s: 1, actors: []}\n"
                                                                       "model: {slot: idm, observation: []}\n"
                                                                       "requirements: []\n");
  EXPECT_EQ(Errors(many_parameters), "<dir>/limits/params.yaml:3:3: error: too many parameters: 10001 (at most 10000)");
}

// ---- point 12: grids ----

TEST(InputHardeningTest, GridLevelsAreCheckedBeforeAnythingIsAllocated) {
  const std::string path =
      Write("grid/s.yaml", Scenario("", "", "").replace(Scenario().find("generators:"), std::string::npos,
                                                          "generators: [{kind: grid, levels: 4294967297}]\n"));
  EXPECT_EQ(Errors(path), "<dir>/grid/s.yaml:16:35: error: levels must be at most 10000000");

  ParameterSpace space;
  for (int i = 0; i < 63; ++i) {
    Parameter p;
    p.name = "p" + std::to_string(i);
    p.kind = Parameter::Kind::kUniform;
    p.lo = 0;
    p.hi = 1;
    space.parameters.push_back(p);
  }
  try {
    (void)GridPoints(space, 1000, 100000, {"g.yaml", 3, 4});
    FAIL() << "a grid of 1000^63 points was planned";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()), "g.yaml:3:4: error: a grid of more than 18446744073709551615 points is more than "
                                     "the limit of 100000 (lower 'levels' or raise 'count')");
  }
  space.parameters.resize(1);
  try {
    (void)GridPoints(space, 4294967297ull, 100000, {"g.yaml", 3, 4});
    FAIL() << "a grid of 4294967297 points was planned";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()), "g.yaml:3:4: error: a grid of 4294967297 points is more than the limit of 100000 "
                                     "(lower 'levels' or raise 'count')");
  }
}

// ---- point 13: what a path names ----

TEST(InputHardeningTest, ADirectoryAFifoOrADeviceIsRefusedWithoutBlocking) {
  fs::create_directories(Dir() / "kinds/folder.yaml");
  EXPECT_EQ(Errors((Dir() / "kinds/folder.yaml").string()),
            "<dir>/kinds/folder.yaml: error: cannot read the file: it is a directory, not a file");
  const std::string fifo = (Dir() / "kinds/pipe.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(Errors(fifo), "<dir>/kinds/pipe.yaml: error: cannot read the file: it is a FIFO (named pipe), not a "
                          "regular file");
  fs::create_symlink("/dev/zero", Dir() / "kinds/zero.onnx");
  ASSERT_EQ(::mkfifo((Dir() / "kinds/pipe.nnet").c_str(), 0600), 0);
  Write("kinds/s.yaml", Scenario());
  const std::string suite = Write("kinds/suite.yaml", "suite: k\nmodels:\n  idm: {path: zero.onnx}\n"
                                                      "  other: {path: pipe.nnet}\nscenarios:\n  - {scenario: s.yaml}\n");
  EXPECT_EQ(Errors(suite),
            "<dir>/kinds/zero.onnx: error: cannot read the file: it is a device, not a regular file\n"
            "<dir>/kinds/pipe.nnet: error: cannot read the file: it is a FIFO (named pipe), not a regular file");
}

// ---- point 16: units fit the field ----

TEST(InputHardeningTest, AUnitMustFitTheDimensionTheFieldNames) {
  std::string text = Scenario("", ", speed_mps: 20 km, heading_rad: 3 m/s");
  text.replace(text.find("duration_s: 2"), 13, "duration_s: 4 m");
  EXPECT_EQ(Errors(Write("units/s.yaml", text)),
            "<dir>/units/s.yaml:5:15: error: wrong unit in world.duration_s: unit 'm' is a length, not a time; use "
            "'s', 'ms', 'min' (or a plain number in SI units)\n"
            "<dir>/units/s.yaml:9:76: error: wrong unit in world.actors[1].heading_rad: unit 'm/s' is a speed, not "
            "an angle; use 'rad', 'deg' (or a plain number in SI units)\n"
            "<dir>/units/s.yaml:9:56: error: wrong unit in world.actors[1].speed_mps: unit 'km' is a length, not a "
            "speed; use 'm/s', 'km/h', 'kph', 'mph', 'ft/s', 'kn' (or a plain number in SI units)");
  std::string fine = Scenario("", ", speed_mps: 36 km/h");
  fine.replace(fine.find("duration_s: 2"), 13, "duration_s: 2000 ms");
  EXPECT_EQ(Errors(Write("units/fine.yaml", fine)), "ok");
}

TEST(InputHardeningTest, ATimeStepLongerThanTheDurationIsAnError) {
  const std::string path = Write("step/s.yaml", Scenario("  time_step_s: 100\n"));
  EXPECT_EQ(Errors(path), "<dir>/step/s.yaml:10:16: error: time_step_s = 100 s is longer than duration_s = 2 s: not "
                          "one step fits (shorten time_step_s)");
}

// ---- point 17: names are UTF-8, seeds are 64-bit unsigned integers ----

TEST(InputHardeningTest, ANameThatIsNotUtf8FailsCheck) {
  std::string text = Scenario();
  text.replace(text.find("name: lead,"), 10, "name: le\xff" "ad");
  EXPECT_EQ(Errors(Write("utf8/s.yaml", text)), "<dir>/utf8/s.yaml:9:16: error: the file is not valid UTF-8 (byte \\xff)");
}

TEST(InputHardeningTest, ASuiteSeedIsAnUnsignedSixtyFourBitInteger) {
  Write("seed/s.yaml", Scenario());
  for (const std::string bad : {"-1", "1.5", "18446744073709551616", "1e3", "x"}) {
    const std::string suite = Write("seed/suite.yaml", "suite: s\nseed: " + bad +
                                                           "\nmodels:\n  idm: {builtin: idm}\nscenarios:\n"
                                                           "  - {scenario: s.yaml}\n");
    EXPECT_EQ(Errors(suite), "<dir>/seed/suite.yaml:2:7: error: expected an integer from 0 to 18446744073709551615, "
                             "found '" + bad + "' in seed");
  }
  const std::string suite = Write("seed/suite.yaml", "suite: s\nseed: 18446744073709551615\nmodels:\n"
                                                     "  idm: {builtin: idm}\nscenarios:\n  - {scenario: s.yaml}\n");
  EXPECT_EQ(LoadSuite(suite).seed, 18446744073709551615ull);
}

// ---- point 18: messages say what is wrong ----

TEST(InputHardeningTest, MessagesNameTheActualProblem) {
  std::string text = Scenario("", ", speed_mps: 1e308 km");
  text.replace(text.find("speed_mps: v"), 12, "speed_mps: \"${sqrt(v)}\"");
  EXPECT_EQ(Errors(Write("messages/s.yaml", text)),
            "<dir>/messages/s.yaml:8:69: error: unknown function 'sqrt'; the functions are 'abs', 'min', 'max'\n"
            "<dir>/messages/s.yaml:9:56: error: expected a number in world.actors[1].speed_mps: '1e308 km' overflows: "
            "it is beyond the largest finite number (about 1.8e308) in SI units");
}

}  // namespace
}  // namespace gauntlet::scenarios
