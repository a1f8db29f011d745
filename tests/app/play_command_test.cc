// gauntlet play: an OpenSCENARIO file played as written; events, collisions, the trace and exit codes.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/app/command_runner.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

const std::string kNcap = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/ncap_ccrs.xosc";
const std::string kExamples = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(PlayCommandTest, CollisionIsExitOneWithItsTime) {
  const std::string dir = FreshDir("play_ncap");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--time-step", "0.05", "--trace", dir + "/trace.csv"}, dir), 1)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "4.250: collision Ego Target\n8.050: storyboard stop\n");
  const std::vector<std::string> trace = Lines(ReadFile(dir + "/trace.csv"));
  ASSERT_EQ(trace.size(), 1u + 162u);  // header, t = 0 .. 8.05 (the stop trigger holds at 8.05: no step after it)
  EXPECT_EQ(trace[0], "time,Ego.x,Ego.y,Ego.heading,Ego.speed,Target.x,Target.y,Target.heading,Target.speed");
  EXPECT_EQ(trace[1], "0,50,-14,0,5.555555555555555,77.778,-14,0,0");
  EXPECT_EQ(trace[86].substr(0, trace[86].find(',')), "4.25");
  EXPECT_EQ(trace[86].substr(5, 6), "73.611");
}

TEST(PlayCommandTest, ParamChangesTheOutcome) {
  const std::string dir = FreshDir("play_param");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--param", "BrakeTTC=1.0"}, dir), 0) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"),
            "3.250: event late_brake start\n4.150: event late_brake end\n8.050: storyboard stop\n");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--param", "BrakeTTc=1.0"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("declares no parameter 'BrakeTTc' (did you mean 'BrakeTTC'?)"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
}

// --align-route-positions changes nothing where no RoutePosition is used (the same lines), and is
// refused with --model (exit 2).
TEST(PlayCommandTest, AlignRoutePositionsFlag) {
  const std::string dir = FreshDir("play_align");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--align-route-positions"}, dir), 1) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "4.250: collision Ego Target\n8.050: storyboard stop\n");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--align-route-positions", "--model", "Ego=x.onnx"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("--align-route-positions is not supported with --model"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
}

// --disable-controllers (esmini's --disable_controllers): a scenario whose ego an interactive controller
// drives is refused without it (at the action's position) and plays with it, the controller actions
// ignored with a warning; synchronize.xosc's SynchronizeActions then end when esmini's smoke test says
// (masters reached at 9.94 s with --fixed_timestep 0.01).
TEST(PlayCommandTest, DisableControllersFlag) {
  const std::string dir = FreshDir("play_disable_controllers");
  const std::string file = kExamples + "synchronize.xosc";
  EXPECT_EQ(RunGauntlet({"play", file, "--time-step", "0.01", "--duration", "10"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("controller 'InteractiveController' of 'Ego' is not supported"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "");
  EXPECT_EQ(RunGauntlet({"play", file, "--time-step", "0.01", "--duration", "10", "--disable-controllers"}, dir), 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("synchronize.xosc:97:6: warning: ControllerAction is ignored "
                                               "(controllers are disabled)"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  const std::string out = ReadFile(dir + "/stdout.txt");
  EXPECT_NE(out.find("0.010: event Synchronize_NPC_Event start\n"), std::string::npos) << out;
  EXPECT_NE(out.find("9.940: event Synchronize_NPC_Event end\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("9.930: event Synchronize_NPC_Event end"), std::string::npos) << out;
  // a controller whose properties the player refuses (ALKS_R157SM_Controller's ReferenceDriver model) is
  // not built when controllers are disabled, so its properties do not stop the run
  const std::string alks = kExamples + "alks_cut-out.xosc";
  EXPECT_EQ(RunGauntlet({"play", alks, "--duration", "1"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("model 'ReferenceDriver' is not supported"), std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(RunGauntlet({"play", alks, "--duration", "1", "--disable-controllers"}, dir), 0)
      << ReadFile(dir + "/stderr.txt");
}

TEST(PlayCommandTest, DurationStopsTheRun) {
  const std::string dir = FreshDir("play_duration");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--duration", "2", "--time-step", "0.1", "--trace", dir + "/t.csv"}, dir), 0);
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "");
  EXPECT_EQ(Lines(ReadFile(dir + "/t.csv")).size(), 1u + 21u);
  EXPECT_EQ(Lines(ReadFile(dir + "/t.csv")).back().substr(0, 4), "2,61");  // 50 + 2 * 20 / 3.6
}

TEST(PlayCommandTest, TraceIsIdenticalRunToRun) {
  const std::string dir = FreshDir("play_determinism");
  const std::string file = kExamples + "cut-in.xosc";
  ASSERT_EQ(RunGauntlet({"play", file, "--trace", dir + "/a.csv"}, dir), 1) << ReadFile(dir + "/stderr.txt");
  const std::string out_a = ReadFile(dir + "/stdout.txt");
  ASSERT_EQ(RunGauntlet({"play", file, "--trace", dir + "/b.csv"}, dir), 1);
  EXPECT_EQ(ReadFile(dir + "/a.csv"), ReadFile(dir + "/b.csv"));
  EXPECT_EQ(out_a, ReadFile(dir + "/stdout.txt"));
  EXPECT_NE(out_a.find("event CutInEvent start"), std::string::npos);
}

TEST(PlayCommandTest, UnsupportedElementIsExitTwoWithItsPosition) {
  const std::string dir = FreshDir("play_unsupported");
  EXPECT_EQ(RunGauntlet({"play", kExamples + "swarm.xosc"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("swarm.xosc:33:16: error: TrafficAction is not supported"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "");
}

TEST(PlayCommandTest, WarningsGoToStderr) {
  const std::string dir = FreshDir("play_warnings");
  EXPECT_EQ(RunGauntlet({"play", kExamples + "cut-in_simple.xosc", "--duration", "1"}, dir), 0);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("cut-in_simple.xosc:23:7: warning: SceneGraphFile is ignored"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");
}

TEST(PlayCommandTest, ParameterVariationFilePlaysEverySet) {
  const std::string dir = FreshDir("play_distribution");
  EXPECT_EQ(RunGauntlet({"play", kExamples + "cut-in_parameter_set.xosc", "--duration", "0.5", "--trace", dir + "/t.csv"},
                        dir),
            0)
      << ReadFile(dir + "/stderr.txt");
  const std::vector<std::string> out = Lines(ReadFile(dir + "/stdout.txt"));
  std::vector<std::string> headers;
  for (const auto& l : out)
    if (l.starts_with("# parameter set")) headers.push_back(l);
  ASSERT_EQ(headers.size(), 12u);
  EXPECT_EQ(headers[0], "# parameter set 1/12: HostVehicle=car_blue TargetVehicle=car_yellow EgoSpeed=70.0 TargetSpeedFactor=1.1");
  EXPECT_EQ(headers[11], "# parameter set 12/12: TargetVehicle=van_red EgoSpeed=110.0 TargetSpeedFactor=1.5");
  // one trace per set
  EXPECT_EQ(Lines(ReadFile(dir + "/t_1.csv")).size(), 1u + 11u);
  EXPECT_EQ(Lines(ReadFile(dir + "/t_12.csv")).size(), 1u + 11u);
}

TEST(PlayCommandTest, StochasticVariationFilePlaysItsDrawnSetsTheSameEveryTime) {
  const std::string dir = FreshDir("play_stochastic");
  {
    std::ofstream f(dir + "/variation.xosc");
    f << "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<FileHeader revMajor=\"1\" revMinor=\"2\" date=\"x\" description=\"\" "
         "author=\"\"/>\n<ParameterValueDistribution>\n<ScenarioFile filepath=\""
      << kExamples << "cut-in.xosc\"/>\n<Stochastic numberOfTestRuns=\"3\" randomSeed=\"5\">\n"
      << "<StochasticDistribution parameterName=\"EgoSpeed\"><NormalDistribution expectedValue=\"90\" variance=\"25\">"
         "<Range lowerLimit=\"70\" upperLimit=\"110\"/></NormalDistribution></StochasticDistribution>\n"
         "<StochasticDistribution parameterName=\"TargetVehicle\"><ProbabilityDistributionSet><Element value=\"car_red\" "
         "weight=\"1\"/><Element value=\"van_red\" weight=\"1\"/></ProbabilityDistributionSet></StochasticDistribution>\n"
         "</Stochastic>\n</ParameterValueDistribution>\n</OpenSCENARIO>\n";
  }
  ASSERT_EQ(RunGauntlet({"play", dir + "/variation.xosc", "--duration", "0.5"}, dir), 0) << ReadFile(dir + "/stderr.txt");
  const std::string first = ReadFile(dir + "/stdout.txt");
  std::vector<std::string> headers;
  for (const auto& l : Lines(first))
    if (l.starts_with("# parameter set")) headers.push_back(l);
  ASSERT_EQ(headers.size(), 3u) << first;
  EXPECT_TRUE(headers[0].starts_with("# parameter set 1/3: EgoSpeed=")) << headers[0];
  EXPECT_NE(headers[0].find(" TargetVehicle="), std::string::npos) << headers[0];
  ASSERT_EQ(RunGauntlet({"play", dir + "/variation.xosc", "--duration", "0.5"}, dir), 0);
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), first);
}

TEST(PlayCommandTest, UsageErrors) {
  const std::string dir = FreshDir("play_usage");
  EXPECT_EQ(RunGauntlet({"play"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("usage: gauntlet play"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--time-step", "0"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--time-step", "abc"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--duration", "-1"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--time-step", "1e-300"}, dir), 2);  // never ends: refused
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("more than 1e8 steps"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--param", "novalue"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--speed", "3"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"play", dir + "/missing.xosc"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("missing.xosc"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego"}, dir), 2);  // not SLOT=PATH
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("--model needs one SLOT=PATH"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"play", "--help"}, dir), 0);
  EXPECT_NE(ReadFile(dir + "/stdout.txt").find("gauntlet play FILE.xosc"), std::string::npos);
}

/// A .nnet network of 3 inputs whose output is always `accel` (m/s^2), or with `inputs` inputs.
std::string ConstantModel(const std::string& dir, double accel, int inputs = 3) {
  const std::string path = dir + "/constant.nnet";
  std::ofstream out(path);
  auto row = [&](const std::string& v, int n) {
    for (int i = 0; i < n; ++i) out << v << ',';
  };
  out << "// constant\n1," << inputs << ",1," << inputs << ",\n" << inputs << ",1,\n0,\n";
  row("-1000", inputs), out << "\n";
  row("1000", inputs), out << "\n";
  row("0", inputs), out << accel << ",\n";
  row("1", inputs + 1), out << "\n";
  row("0", inputs), out << "\n0,\n";
  return path;
}

TEST(PlayCommandTest, AModelThatCoastsCollidesAsTheStoryboardDoes) {
  // output 0 always: the Ego keeps 20 km/h as the storyboard would, and hits the Target at 4.250 s
  const std::string dir = FreshDir("play_model_coast");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + ConstantModel(dir, 0.0), "--trace", dir + "/trace.csv"}, dir), 1)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "4.250: collision Ego Target\n8.050: storyboard stop\n");
  const std::vector<std::string> trace = Lines(ReadFile(dir + "/trace.csv"));
  ASSERT_EQ(trace.size(), 1u + 162u);
  EXPECT_EQ(trace[0], "time,Ego.x,Ego.y,Ego.heading,Ego.speed,Target.x,Target.y,Target.heading,Target.speed");
  EXPECT_EQ(trace[1], "0,50,-14,0,5.555555555555555,77.778,-14,0,0");  // the reference point, not the box centre
  EXPECT_EQ(trace[86].substr(0, trace[86].find(',')), "4.25");
  EXPECT_EQ(trace[86].substr(5, 6), "73.611");
}

TEST(PlayCommandTest, AModelThatBrakesStopsWhereTheClosedFormSays) {
  // -1 m/s^2 from 20 km/h: the Ego stops after v^2 / 2 = 15.432 m, short of the Target; no collision
  const std::string dir = FreshDir("play_model_brake");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + ConstantModel(dir, -1.0), "--trace", dir + "/trace.csv"}, dir), 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"), "8.050: storyboard stop\n");
  const std::vector<std::string> last = [&] {
    std::vector<std::string> cells;
    std::istringstream row(Lines(ReadFile(dir + "/trace.csv")).back());
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    return cells;
  }();
  ASSERT_EQ(last.size(), 9u);
  const double v = 20.0 / 3.6;
  EXPECT_NEAR(std::stod(last[1]), 50.0 + v * v / 2.0, 1e-9);
  EXPECT_EQ(last[4], "0");
  // the Ego's own brake event starts, but its action is not applied: a warning at the action
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + ConstantModel(dir, 0.0), "--param", "BrakeTTC=1"}, dir), 1);
  EXPECT_EQ(ReadFile(dir + "/stdout.txt"),
            "3.250: event late_brake start\n3.250: event late_brake end\n4.250: collision Ego Target\n8.050: storyboard stop\n");
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"),
            kNcap + ":54:71: warning: action 'brake' on 'Ego' is not applied: the entity is driven externally (by the model)\n");
}

TEST(PlayCommandTest, ModelErrors) {
  const std::string dir = FreshDir("play_model_errors");
  const std::string model = ConstantModel(dir, 0.0);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Eg=" + model}, dir), 2);
  EXPECT_EQ(ReadFile(dir + "/stderr.txt"), "--model: error: no entity 'Eg' to drive (did you mean 'Ego'?); entities: 'Ego', 'Target'\n");
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + dir + "/none.onnx"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("does not exist"), std::string::npos);
  const std::string two = ConstantModel(FreshDir("play_model_two_inputs"), 0.0, 2);
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + two}, dir), 2);
  const std::string err = ReadFile(dir + "/stderr.txt");
  EXPECT_NE(err.find("does not fit play's default binding"), std::string::npos) << err;
  EXPECT_NE(err.find("takes 2 inputs"), std::string::npos) << err;
  EXPECT_NE(err.find("'openscenario:' section"), std::string::npos) << err;
  EXPECT_EQ(RunGauntlet({"play", kNcap, "--model", "Ego=" + model, "--model", "Target=" + model}, dir), 2);
}

}  // namespace
}  // namespace gauntlet::test
