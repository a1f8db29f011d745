// Keeps the usage examples in the public headers true, as Drake's yaml_doxygen_test does.
//
// A header example is a run of comment lines indented by three spaces ("//   code"). It is a C++ example
// when one of its lines, without a trailing // comment, ends with ';', its first line is not a
// numbered list item ("1. ...") and it has no "..." outside comments (a sketch). Every C++ example has
// a copy in this file, between "// BEGIN <header>" and "// END", indented by two spaces:
//   - the copy compiles as part of this test, so an API change that breaks an example breaks the build;
//   - the copies run (the HeaderExamplesRun tests), with their results checked, except the gate decision,
//     the model driver and the campaign's (run by tests/gate and tests/scenarios);
//   - HeaderExamplesTest.EveryExampleHasAnIdenticalCompiledCopy fails when a header's example and its
//     copy differ (edit both), when a header gains an example without a copy, or when a copy has no
//     example left in its header. Every C++ example is compiled: one that needs its caller's context
//     (a file, a database, a run, a network, a trace) gets it here.

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/args.h"
#include "core/distributions.h"
#include "core/error.h"
#include "core/fields.h"
#include "core/input_file.h"
#include "core/normal.h"
#include "core/rng.h"
#include "core/suggest.h"
#include "core/text.h"
#include "core/trace.h"
#include "core/units.h"
#include "gate/gate_decision.h"
#include "gate/gate_policy.h"
#include "history/history_page.h"
#include "history/run_history.h"
#include "models/model.h"
#include "models/policy.h"
#include "opendrive/opendrive.h"
#include "openscenario/distribution.h"
#include "openscenario/import.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "reports/html_report.h"
#include "reports/html_report_plots.h"
#include "reports/run_summary.h"
#include "reports/run_writer.h"
#include "reports/top_view.h"
#include "scenarios/campaign.h"
#include "scenarios/openscenario_parameters.h"
#include "scenarios/generators/adversarial_search.h"
#include "scenarios/generators/counterexample_shrinking.h"
#include "scenarios/generators/coverage.h"
#include "scenarios/generators/covering_array.h"
#include "scenarios/generators/gaussian_process.h"
#include "scenarios/generators/generator_spec.h"
#include "scenarios/generators/samplers.h"
#include "scenarios/generators/sobol_sequence.h"
#include "scenarios/generators/statistics.h"
#include "scenarios/lockstep.h"
#include "scenarios/model_driver.h"
#include "scenarios/openscenario_world.h"
#include "scenarios/number_writer.h"
#include "scenarios/parameter_space.h"
#include "scenarios/replay.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_env.h"
#include "scenarios/suite.h"
#include "scenarios/yaml_reader.h"
#include "sim/episode.h"
#include "sim/dynamics.h"
#include "sim/road_network.h"
#include "tests/test_files.h"
#include "verifier/formal/bounds.h"
#include "verifier/formal/branch_and_bound.h"
#include "verifier/formal/checks.h"
#include "verifier/formal/graph_lowering.h"
#include "verifier/formal/network.h"
#include "verifier/formal/vnnlib.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"
#include "verifier/stl/online_monitor.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
namespace stl = verifier::stl;
namespace formal = verifier::formal;

const std::string kSource = GAUNTLET_SOURCE_DIR;

// ---------------------------------------------------------------------------------------------------
// The examples, copied. Paths in them are relative to the repository (the tests run from there).

struct InSourceDir : ::testing::Test {
  void SetUp() override { fs::current_path(kSource); }
};
using HeaderExamplesRun = InSourceDir;

TEST_F(HeaderExamplesRun, CoreError) {
  const std::string path = "configs/x.yaml";
  const std::vector<std::string> keys = {"speed", "lane"};
  try {
    // BEGIN core/error.h
    core::Diagnostics diags;
    diags.Error({path, 14, 7}, "unknown key 'sped' in actors[1]" + core::DidYouMean("sped", keys));
    diags.ThrowIfAny();   // throws InputError listing every problem, one per line
    // END
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "configs/x.yaml:14:7: error: unknown key 'sped' in actors[1] (did you mean 'speed'?)");
  }
}

namespace fields_example {
  // BEGIN core/fields.h
  struct BrakeToStop {
    static constexpr std::string_view kName = "brake_to_stop";   // for std::variant alternatives
    double decel_mps2 = 0.0;
    std::optional<double> jerk_mps3;
    template <class Archive>
    void Serialize(Archive* a) {
      a->Visit("decel_mps2", &decel_mps2, core::kRequired);
      a->Visit("jerk_mps3", &jerk_mps3);
    }
  };
  // END
}  // namespace fields_example

/// Records the fields an archive visits.
struct FieldNames {
  std::vector<std::string> names;
  template <class T>
  void Visit(const char* name, T*, core::FieldPresence = core::kOptional) {
    names.emplace_back(name);
  }
};

TEST_F(HeaderExamplesRun, CoreFields) {
  fields_example::BrakeToStop b;
  FieldNames archive;
  b.Serialize(&archive);
  EXPECT_EQ(archive.names, (std::vector<std::string>{"decel_mps2", "jerk_mps3"}));
}

TEST_F(HeaderExamplesRun, CoreRngAndTrace) {
  const uint64_t suite_seed = 42;
  // BEGIN core/rng.h
  core::Rng rng = core::Rng::ForInstance(suite_seed, "lead_brake", 17);
  double u = rng.Uniform(0.0, 1.0);
  core::Rng noise = rng.Fork("sensor.gap");   // an independent sub-stream
  // END
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
  EXPECT_NE(noise.Uniform(), core::Rng::ForInstance(suite_seed, "lead_brake", 17).Uniform());
  // BEGIN core/trace.h
  core::Trace trace({"ego.speed", "gap"});
  trace.Append(0.0, {{20.0, 35.0}});
  std::span<const double> gap = trace.column(*trace.Find("gap"));
  // END
  EXPECT_EQ(gap.size(), 1u);
  EXPECT_EQ(gap[0], 35.0);
}

TEST_F(HeaderExamplesRun, CoreNormal) {
  // BEGIN core/normal.h
  const double z = core::NormalQuantile(0.975);                                   // 1.959963984540054
  const double v = core::TruncatedNormalQuantile(0.5, 10.0, 2.0, 9.0, INFINITY);  // the median of N(10, 2) above 9
  // END
  EXPECT_NEAR(z, 1.959963984540054, 1e-14);
  EXPECT_NEAR(core::NormalCdf((v - 10.0) / 2.0), 0.5 * (1.0 + core::NormalCdf(-0.5)), 1e-12);
}

TEST_F(HeaderExamplesRun, CoreDistributions) {
  // BEGIN core/distributions.h
  const double x = core::TruncatedLogNormalQuantile(0.5, 5.0, 2.0, 0.0, INFINITY);  // the median, 4.642...
  const core::TruncatedPoisson p(3.5, 2.0, 5.0);     // Poisson(3.5) on {2, 3, 4, 5}
  const double k = p.Quantile(0.9);                  // the smallest k with P(X <= k | 2 <= X <= 5) > 0.9
  double rest = 0.0;
  const size_t i = core::WeightedIndex(std::vector<double>{1, 3}, 0.2, &rest);  // 0 (rest 0.8)
  // END
  EXPECT_NEAR(x, 5.0 / std::sqrt(1.0 + 4.0 / 25.0), 1e-12);
  // masses of 2..5 proportional to 3.5^k / k!: 6.125, 7.146, 6.253, 4.377 (total 23.90); P(X <= 4) = 0.817
  EXPECT_EQ(k, 5.0);
  EXPECT_EQ(i, 0u);
  EXPECT_NEAR(rest, 0.8, 1e-12);
}

TEST_F(HeaderExamplesRun, ModelsModelAndPolicy) {
  // BEGIN models/model.h
  auto model = models::Model::LoadModel("zoo/acc_good.onnx");   // or a .nnet file
  models::Workspace ws;                                          // one per thread
  std::vector<double> out(model->output_size());
  model->Evaluate(std::vector<double>{30.0, 25.0, 2.0}, out, ws);
  // END
  // BEGIN models/model.h
  Eigen::MatrixXd xs(1000, model->input_size()), ys;             // one sample per row
  model->EvaluateBatch(xs, &ys, ws);                             // ys: 1000 x output_size()
  // END
  EXPECT_EQ(ys.rows(), 1000);
  EXPECT_TRUE(std::isfinite(out[0]));
  // BEGIN models/policy.h
  auto idm = models::MakeBuiltinPolicy("idm", {{"v0", 30.0}, {"T", 1.2}});
  models::PolicyScratch scratch;                       // one per thread
  double obs[3] = {25.0, 20.0, 2.0};                   // gap_m, speed_mps, closing_speed_mps
  double accel[1];
  idm->Act(obs, accel, scratch);
  // END
  EXPECT_LT(accel[0], 0.0);
  // BEGIN models/policy.h
  auto net = std::make_shared<models::NetworkPolicy>(models::Model::LoadModel("zoo/acc_good.onnx"));
  double outputs[1];                                   // net->output_size() raw outputs
  net->Act(obs, outputs, scratch);
  // END
  std::vector<double> expected(1);
  model->Evaluate(std::vector<double>(obs, obs + 3), expected, ws);
  EXPECT_EQ(outputs[0], expected[0]);
}

TEST_F(HeaderExamplesRun, Gate) {
  using namespace gate;
  const std::vector<std::string> requirement_names = {"no_collision", "safe_gap"};
  // BEGIN gate/gate_policy.h
  GatePolicy policy = LoadGatePolicy("configs/gate_policy.yaml", requirement_names);
  // END
  EXPECT_FALSE(policy.blocking.empty());
}

// Compiled, not run here (it needs two runs' results; tests/gate run DecideGate).
struct Results {
  std::vector<scenarios::InstanceResult> results;
};
[[maybe_unused]] int GateDecisionExample(const gate::GatePolicy& policy, const Results& candidate,
                                         const Results& baseline) {
  using namespace gate;
  // BEGIN gate/gate_decision.h
  GateDecision d = DecideGate(policy, candidate.results, baseline.results);
  std::cout << GateText(d);
  return d.ExitCode();   // 1 rejected, 0 accepted
  // END
}

TEST_F(HeaderExamplesRun, ScenarioAndSuite) {
  using namespace scenarios;
  const std::vector<double> values = {20.0, 15.0, 30.0, 2.0, 6.0};  // ego_speed, lead_speed, gap, brake_*
  // BEGIN scenarios/scenario.h
  std::shared_ptr<const Scenario> s = LoadScenario("configs/scenarios/lead_brake.yaml");   // throws InputError
  ResolvedInstance inst = s->Resolve(values);                                               // per instance
  // END
  ASSERT_EQ(s->parameters.dimension(), values.size());
  EXPECT_EQ(inst.parameters.size(), values.size() + s->derived.size());
}

// Compiled, not run here (tests/scenarios/model_driver_test.cc and campaign_test.cc run these).
[[maybe_unused]] void ModelDriverExample(const scenarios::Scenario& scenario,
                                         const scenarios::ResolvedInstance& instance, const scenarios::Suite& suite,
                                         const scenarios::Family& family, core::Rng rng, sim::EpisodeOptions options) {
  using namespace scenarios;
  // BEGIN scenarios/model_driver.h
  ModelDriver driver(scenario, instance.model_binding, suite.ModelOf(family), rng.Fork("sensors"));
  options.control_period_steps = driver.ControlPeriodSteps(instance.world.time_step_s);
  options.extra_signals = driver.SignalNames();                  // then sim::RunEpisode(..., &driver)
  // END
}
[[maybe_unused]] void CampaignExample(const scenarios::Suite& suite) {
  using namespace scenarios;
  // BEGIN scenarios/campaign.h
  CampaignOutcome outcome = RunCampaign(suite, {.threads = 2, .out_dir = "out"});
  // END
}

TEST_F(HeaderExamplesRun, Generators) {
  using namespace scenarios;
  // BEGIN scenarios/parameter_space.h
  ParameterSpace space;
  space.parameters.push_back({.name = "gap_m", .kind = Parameter::Kind::kUniform, .lo = 10, .hi = 60});
  space.parameters.push_back({.name = "lanes", .kind = Parameter::Kind::kChoice, .choices = {2, 3}});
  std::vector<double> values = space.FromUnit({0.5, 0.9});   // {35, 3}
  // END
  EXPECT_EQ(values, (std::vector<double>{35, 3}));
  std::vector<std::vector<double>> run;
  auto RunInstance = [&](const std::vector<double>& v) { run.push_back(v); };
  // BEGIN scenarios/generators/samplers.h
  std::vector<PlannedPoint> points = SobolPoints(space, 256, /*seed=*/7);
  for (const PlannedPoint& p : points) RunInstance(p.values);
  // END
  EXPECT_EQ(run.size(), 256u);
  const std::vector<GeneratorSpec> specs = {{.kind = GeneratorKind::kSobol, .count = 16}};
  const uint64_t suite_seed = 3;
  // BEGIN scenarios/generators/generator_spec.h
  std::vector<PlannedPoint> plan = Plan(space, specs, suite_seed);
  // END
  EXPECT_EQ(plan.size(), 16u);
  // BEGIN scenarios/generators/sobol_sequence.h
  SobolSequence sobol(/*dimension=*/5, /*seed=*/42);
  std::vector<double> u = sobol.Point(17);   // five coordinates in [0, 1)
  // END
  EXPECT_EQ(u.size(), 5u);
  // BEGIN scenarios/generators/covering_array.h
  std::vector<std::vector<uint8_t>> rows = BinaryCoveringArray(10);   // 6 rows of 10 zeros/ones
  // END
  EXPECT_EQ(rows.size(), 6u);
  size_t failures = 0, trials = 10;
  bool stopped = false;
  auto StopSampling = [&] { stopped = true; };
  // BEGIN scenarios/generators/statistics.h
  Interval ci = ClopperPearson(/*failures=*/0, /*trials=*/10);   // [0, 0.3085] at 95%
  StoppingRule rule{.target_upper = 0.01, .stop_on_failure = true};
  if (Decide(rule, failures, trials) != StopDecision::kContinue) StopSampling();
  // END
  EXPECT_NEAR(ci.hi, 0.3085, 1e-4);
  EXPECT_FALSE(stopped);
}

TEST_F(HeaderExamplesRun, SimRoadNetworkAndDynamics) {
  using namespace sim;
  // BEGIN sim/road_network.h
  RoadNetworkSpec spec;
  spec.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 200.0},
                                                                 {.length_m = 100.0, .curvature_1pm = 0.01}}});
  std::vector<core::FieldError> errors;
  const RoadNetwork net = RoadNetwork::Build(spec, &errors);    // errors: every problem at once
  const LaneId lane = *net.FindLane("main:1");
  const Pose2 pose = net.PoseAt(lane, 250.0, 0.0);              // on the curve, lane 1 centre
  const LanePosition where = net.Locate(pose.x_m, pose.y_m, pose.heading_rad, lane);
  // END
  EXPECT_TRUE(errors.empty());
  EXPECT_NEAR(where.s_m, 250.0, 1e-6);
  BodyState state;
  state.speed_mps = 20.0;
  // BEGIN sim/dynamics.h
  VehicleLimits limits{.max_accel_mps2 = 3, .max_decel_mps2 = 9, .max_steer_rad = 0.6, .wheelbase_m = 2.7};
  const VehicleCommand cmd = LimitVehicleCommand(state.speed_mps, -12.0, 0.0, limits, /*friction=*/0.3);
  state = AdvanceOnCurvature(state, cmd.accel_mps2, cmd.curvature_1pm, 0.01);   // braking at 0.3 g
  // END
  EXPECT_LT(state.speed_mps, 20.0);
  EXPECT_GT(state.speed_mps, 20.0 - 9.0 * 0.01);
}

TEST_F(HeaderExamplesRun, OpenDriveNetwork) {
  // BEGIN opendrive/opendrive.h
  const opendrive::Network net = opendrive::Network::Load("data/openscenario/xodr/e6mini.xodr");
  const opendrive::RoadIndex road = *net.FindRoad("0");
  const opendrive::Pose pose = net.LaneToWorld({.road = road, .lane = -2, .s = 50.0});
  const opendrive::LaneCoord where = *net.Locate(pose.x, pose.y, pose.heading);
  opendrive::MoveResult next = net.MoveAlong(where.Position(), 30.0);  // 30 m ahead, across links
  if (next.end_of_network) { /* OpenSCENARIO EndOfRoad */ }
  const auto route = net.Route(where.Position(), next.position);   // lanes on the shortest path
  // END
  EXPECT_EQ(where.road, road);
  EXPECT_EQ(where.lane, -2);
  EXPECT_NEAR(where.s, 50.0, 1e-9);
  EXPECT_NEAR(next.moved, 30.0, 1e-12);
  EXPECT_FALSE(next.end_of_network);
  ASSERT_TRUE(route.has_value());
  EXPECT_FALSE(route->empty());
  EXPECT_EQ(route->front().road, road);
  EXPECT_NEAR(net.RouteLength(*route, where.Position(), next.position), next.position.s - 50.0, 1e-9);
}

TEST_F(HeaderExamplesRun, VerifierExpressionAndLowering) {
  // BEGIN verifier/stl/expression.h
  const auto e = stl::Expression::Parse("lead.x - ego.x", {"suite.yaml", 12, 18});
  // e.names() == {"lead.x", "ego.x"}
  const stl::BoundExpression gap = e.Bind(std::vector<std::string>{"ego.x", "ego.v", "lead.x"});
  double slots[] = {10.0, 20.0, 35.0};
  double value = gap.Evaluate(slots);   // 25
  // END
  EXPECT_EQ(e.names(), (std::vector<std::string>{"lead.x", "ego.x"}));
  EXPECT_EQ(value, 25.0);
  const auto model = models::Model::LoadModel("zoo/acc_good.onnx");
  // BEGIN verifier/formal/graph_lowering.h
  formal::Network net = formal::LowerGraph(model->graph());
  // END
  EXPECT_EQ(net.input_size(), 3);
}

// ---------------------------------------------------------------------------------------------------
// The examples that need their callers' context: each gets it here (a temporary file or folder, a small
// database or run, a network, a trace) and runs.

/// The test's own scratch folder, made the working directory (examples that write "history.html").
struct InScratchDir : ::testing::Test {
  void SetUp() override {
    dir = test::FreshDir(std::string("header_examples_") +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::current_path(dir);
  }
  void TearDown() override { fs::current_path(kSource); }
  std::string dir;
};
using HeaderExamplesRunInScratch = InScratchDir;

// The OpenSCENARIO examples: esmini's cut-in.xosc (its road and catalog paths made absolute, a parameter
// EgoSpeed declared) and its parameter variation file, in the scratch folder.
TEST_F(HeaderExamplesRunInScratch, OpenScenarioScenarioPlayerAndDistribution) {
  using namespace openscenario;
  const std::string data = kSource + "/data/openscenario/";
  std::string text = test::ReadFile(data + "xosc/cut-in.xosc");
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"../xosc/", "\"" + data + "xosc/"},
           {"\"../xodr/", "\"" + data + "xodr/"},
           {"<ParameterDeclarations>", "<ParameterDeclarations><ParameterDeclaration name=\"EgoSpeed\" "
                                       "parameterType=\"double\" value=\"20\"/>"}}) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  test::WriteUnder(dir, "cut-in.xosc", text);
  test::WriteUnder(dir, "cut-in_parameter_set.xosc", test::ReadFile(data + "xosc/cut-in_parameter_set.xosc"));
  {
    // BEGIN openscenario/scenario.h
    const Scenario s = LoadScenario("cut-in.xosc", {{"EgoSpeed", "30"}});
    for (const auto& w : s.warnings) std::cerr << w.Format() << '\n';   // "... warning: ..."
    Player player(s, {.time_step = 0.05});                              // openscenario/player.h
    // END
    EXPECT_EQ(s.entities.size(), 2u);
    EXPECT_NE(std::find(s.parameters.begin(), s.parameters.end(), std::pair<std::string, std::string>("EgoSpeed", "30")),
              s.parameters.end());
  }
  const Scenario scenario = LoadScenario("cut-in.xosc");
  testing::internal::CaptureStdout();
  // BEGIN openscenario/player.h
  Player player(scenario, {.time_step = 0.05});
  player.Start();                                  // Init actions, collisions at t = 0
  while (!player.finished() && player.time() < 30.0) player.Step();
  for (const std::string& line : player.TakeLines()) std::cout << line << '\n';
  // END
  const std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_NE(printed.find("event CutInEvent start"), std::string::npos) << printed;
  // BEGIN openscenario/distribution.h
  const ParameterDistribution d = LoadParameterDistribution("cut-in_parameter_set.xosc");
  for (const auto& set : d.Sets()) {
    const Scenario s = LoadScenario(d.scenario_path, set);   // one run per set
  }
  // END
  EXPECT_EQ(d.scenario_path, "cut-in.xosc");  // next to the distribution file
  EXPECT_GE(d.Sets().size(), 2u);  // each loaded above (a set the scenario refuses throws)
  {
    using scenarios::FromParameterDistribution;
    using scenarios::OpenScenarioParameters;
    using scenarios::ParameterSpace;
    // BEGIN scenarios/openscenario_parameters.h
    const auto d = openscenario::LoadParameterDistribution("cut-in_parameter_set.xosc");
    const OpenScenarioParameters p = FromParameterDistribution(d);   // throws core::InputError
    ParameterSpace space{p.parameters};
    const openscenario::ParameterSet overrides = p.Overrides(space.NominalPoint());
    // openscenario::LoadScenario(d.scenario_path, overrides)
    // END
    EXPECT_EQ(overrides, d.Combinations().front());  // the nominal point: every first choice
  }
  // the import fixture and its road, beside each other
  test::WriteUnder(dir, "straight.xosc", test::ReadFile(kSource + "/tests/openscenario/testdata/import/straight.xosc"));
  test::WriteUnder(dir, "straight.xodr", test::ReadFile(kSource + "/tests/openscenario/testdata/import/straight.xodr"));
  testing::internal::CaptureStderr();
  // BEGIN openscenario/import.h
  const ImportResult r = ImportScenario("straight.xosc", {.ego = "Ego"});
  for (const auto& w : r.warnings) std::cerr << w.Format() << '\n';   // "... warning: ..."
  // r.world is a sim::WorldSpec; r.ego names the actor the model drives
  // END
  EXPECT_NE(testing::internal::GetCapturedStderr().find("warning: Event 'ego_brake' acts on the ego"), std::string::npos);
  EXPECT_EQ(r.ego, "Ego");
  EXPECT_EQ(r.world.actors.size(), 4u);
}

TEST_F(HeaderExamplesRunInScratch, ScenariosOpenScenarioWorld) {
  using namespace scenarios;
  test::WriteUnder(dir, "ccrs.xosc", test::ReadFile(kSource + "/tests/openscenario/testdata/ncap_ccrs.xosc"));
  sim::LambdaController controller([](double, std::span<const double>, std::span<double>, sim::EgoCommand* c) {
    c->accel_mps2 = -1.0;
  });
  // BEGIN scenarios/openscenario_world.h
  auto sc = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario("ccrs.xosc"));
  CoSimulation cosim(sc, "Ego", 0.05, 10.0);            // Init actions played
  sim::EpisodeOptions options;
  options.script = &cosim;
  const sim::EpisodeResult r = sim::RunEpisode(cosim.world(), controller, options);  // the others follow the storyboard
  // END
  ASSERT_EQ(r.status, sim::EpisodeStatus::kCompleted) << r.error;
  EXPECT_NEAR(r.trace.time().back(), 8.05, 1e-9);  // the StopTrigger
  EXPECT_NEAR(r.trace.column("Ego.x").back(), 51.3 + (20.0 / 3.6) * (20.0 / 3.6) / 2.0, 1e-9);  // stopped at 1 m/s^2
}

TEST_F(HeaderExamplesRunInScratch, CoreInputFileTextAndUnits) {
  using namespace core;
  const std::string path = dir + "/scenario.yaml";
  std::ofstream(path) << "scenario: x\n";
  // BEGIN core/input_file.h
  const std::string text = core::ReadInputFile(path, core::InputKind::kYaml);
  // throws InputError "scenario.yaml: error: cannot read the file: it is a directory, not a file"
  // END
  EXPECT_EQ(text, "scenario: x\n");
  core::Diagnostics diags;
  const core::SourcePos pos{path, 3, 9};
  const std::string cell = "x1";
  // BEGIN core/text.h
  diags.Error(pos, "expected a number, found " + core::Quote(cell));
  // "expected a number, found 'aaaaaaaa...aaaa' (5000000 bytes)" for a long cell, "... found 'x1'" else
  // END
  try {
    diags.ThrowIfAny();
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3:9: error: expected a number, found 'x1'");
  }
  // BEGIN core/units.h
  std::string error;
  const std::optional<double> seconds = ParseQuantity("4 m", DimensionOfField("world.duration_s"), &error);
  // nullopt, error = "unit 'm' is a length, not a time; use 's', 'ms', 'min' (or a plain number in SI units)"
  // END
  EXPECT_FALSE(seconds);
  EXPECT_EQ(error, "unit 'm' is a length, not a time; use 's', 'ms', 'min' (or a plain number in SI units)");
}

TEST_F(HeaderExamplesRunInScratch, HistoryPageAndRunSummary) {
  using namespace reports;
  std::vector<scenarios::InstanceResult> results(2);
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].family = "lead_brake@acc";
    results[i].index = i;
    results[i].plan_index = i;
    results[i].id = "lead_brake@acc#" + std::to_string(i);
    results[i].origin = "uniform";
    results[i].requirements.push_back({.name = "no_collision", .satisfied = i == 0, .robustness = i == 0 ? 1.0 : -1.0});
  }
  RunInfo info;
  info.suite_name = "nightly";
  const std::string out_dir = dir;
  // BEGIN reports/run_summary.h
  RunSummary summary = Summarize(results, info);
  std::cout << SummaryText(summary);
  WriteFileAtomically(out_dir + "/junit.xml", JUnitXml(results, summary));   // reports/run_writer.h
  // END
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(test::ReadFile(out_dir + "/junit.xml").find("<testsuites"), std::string::npos);
  const std::string db = dir + "/history.db";
  history::RecordRun(db, {"2026-11-27T01:00:00Z", "h", {}, "v"}, summary, results);
  // BEGIN history/history_page.h
  const history::TrendTable trends = history::QueryTrends(db, 30);
  reports::WriteFileAtomically("history.html", history::HistoryHtml(trends, history::QueryChangedInstances(db), "nightly"));
  // END
  EXPECT_NE(test::ReadFile(dir + "/history.html").find("<!DOCTYPE html>"), std::string::npos);
}

TEST_F(HeaderExamplesRun, HtmlReportPlots) {
  using namespace reports;
  const std::vector<double> values = {10.0, 20.0, 30.0};  // m/s
  const html::Axis y = html::Axis::Fit({5.0, 50.0}, 200, 20);
  std::string svg;
  // BEGIN reports/html_report_plots.h
  const html::Axis x = html::Axis::Fit(values, 46, 290, {"km/h", 1 / 3.6});   // ticks in km/h
  svg += html::Frame(x, y, "ego_speed (km/h)", "gap (m)");
  // END
  EXPECT_NE(svg.find("ego_speed (km/h)"), std::string::npos);
}

TEST_F(HeaderExamplesRun, TopView) {
  // a run's top view: a straight road, the actors of a scenario's world, a trace of one row
  sim::RoadNetworkSpec spec;
  spec.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 200.0}}});
  std::vector<core::FieldError> errors;
  const sim::RoadNetwork network = sim::RoadNetwork::Build(spec, &errors);
  const sim::WorldSpec world = scenarios::LoadScenario("configs/scenarios/lead_brake.yaml")->Resolve(
                                   {20.0, 15.0, 30.0, 2.0, 6.0}).world;
  core::Trace trace({"ego.x", "ego.y"});
  trace.Append(0.0, {{0.0, 0.0}});
  // BEGIN reports/top_view.h
  reports::TopViewOptions options;
  options.title = "lead_brake: ego_speed=50 km/h";
  options.highlight_time_s = 3.42;       // first violation or worst robustness
  const std::string svg = reports::RenderTopViewSvg(network, trace, reports::TopViewActorsOf(world), options);
  // or by hand: {{.name = "ego", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = true}, ...}
  // END
  EXPECT_NE(svg.find("<svg"), std::string::npos) << svg.substr(0, 200);
  EXPECT_NE(svg.find("lead_brake: ego_speed=50 km/h"), std::string::npos);
}

TEST_F(HeaderExamplesRun, HtmlReportOfARunDirectory) {
  using namespace scenarios;
  const std::string out_dir = test::ScratchPath("header_examples_html_report");
  Suite suite = LoadSuite("tests/gate/testdata/gate_suite.yaml");
  for (Family& f : suite.families) f.generators = {{.kind = GeneratorKind::kUniform, .count = 4}};
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2, .out_dir = out_dir});
  reports::RunInfo info;
  info.suite_name = suite.name;
  const reports::RunSummary summary = reports::Summarize(outcome.results, info);
  // BEGIN reports/html_report.h
  const auto results = reports::ReadResultsFile(out_dir + "/results.jsonl");   // witnesses included
  std::vector<reports::HtmlCase> cases;
  for (const reports::CaseChoice& c : reports::SelectCases(results))
    cases.push_back(reports::MakeHtmlCase(suite, scenarios::ReplayInstance(suite, results[c.index]), out_dir,
                                          c.requirement, c.role));
  reports::HtmlReportOptions options{.suite = &suite, .tool_version = "1.0"};
  reports::WriteFileAtomically(out_dir + "/report.html", reports::RenderHtmlReport(summary, results, cases, options));
  // END
  EXPECT_EQ(results.size(), outcome.results.size());
  EXPECT_NE(test::ReadFile(out_dir + "/report.html").find("<!DOCTYPE html>"), std::string::npos);
}

TEST_F(HeaderExamplesRun, ScenariosLockstepAndEnv) {
  using namespace scenarios;
  const std::vector<double> jobs = {3.0, 4.0, 5.0};
  std::vector<double> results(jobs.size());
  auto RunJob = [](double job) { return 2.0 * job; };
  // BEGIN scenarios/lockstep.h
  BatchPolicy policy({"gap_m", "speed_mps"}, 1, [](std::span<const double> obs, size_t rows,
                                                   std::span<double> actions) {
    for (size_t r = 0; r < rows; ++r) actions[r] = obs[2 * r] > 10 ? 1.0 : -3.0;
  });
  RunLockstep(jobs.size(), [&](size_t i) { results[i] = RunJob(jobs[i]); });  // RunJob calls policy.Act
  // END
  EXPECT_EQ(results, (std::vector<double>{6.0, 8.0, 10.0}));
  double obs[2] = {12.0, 20.0}, action[1] = {0.0};
  models::PolicyScratch scratch;
  policy.Act(obs, action, scratch);
  EXPECT_EQ(action[0], 1.0);
  // BEGIN scenarios/scenario_env.h
  ScenarioEnv env(LoadScenario("configs/scenarios/lead_brake.yaml"));
  env.Reset(env.scenario().parameters.NominalPoint(), /*seed=*/7);
  while (!env.done()) {
    const double gap = env.observation()[0];
    const double accel = gap < 20 ? -4.0 : 1.0;
    env.Step(std::span<const double>(&accel, 1));     // one model output: the binding maps it
  }
  const InstanceResult& result = env.result();         // as RunInstance would report it
  // END
  EXPECT_EQ(result.status, InstanceStatus::kCompleted);
}

TEST_F(HeaderExamplesRun, ScenariosNumberWriter) {
  using namespace scenarios;
  const std::shared_ptr<const Scenario> loaded = LoadScenario("configs/scenarios/lead_brake.yaml");
  const Scenario& scenario = *loaded;
  struct {
    std::optional<double> Find(const std::string& path) const {
      return path == "world.time_step_s" ? std::optional<double>(0.02) : std::nullopt;
    }
  } values;
  // BEGIN scenarios/number_writer.h
  sim::WorldSpec world = scenario.world;           // the loaded template
  WriteNumbers(&world, "world", [&](const std::string& path) { return values.Find(path); });
  // END
  EXPECT_EQ(world.time_step_s, 0.02);
  EXPECT_EQ(world.duration_s, scenario.world.duration_s);
}

TEST_F(HeaderExamplesRun, ScenariosYamlReader) {
  using namespace scenarios;
  const YAML::Node root = YAML::Load(R"(world:
  time_step_s: 0.05
  duration_s: 3
  road: {roads: [{id: main, segments: [{length_m: 400}]}]}
  actors:
    - {name: ego, ego: true, lane: "main:0", s_m: 10, speed_mps: 20}
    - {name: lead, lane: "main:0", s_m: 40, speed_mps: 15}
)");
  struct NoBinder : NumberBinder {
    std::optional<double> Bind(const std::string&, std::string_view, const core::SourcePos&,
                               core::Diagnostics*) override {
      return std::nullopt;
    }
  } binder;
  // BEGIN scenarios/yaml_reader.h
  core::Diagnostics diags;
  YamlReader reader("configs/lead_brake.yaml", &diags, &binder);
  sim::WorldSpec world;
  reader.Read(root["world"], "world", &world);
  diags.ThrowIfAny();
  const core::SourcePos at = reader.PositionOf("world.actors[1].speed_mps");   // for errors found later
  // END
  EXPECT_EQ(world.duration_s, 3.0);
  EXPECT_EQ(world.actors.size(), 2u);
  EXPECT_EQ(at.file, "configs/lead_brake.yaml");
  EXPECT_EQ(at.line, 7);  // the lead's speed_mps
}

TEST_F(HeaderExamplesRun, AppArgs) {
  using namespace app;
  const auto parse = [](const std::vector<std::string>& argv_tail) -> int {
    // BEGIN app/args.h
    Args args(argv_tail, {{"threads", true}, {"quiet", false}});
    const std::optional<long long> threads = args.Int("threads", 1, 1024);   // nullopt when not given
    if (!args.ok()) { std::cerr << args.error(); return kExitUsage; }   // a bad value too
    // END
    return static_cast<int>(threads.value_or(0));
  };
  EXPECT_EQ(parse({"--threads", "8", "--quiet"}), 8);
  EXPECT_EQ(parse({"--quiet"}), 0);
  EXPECT_EQ(parse({"--threads", "0"}), kExitUsage);
  EXPECT_EQ(parse({"--thread", "4"}), kExitUsage);
}

TEST_F(HeaderExamplesRun, SearchShrinkingCoverageAndGaussianProcess) {
  using namespace scenarios;
  ParameterSpace space;
  space.parameters.push_back({.name = "gap_m", .kind = Parameter::Kind::kUniform, .lo = 10, .hi = 60});
  space.parameters.push_back({.name = "speed", .kind = Parameter::Kind::kUniform, .lo = 0, .hi = 40});
  const uint64_t seed = 5;
  // robustness: the gap left, failing below 15 m at speeds over 30
  auto robustness = [](const std::vector<double>& v) { return std::max(v[0] - 15.0, 30.0 - v[1]); };
  auto EvaluateInParallel = [&](const std::vector<std::vector<double>>& batch) {
    std::vector<double> out;
    for (const auto& v : batch) out.push_back(robustness(v));
    return out;
  };
  // BEGIN scenarios/generators/adversarial_search.h
  AdversarialSearch search(space, {.method = SearchMethod::kCmaEs, .budget = 500}, seed);
  while (!search.done()) {
    const std::vector<std::vector<double>> batch = search.Ask();
    search.Tell(EvaluateInParallel(batch));   // robustness per point, in order; NaN = errored
  }
  const SearchResult& result = search.result();
  // END
  ASSERT_TRUE(result.violation_found);
  const std::vector<double> failing_values = result.evaluations[result.first_violation].values;
  const double failing_robustness = result.evaluations[result.first_violation].robustness;
  const BatchEvaluator evaluate = EvaluateInParallel;
  // BEGIN scenarios/generators/counterexample_shrinking.h
  ShrinkResult small = ShrinkCounterexample(space, failing_values, failing_robustness, evaluate);
  // small.values still fails (small.robustness < 0); small.at_nominal lists the parameters reset
  // END
  EXPECT_LT(small.robustness, 0.0);
  EXPECT_LT(robustness(small.values), 0.0);
  const std::vector<std::vector<double>> points = {{12.0, 35.0}, {50.0, 5.0}, {30.0, 20.0}};
  // BEGIN scenarios/generators/coverage.h
  CoverageTracker coverage(space);
  for (const auto& values : points) coverage.Add(values);
  CoverageReport report = coverage.Report();   // report.single_fraction, report.pairwise_fraction
  // END
  EXPECT_EQ(report.points, 3u);
  EXPECT_GT(report.single_fraction, 0.0);
  std::vector<Eigen::VectorXd> gp_points, candidates;
  std::vector<double> values;
  for (double u : {0.1, 0.4, 0.7, 0.9}) {
    gp_points.push_back(Eigen::Vector2d(u, 1.0 - u));
    values.push_back(std::sin(3.0 * u));
  }
  candidates.push_back(Eigen::Vector2d(0.25, 0.75));
  candidates.push_back(Eigen::Vector2d(0.55, 0.45));
  const double best = *std::min_element(values.begin(), values.end());
  const Eigen::Index chosen = 1;
  {
    const std::vector<Eigen::VectorXd>& points = gp_points;
    // BEGIN scenarios/generators/gaussian_process.h
    GaussianProcess gp(points, values, GaussianProcess::FitLengthScales(points, values));
    GaussianProcess::Prediction p = gp.Predict(candidates);
    Eigen::VectorXd ei = GaussianProcess::ExpectedImprovement(p, best);
    gp.Believe(candidates, chosen, &p);   // candidate `chosen` joins with its predicted mean
    // END
    EXPECT_EQ(ei.size(), 2);
    EXPECT_TRUE((ei.array() >= 0.0).all());
  }
}

TEST_F(HeaderExamplesRun, SimEpisode) {
  using namespace sim;
  const WorldSpec spec = scenarios::LoadScenario("configs/scenarios/lead_brake.yaml")->Resolve(
                             {20.0, 15.0, 30.0, 2.0, 6.0}).world;
  std::vector<core::FieldError> errors;
  // the example names the controller's parameters it does not read (t, row)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
  // BEGIN sim/episode.h
  LambdaController controller([](double t, std::span<const double> row, std::span<double>, EgoCommand* cmd) {
    cmd->accel_mps2 = -2.0;
  });
  const RoadNetwork road = RoadNetwork::Build(spec.road, &errors);
  EpisodeResult result = RunEpisode(spec, road, controller, {});
  std::span<const double> gap = result.trace.column("lead.gap");
  // END
#pragma GCC diagnostic pop
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(gap.size(), result.trace.size());
  EXPECT_GT(gap.size(), 1u);
}

TEST_F(HeaderExamplesRun, FormalNetworkBoundsAndProof) {
  Eigen::MatrixXd w1(2, 2), w2(1, 2);
  w1 << 1, -1, 0.5, 1;
  w2 << 1, 1;
  const Eigen::VectorXd b1 = Eigen::Vector2d(0.0, -0.25), b2 = Eigen::VectorXd::Constant(1, 0.5);
  const Eigen::VectorXd x0 = Eigen::Vector2d(0.5, -0.5);
  // BEGIN verifier/formal/network.h
  formal::Network net;
  const int x = net.AddInput(2);
  const int h = net.AddLinear({formal::LinearTerm::Dense(x, w1)}, b1);
  const int r = net.AddActivation(formal::LayerKind::kRelu, h);
  net.SetOutput(net.AddLinear({formal::LinearTerm::Dense(r, w2)}, b2));
  Eigen::VectorXd y = net.Evaluate(x0);
  // END
  EXPECT_DOUBLE_EQ(y[0], 1.5);  // relu(1) + relu(0.25 - 0.5 - 0.25) + 0.5
  const formal::Box box{Eigen::Vector2d(0.0, -1.0), Eigen::Vector2d(1.0, 0.0)};
  const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(1, 1);
  const Eigen::VectorXd d = Eigen::VectorXd::Zero(1);
  // BEGIN verifier/formal/bounds.h
  formal::BoundPropagator prop(net);
  prop.Propagate(box, formal::BoundMethod::kCrown);
  Eigen::VectorXd lb = prop.SpecLowerBounds(c, d);   // lb[k] <= c.row(k) . y - d[k] on the box
  formal::Box out = formal::ComputeOutputBounds(net, box, formal::BoundMethod::kCrown);
  prop.set_alpha_steps(20);                           // optimise the slopes of SpecLowerBounds
  Eigen::VectorXd tighter = prop.SpecLowerBounds(c, d);
  // END
  EXPECT_LE(lb[0], 0.5);   // y >= 0.5 everywhere (both ReLUs can be 0)
  EXPECT_LE(out.lo[0], 0.5);
  EXPECT_GE(out.hi[0], net.Evaluate(Eigen::Vector2d(1.0, -1.0))[0]);
  EXPECT_GE(tighter[0], lb[0]);
  // a property the network never violates: y <= 0.4 is unsafe
  formal::VnnlibProperty property;
  property.regions.push_back({box, {}});
  property.regions[0].unsafe.push_back({Eigen::MatrixXd::Identity(1, 1), Eigen::VectorXd::Constant(1, 0.4), {false}});
  {
    auto Eval = [&](const Eigen::VectorXd& input) { return net.Evaluate(input); };
    bool printed = false;
    auto Print = [&](const Eigen::VectorXd&, const Eigen::VectorXd&) { printed = true; };
    // BEGIN verifier/formal/branch_and_bound.h
    formal::ProveResult r = formal::ProveProperty(net, property.regions, {.timeout_s = 116},
                                                  [&](const Eigen::VectorXd& x) { return Eval(x); });
    if (r.verdict == formal::Verdict::kViolated) Print(r.counterexample, r.output);
    // END
    EXPECT_EQ(r.verdict, formal::Verdict::kHolds) << r.detail;
    EXPECT_FALSE(printed);
  }
}

TEST_F(HeaderExamplesRun, FormalChecks) {
  const std::vector<double> obs = {30.0, 25.0, 2.0};
  // BEGIN verifier/formal/checks.h
  auto model = models::Model::LoadModel("zoo/acc_good.onnx");   // gap_m, speed_mps, closing_speed_mps
  formal::FormalCheckResult r = formal::OutputBoundsCheck(*model, {0, 0, -15}, {150, 40, 40}, {-9.5}, {3.5}, 10.0);
  // r.verdict: kHolds (every input in the box gives outputs within the limits), kViolated (with a
  // counterexample the model's own forward pass confirms), kUnknown or kTimeout.
  // END
  EXPECT_EQ(r.verdict, formal::Verdict::kHolds) << r.detail;  // the network clips to [-9, 3]
  // BEGIN verifier/formal/checks.h
  formal::LocalRobustnessSpec spec{.point = obs, .epsilon = {0.05}, .mode = formal::RobustnessMode::kOutputDelta,
                                   .delta = 0.5};
  formal::FormalCheckResult rr = formal::LocalRobustnessCheck(*model, spec, 5.0);
  // END
  EXPECT_NE(rr.verdict, formal::Verdict::kTimeout) << rr.detail;
}

TEST_F(HeaderExamplesRun, StlFormulaMonitorAndOnlineMonitor) {
  core::Trace trace({"lead.x", "ego.x", "ego.brake", "gap"});
  for (int i = 0; i <= 40; ++i) {
    const double t = 0.5 * i;
    const double gap = 20.0 - 0.5 * t;  // closes from 20 m to 10 m
    trace.Append(t, {{100.0 + gap, 100.0, gap < 5.0 ? 1.0 : 0.0, gap}});
  }
  // BEGIN verifier/stl/formula.h
  const std::vector<stl::DefinitionText> texts = {{"close", "lead.x - ego.x < 5", {"s.yaml", 8, 12}}};
  const stl::Definitions lets = stl::ParseDefinitions(texts);
  const auto f = stl::Formula::Parse("always[0, 30] (close -> eventually[0, 2] ego.brake > 0.5)",
                                     {"s.yaml", 14, 16}, lets);
  f.CheckSignals(trace.names());        // InputError for each unknown signal, with a suggestion
  stl::RequirementResult r = stl::Monitor(f).Evaluate(trace);   // verifier/stl/monitor.h
  // END
  EXPECT_TRUE(r.satisfied);  // never close
  {
    // BEGIN verifier/stl/monitor.h
    const auto f = stl::Formula::Parse("always[0, 10] (gap > 2)");
    const stl::Monitor monitor(f);                       // compile once, share between threads
    stl::RequirementResult r = monitor.Evaluate(trace);  // r.satisfied, r.robustness, ...
    // END
    EXPECT_TRUE(r.satisfied);
    EXPECT_DOUBLE_EQ(r.robustness, 13.0);  // the gap at t = 10 s, minus 2
  }
  const stl::Formula formula = stl::Formula::Parse("always (gap > 15)");
  const std::vector<std::string> trace_signal_names = trace.names();
  std::vector<double> times;
  std::vector<std::vector<double>> rows;
  for (size_t i = 0; i < trace.size(); ++i) {
    times.push_back(trace.time()[i]);
    rows.emplace_back();
    for (size_t k = 0; k < trace_signal_names.size(); ++k) rows.back().push_back(trace.column(k)[i]);
  }
  // BEGIN verifier/stl/online_monitor.h
  stl::OnlineMonitor online(formula, trace_signal_names);
  for (size_t i = 0; i < times.size(); ++i) {   // each simulation step, its row of signal values
    if (online.Push(times[i], rows[i]) == stl::OnlineVerdict::kViolated) break;   // stop the run
  }
  // END
  EXPECT_EQ(online.verdict(), stl::OnlineVerdict::kViolated);
  // the gap is 15 m at t = 10 s and 14.75 m at 10.5 s, where the run stops
  EXPECT_EQ(online.violation_time_s(), std::optional<double>(10.5));
}

// ---------------------------------------------------------------------------------------------------
// The checker.

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// `line` without a trailing // comment (a // inside a string literal stays).
std::string WithoutComment(const std::string& line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && line.compare(i, 2, "//") == 0) {
      if (i == 0) return "";
      const size_t end = line.find_last_not_of(' ', i - 1);
      return end == std::string::npos ? std::string() : line.substr(0, end + 1);
    }
  }
  return line;
}

bool IsCppExample(const std::vector<std::string>& block) {
  if (block.empty()) return false;
  if (block[0].size() > 1 && std::isdigit(static_cast<unsigned char>(block[0][0])) && block[0][1] == '.') return false;
  bool statement = false;
  for (const std::string& line : block) {
    const std::string code = WithoutComment(line);
    if (code.find("...") != std::string::npos) return false;
    if (!code.empty() && code.back() == ';') statement = true;
  }
  return statement;
}

/// The C++ examples of a header: each a list of lines without the "//   " prefix.
std::vector<std::vector<std::string>> HeaderExamples(const std::string& path) {
  std::vector<std::vector<std::string>> examples;
  std::vector<std::string> block;
  std::vector<std::string> lines = ReadLines(path);
  lines.emplace_back();
  for (const std::string& line : lines) {
    if (line.rfind("//   ", 0) == 0) {
      block.push_back(line.substr(5));
      continue;
    }
    if (IsCppExample(block)) examples.push_back(block);
    block.clear();
  }
  return examples;
}

/// The copies in this file: header -> blocks (lines with the two-space body indent removed, and the
/// indentation of the BEGIN line).
std::multimap<std::string, std::vector<std::string>> Copies() {
  std::multimap<std::string, std::vector<std::string>> copies;
  const std::vector<std::string> lines = ReadLines(kSource + "/tests/docs/header_examples_test.cc");
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t at = lines[i].find("// BEGIN ");
    if (at == std::string::npos || lines[i].find_first_not_of(' ') != at) continue;
    const std::string header = lines[i].substr(at + 9);
    std::vector<std::string> block;
    for (++i; i < lines.size() && lines[i].find("// END") != at; ++i) {
      block.push_back(lines[i].size() >= at ? lines[i].substr(at) : std::string());
    }
    copies.emplace(header, block);
  }
  return copies;
}

std::string Text(const std::vector<std::string>& block) {
  std::string text;
  for (const std::string& line : block) text += "  //   " + line + "\n";
  return text;
}

TEST(HeaderExamplesTest, EveryExampleHasAnIdenticalCompiledCopy) {
  const auto copies = Copies();
  ASSERT_GE(copies.size(), 20u);
  std::vector<std::string> headers;
  for (const char* folder : {"app", "core", "gate", "history", "models", "opendrive", "openscenario", "reports",
                             "scenarios", "sim", "verifier"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kSource + "/" + folder)) {
      const std::string path = fs::relative(entry.path(), kSource).string();
      if (entry.path().extension() == ".h" && path.find("/internal/") == std::string::npos) headers.push_back(path);
    }
  }
  std::sort(headers.begin(), headers.end());
  size_t examples = 0;
  for (const std::string& header : headers) {
    const auto found = HeaderExamples(kSource + "/" + header);
    for (const auto& example : found) {
      ++examples;
      const auto [first, last] = copies.equal_range(header);
      const bool copied = std::any_of(first, last, [&](const auto& c) { return c.second == example; });
      EXPECT_TRUE(copied) << header << " has an example without an identical compiled copy in "
                          << "tests/docs/header_examples_test.cc:\n" << Text(example);
    }
  }
  for (const auto& [header, copy] : copies) {
    const auto found = HeaderExamples(kSource + "/" + header);
    EXPECT_TRUE(std::find(found.begin(), found.end(), copy) != found.end())
        << "the copy of an example of " << header << " is no longer in the header (update both):\n" << Text(copy);
  }
  EXPECT_GE(examples, copies.size());
}

TEST(HeaderExamplesTest, TheExtractorFindsCppExamplesOnly) {
  EXPECT_TRUE(IsCppExample({"int x = 1;   // a comment"}));
  EXPECT_FALSE(IsCppExample({"suite: example", "seed: 42"}));                 // YAML
  EXPECT_FALSE(IsCppExample({"1. the state is measured;", "2. then it acts;"}));  // a numbered list
  EXPECT_FALSE(IsCppExample({"for (auto x : xs) {", "  ...", "}"}));           // a sketch
  EXPECT_TRUE(IsCppExample({"f(x);   // then g(..., x)"}));                    // "..." in a comment only
  EXPECT_EQ(WithoutComment("a = \"//\";  // c"), "a = \"//\";");
  EXPECT_EQ(WithoutComment("// a whole comment; ..."), "");
  EXPECT_TRUE(IsCppExample({"x = 1;", "// or by hand: {...}"}));  // "..." in a comment line only
}

}  // namespace
}  // namespace gauntlet
