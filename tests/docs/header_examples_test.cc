// Keeps the usage examples in the public headers true, as Drake's yaml_doxygen_test does.
//
// A header example is a run of comment lines indented by three spaces ("//   code"). It is a C++ example
// when one of its lines, without a trailing // comment, ends with ';', its first line is not a
// numbered list item ("1. ...") and it has no "..." outside comments (a sketch). Every C++ example has
// a copy in this file, between "// BEGIN <header>" and "// END", indented by two spaces:
//   - the copy compiles as part of this test, so an API change that breaks an example breaks the build;
//   - most copies also run (the HeaderExamplesRun tests), with their results checked;
//   - HeaderExamplesTest.EveryExampleHasAnIdenticalCompiledCopy fails when a header's example and its
//     copy differ (edit both), when a header gains an example without a copy, or when a copy has no
//     example left in its header. The few examples that are not C++ as written are listed in
//     kNotCompiled with the reason.

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

#include "core/error.h"
#include "core/fields.h"
#include "core/rng.h"
#include "core/suggest.h"
#include "core/trace.h"
#include "gate/gate_decision.h"
#include "gate/gate_policy.h"
#include "models/model.h"
#include "models/policy.h"
#include "scenarios/campaign.h"
#include "scenarios/generators/covering_array.h"
#include "scenarios/generators/generator_spec.h"
#include "scenarios/generators/samplers.h"
#include "scenarios/generators/sobol_sequence.h"
#include "scenarios/generators/statistics.h"
#include "scenarios/model_driver.h"
#include "scenarios/parameter_space.h"
#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "sim/dynamics.h"
#include "sim/road_network.h"
#include "verifier/formal/graph_lowering.h"
#include "verifier/stl/expression.h"

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
// The checker.

/// Header examples that are not C++ as written (header, first line, why). Each stays listed until its
/// header is fixed and a copy added above.
struct NotCompiled {
  const char* header;
  const char* first_line;
  const char* reason;
};
constexpr NotCompiled kNotCompiled[] = {
    {"core/input_file.h", "const std::string text = core::ReadInputFile(path, core::InputKind::kYaml);",
     "`path` stands for the caller's file; tests/core/input_file_test.cc runs the same calls"},
    {"core/text.h", "diags.Error(pos, \"expected a number, found \" + core::Quote(cell));",
     "`diags`, `pos` and `cell` stand for the caller's; tests/core/text_test.cc runs Quote"},
    {"core/units.h", "std::string error;", "tests/core/units_test.cc runs these calls with their messages"},
    {"history/history_page.h", "const history::TrendTable trends = history::QueryTrends(db, 30);",
     "needs a history database; tests/app/history_html_test.cc writes one"},
    {"reports/html_report.h", "std::map<size_t, reports::FormalWitness> witnesses;",
     "needs a run directory and its suite; the report tests build both"},
    {"reports/html_report_plots.h", "const html::Axis x = html::Axis::Fit(values, 46, 290, {\"km/h\", 1 / 3.6});   // ticks in km/h",
     "`values` stands for the caller's data; tests/reports cover Axis::Fit"},
    {"scenarios/lockstep.h", "BatchPolicy policy({\"gap_m\", \"speed_mps\"}, 1, [](std::span<const double> obs, size_t rows,",
     "`jobs` and RunJob stand for the caller's; tests/scenarios/lockstep_test.cc runs lockstep groups"},
    {"scenarios/scenario_env.h", "ScenarioEnv env(LoadScenario(\"configs/scenarios/lead_brake.yaml\"));",
     "needs the working directory at the repository root; tests/scenarios/lockstep_test.cc plays episodes"},
    {"app/args.h", "Args args(argv_tail, {{\"threads\", true}, {\"quiet\", false}});",
     "app/ is the executable, not a library the test links"},
    {"reports/run_summary.h", "RunSummary summary = Summarize(results, info);",
     "WriteFile is not a function of the project"},
    {"reports/top_view.h", "reports::TopViewOptions options;", "needs a simulated trace"},
    {"scenarios/generators/adversarial_search.h",
     "AdversarialSearch search(space, {.method = SearchMethod::kCmaEs, .budget = 500}, seed);",
     "EvaluateInParallel stands for the caller's evaluation"},
    {"scenarios/generators/counterexample_shrinking.h",
     "ShrinkResult small = ShrinkCounterexample(space, failing_values, failing_robustness, evaluate);",
     "needs a failing point and an evaluation"},
    {"scenarios/generators/coverage.h", "CoverageTracker coverage(space);", "needs a parameter space and points"},
    {"scenarios/generators/gaussian_process.h",
     "GaussianProcess gp(points, values, GaussianProcess::FitLengthScales(points, values));",
     "needs points, candidates and a best value"},
    {"scenarios/number_writer.h", "sim::WorldSpec world = scenario.world;           // the loaded template",
     "values.Find stands for the caller's lookup"},
    {"scenarios/yaml_reader.h", "core::Diagnostics diags;", "needs a parsed YAML root and a binder"},
    {"sim/episode.h",
     "LambdaController controller([](double t, std::span<const double> row, std::span<double>, EgoCommand* cmd) {",
     "needs a world spec"},
    {"verifier/formal/bounds.h", "formal::BoundPropagator prop(net);", "needs a network, a box and a specification"},
    {"verifier/formal/branch_and_bound.h",
     "formal::ProveResult r = formal::ProveProperty(net, property.regions, {.timeout_s = 116},",
     "Eval and Print stand for the caller's functions"},
    {"verifier/formal/checks.h", "auto model = models::Model::LoadModel(\"acc.onnx\");", "acc.onnx is no file"},
    {"verifier/formal/checks.h",
     "formal::LocalRobustnessSpec spec{.point = obs, .epsilon = {0.05}, .mode = formal::RobustnessMode::kOutputDelta,",
     "continues the example before it"},
    {"verifier/formal/network.h", "formal::Network net;", "needs weights w1, b1, w2, b2 and an input x0"},
    {"verifier/stl/formula.h",
     "const std::vector<stl::DefinitionText> texts = {{\"close\", \"lead.x - ego.x < 5\", {\"s.yaml\", 8, 12}}};",
     "needs a trace"},
    {"verifier/stl/monitor.h", "const auto f = stl::Formula::Parse(\"always[0, 10] (gap > 2)\");", "needs a trace"},
    {"verifier/stl/online_monitor.h", "stl::OnlineMonitor online(formula, trace_signal_names);",
     "'for (each simulation step)' is pseudo-code"},
};

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
  for (const char* folder : {"app", "core", "gate", "history", "models", "reports", "scenarios", "sim", "verifier"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kSource + "/" + folder)) {
      const std::string path = fs::relative(entry.path(), kSource).string();
      if (entry.path().extension() == ".h" && path.find("/internal/") == std::string::npos) headers.push_back(path);
    }
  }
  std::sort(headers.begin(), headers.end());
  size_t examples = 0;
  size_t listed = 0;
  for (const std::string& header : headers) {
    const auto found = HeaderExamples(kSource + "/" + header);
    for (const auto& example : found) {
      ++examples;
      const auto [first, last] = copies.equal_range(header);
      const bool copied = std::any_of(first, last, [&](const auto& c) { return c.second == example; });
      const bool exempt = std::any_of(std::begin(kNotCompiled), std::end(kNotCompiled), [&](const NotCompiled& n) {
        return header == n.header && example[0] == n.first_line;
      });
      listed += exempt;
      EXPECT_TRUE(copied || exempt) << header << " has an example without an identical compiled copy in "
                                    << "tests/docs/header_examples_test.cc:\n" << Text(example);
      EXPECT_FALSE(copied && exempt) << header << ": the example is compiled; remove it from kNotCompiled";
    }
  }
  for (const auto& [header, copy] : copies) {
    const auto found = HeaderExamples(kSource + "/" + header);
    EXPECT_TRUE(std::find(found.begin(), found.end(), copy) != found.end())
        << "the copy of an example of " << header << " is no longer in the header (update both):\n" << Text(copy);
  }
  EXPECT_EQ(listed, std::size(kNotCompiled)) << "an entry of kNotCompiled names no example";
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
