#include "scenarios/yaml_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <variant>

#include "scenarios/number_writer.h"
#include "scenarios/scenario.h"

namespace gauntlet::scenarios {
namespace {

enum class Color { kRed, kGreen };
std::span<const core::EnumName<Color>> EnumNames(Color) {
  static constexpr std::array<core::EnumName<Color>, 2> kNames = {{{Color::kRed, "red"}, {Color::kGreen, "green"}}};
  return kNames;
}

struct Brake {
  static constexpr std::string_view kName = "brake";
  double decel_mps2 = 0;
  template <class A>
  void Serialize(A* a) {
    a->Visit("decel_mps2", &decel_mps2, core::kRequired);
  }
};
struct Keep {
  static constexpr std::string_view kName = "keep";
  std::optional<double> speed_mps;
  template <class A>
  void Serialize(A* a) {
    a->Visit("speed_mps", &speed_mps);
  }
};

struct Actor {
  std::string name;
  double speed = 0;
  int lanes = 1;
  bool ego = false;
  Color color = Color::kRed;
  std::vector<std::variant<Brake, Keep>> behaviours;
  std::map<std::string, double> params;
  template <class A>
  void Serialize(A* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("speed", &speed);
    a->Visit("lanes", &lanes);
    a->Visit("ego", &ego);
    a->Visit("color", &color);
    a->Visit("behaviours", &behaviours);
    a->Visit("params", &params);
  }
};

struct Doc {
  std::vector<Actor> actors;
  template <class A>
  void Serialize(A* a) {
    a->Visit("actors", &actors, core::kRequired);
  }
};

/// Binds names "v" and "w" to 10 and 20, and expressions to 99.
class TestBinder : public NumberBinder {
 public:
  std::optional<double> Bind(const std::string& path, std::string_view text, const core::SourcePos& pos,
                             core::Diagnostics* diags) override {
    bound[path] = std::string(text);
    if (text == "v") return 10.0;
    if (text == "w") return 20.0;
    if (text.find('*') != std::string_view::npos) return 99.0;
    diags->Error(pos, "unknown parameter '" + std::string(text) + "'");
    return std::nullopt;
  }
  std::map<std::string, std::string> bound;
};

std::string Errors(const std::string& yaml, Doc* doc = nullptr, NumberBinder* binder = nullptr) {
  core::Diagnostics diags;
  YamlReader reader("s.yaml", &diags, binder);
  Doc local;
  reader.Read(YAML::Load(yaml), "", doc ? doc : &local);
  std::string out;
  for (const auto& d : diags.items()) out += d.Format() + "\n";
  return out;
}

TEST(YamlReaderTest, ReadsEveryFieldKind) {
  Doc doc;
  EXPECT_EQ(Errors("actors:\n"
                   "  - name: ego\n"
                   "    speed: 50 km/h\n"
                   "    lanes: 3\n"
                   "    ego: true\n"
                   "    color: green\n"
                   "    behaviours: [{brake: {decel_mps2: 6}}, {keep: {}}]\n"
                   "    params: {a: 1, b: 2.5}\n",
                   &doc),
            "");
  ASSERT_EQ(doc.actors.size(), 1u);
  const Actor& a = doc.actors[0];
  EXPECT_EQ(a.name, "ego");
  EXPECT_DOUBLE_EQ(a.speed, 50 / 3.6);
  EXPECT_EQ(a.lanes, 3);
  EXPECT_TRUE(a.ego);
  EXPECT_EQ(a.color, Color::kGreen);
  ASSERT_EQ(a.behaviours.size(), 2u);
  EXPECT_DOUBLE_EQ(std::get<Brake>(a.behaviours[0]).decel_mps2, 6.0);
  EXPECT_FALSE(std::get<Keep>(a.behaviours[1]).speed_mps.has_value());
  EXPECT_EQ(a.params.at("b"), 2.5);
}

TEST(YamlReaderTest, ReportsEveryProblemWithPositionAndSuggestion) {
  EXPECT_EQ(Errors("actors:\n"
                   "  - name: ego\n"
                   "    sped: 3\n"
                   "    lanes: two\n"
                   "    ego: maybe\n"
                   "    color: gren\n"
                   "    name: again\n"
                   "  - speed: [1]\n"
                   "    behaviours: [{brake: {}}, {stop: {}}, 5]\n"),
            "s.yaml:3:5: error: unknown key 'sped' in actors[0] (did you mean 'speed'?)\n"
            "s.yaml:7:5: error: duplicate key 'name' in actors[0]\n"
            "s.yaml:4:12: error: expected an integer, found 'two' in actors[0].lanes\n"
            "s.yaml:5:10: error: expected true or false, found 'maybe' in actors[0].ego\n"
            "s.yaml:6:12: error: unknown value 'gren' in actors[0].color (did you mean 'green'?); expected one of "
            "'red', 'green'\n"
            "s.yaml:8:5: error: missing required key 'name' in actors[1]\n"
            "s.yaml:8:12: error: expected a number, found a list in actors[1].speed\n"
            "s.yaml:9:26: error: missing required key 'decel_mps2' in actors[1].behaviours[0].brake\n"
            "s.yaml:9:32: error: unknown kind 'stop' in actors[1].behaviours[1]; expected one of 'brake', 'keep'\n"
            "s.yaml:9:43: error: expected a mapping with exactly one key naming the kind (one of 'brake', 'keep'), "
            "found '5' in actors[1].behaviours[2]\n");
}

TEST(YamlReaderTest, NumbersWithoutABinderMustBeLiterals) {
  EXPECT_EQ(Errors("actors: [{name: a, speed: fast}]\n"),
            "s.yaml:1:27: error: expected a number in actors[0].speed: 'fast' is not a number\n");
  EXPECT_EQ(Errors("actors: [{name: a, speed: 3 furlongs}]\n"),
            "s.yaml:1:27: error: expected a number in actors[0].speed: unknown unit 'furlongs'\n");
}

TEST(YamlReaderTest, BindsParametersAndWritesInstanceValues) {
  TestBinder binder;
  Doc doc;
  EXPECT_EQ(Errors("actors:\n  - {name: a, speed: v}\n  - {name: b, speed: '${v * 2}', behaviours: [{brake: "
                   "{decel_mps2: w}}]}\n  - {name: c, speed: nope}\n",
                   &doc, &binder),
            "s.yaml:4:22: error: unknown parameter 'nope'\n");
  EXPECT_EQ(doc.actors[0].speed, 10.0);
  EXPECT_EQ(doc.actors[1].speed, 99.0);
  EXPECT_EQ(binder.bound.at("actors[1].speed"), "v * 2");
  EXPECT_EQ(binder.bound.at("actors[1].behaviours[0].brake.decel_mps2"), "w");
  // per instance: every bound path gets its value, nothing else changes
  Doc instance = doc;
  WriteNumbers(&instance, "", [](const std::string& path) -> std::optional<double> {
    if (path == "actors[0].speed") return 1.0;
    if (path == "actors[1].behaviours[0].brake.decel_mps2") return 7.0;
    return std::nullopt;
  });
  EXPECT_EQ(instance.actors[0].speed, 1.0);
  EXPECT_EQ(instance.actors[1].speed, 99.0);
  EXPECT_EQ(std::get<Brake>(instance.actors[1].behaviours[0]).decel_mps2, 7.0);
}

}  // namespace
}  // namespace gauntlet::scenarios

namespace gauntlet::scenarios {
namespace {

// fuzz/regressions/scenario_yaml: a parameters block once read a dead temporary (use after scope,
// seen under ASan); the reproducer must load and report its real problems.
TEST(FuzzRegressionTest, ParametersBlockReadsNoTemporary) {
  const std::string path =
      std::string(GAUNTLET_SOURCE_DIR) + "/fuzz/regressions/scenario_yaml/parameter_node_use_after_scope.yaml";
  try {
    (void)LoadScenario(path);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing required key 'world'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
