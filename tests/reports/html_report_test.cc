#include "reports/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "reports/html_report_plots.h"
#include "scenarios/scenario.h"

namespace gauntlet::reports {
namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

/// A run of `n` lead_brake-like instances with 5 parameters; failures where the closing speed is high.
std::vector<InstanceResult> FakeRun(size_t n) {
  core::Rng rng(7);
  std::vector<InstanceResult> out;
  for (size_t i = 0; i < n; ++i) {
    InstanceResult r;
    r.family = i % 2 == 0 ? "lead_brake@acc" : "lead_brake@idm";
    r.index = i / 2;
    r.plan_index = i;
    r.origin = "random";
    r.seed = i;
    const double ego = rng.Uniform(10, 35), lead = rng.Uniform(10, 35), gap = rng.Uniform(8, 60);
    r.parameters = {{"ego_speed", ego}, {"lead_speed", lead}, {"gap", gap}, {"brake_time", rng.Uniform(0.5, 5)},
                    {"brake_decel", rng.Uniform(1, 8)}};
    r.id = scenarios::MakeInstanceId(r.family, r.index, r.parameters);
    if (i % 97 == 5) {
      r.status = InstanceStatus::kError;
      r.error = "model produced NaN at t = 1.25 s";
    } else if (i % 31 == 3) {
      r.status = InstanceStatus::kInvalid;
    } else {
      const double margin = gap - (ego - lead) * std::abs(ego - lead) / 9.0;
      r.requirements.push_back({.name = "no_collision", .satisfied = margin >= 0, .robustness = margin,
                                .first_violation_time_s = margin >= 0 ? std::nullopt : std::optional<double>(2.5)});
      r.requirements.push_back({.name = "safe_gap", .satisfied = margin >= 2, .robustness = margin - 2});
      r.requirements.push_back({.name = "comfort <&>", .gating = false, .satisfied = true, .robustness = 0.5});
    }
    out.push_back(r);
  }
  return out;
}

HtmlCase FakeCase(const InstanceResult& r) {
  HtmlCase c;
  c.result = r;
  c.trace = core::Trace({"lead.gap", "ego.x", "ego.speed"});
  for (int k = 0; k < 1200; ++k) {
    const double t = 0.01 * k;
    const double row[] = {20.0 - 0.03 * k, 20 + 30 * t, 30 - t};
    c.trace.Append(t, row);
  }
  c.top_view_svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"300\">" +
                   std::string(40000, ' ') + "<text x=\"5\" y=\"20\">top view</text></svg>\n";
  c.requirement = "no_collision";
  c.formula = "always (lead.gap > 0)";
  c.replay_command = "gauntlet replay out --case '" + r.id + "' --trace trace.csv";
  return c;
}

RunSummary Summary(const std::vector<InstanceResult>& results) {
  RunInfo info;
  info.suite_name = "html & <test>";
  info.suite_path = "suite.yaml";
  info.seed = 42;
  info.models = {{"acc", "zoo/acc_good.onnx"}};
  return Summarize(results, info);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(HtmlReportTest, SignalThresholdOfFormulas) {
  auto st = SignalThresholdOf("always (lead.gap > 2)");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->signal, "lead.gap");
  EXPECT_EQ(st->op, ">");
  EXPECT_DOUBLE_EQ(st->threshold, 2.0);
  st = SignalThresholdOf("always[0, 5] (-6 <= ego.accel)");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->signal, "ego.accel");
  EXPECT_EQ(st->op, ">=");
  EXPECT_DOUBLE_EQ(st->threshold, -6.0);
  st = SignalThresholdOf("eventually (ego.speed < 1.5e1) and always (lead.gap > 0)");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->signal, "ego.speed");
  EXPECT_DOUBLE_EQ(st->threshold, 15.0);
  EXPECT_FALSE(SignalThresholdOf("always (lead.gap > ego.speed * 1.2)").has_value());
}

TEST(HtmlReportTest, WorstInstancesAreTheLowestRobustnessFailures) {
  const auto results = FakeRun(400);
  const auto worst = WorstInstances(results, 5);
  ASSERT_EQ(worst.size(), 5u);
  double previous = -INFINITY;
  for (const size_t i : worst) {
    ASSERT_TRUE(results[i].Failed());
    const double r = std::min(results[i].requirements[0].robustness, results[i].requirements[1].robustness);
    EXPECT_GE(r, previous);
    previous = r;
  }
  // no other failure is lower than the fifth
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.Failed() && std::find(worst.begin(), worst.end(), i) == worst.end()) {
      EXPECT_GE(std::min(r.requirements[0].robustness, r.requirements[1].robustness), previous);
    }
  }
}

TEST(HtmlReportTest, TenThousandInstancesStayWithinBudgetAndAreWellFormed) {
  const auto results = FakeRun(10000);
  const RunSummary summary = Summary(results);
  std::vector<HtmlCase> cases;
  for (const size_t i : WorstInstances(results, 5)) cases.push_back(FakeCase(results[i]));
  const std::string html = RenderHtmlReport(summary, results, cases);
  EXPECT_LT(html.size(), 5u * 1000 * 1000);
  std::printf("report.html for 10000 instances and 5 cases: %zu bytes\n", html.size());
  // verdict first, only inline scripts, escaped names, the pieces present
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html", 0), 0u);
  EXPECT_LT(html.find("class=\"verdict FAILED\""), html.find("<h2>"));
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_NE(html.find("html &amp; &lt;test&gt;"), std::string::npos);
  EXPECT_NE(html.find("comfort &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(html.find("robustness histogram of no_collision"), std::string::npos);
  EXPECT_NE(html.find("lead_speed against ego_speed"), std::string::npos);
  EXPECT_NE(html.find("sampled 1500 of"), std::string::npos);
  EXPECT_NE(html.find("threshold 0</text>"), std::string::npos);
  EXPECT_NE(html.find("first violation, t = 2.5 s"), std::string::npos);
  EXPECT_NE(html.find("gauntlet replay out --case &apos;"), std::string::npos);
  EXPECT_NE(html.find("error: model produced NaN at t = 1.25 s"), std::string::npos);
  // well-formed: as XML (stricter than HTML) and through the HTML parser
  const std::string path = WriteTemp("html_report_test.html", html);
  if (std::system("xmllint --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  EXPECT_EQ(std::system(("xmllint --noout " + path).c_str()), 0);
  const std::string log = ::testing::TempDir() + "html_report_test.log";
  std::system(("xmllint --html --noout " + path + " 2>" + log).c_str());
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    // libxml2's HTML 4 parser does not know the SVG elements; anything else is a real problem
    if (line.find("HTML parser error") == std::string::npos) continue;
    EXPECT_NE(line.find("invalid"), std::string::npos) << line;
    EXPECT_NE(line.find("Tag "), std::string::npos) << line;
  }
}

TEST(HtmlReportTest, EmptyRunAndOddTraces) {
  const RunSummary summary = Summary({});
  const std::string html = RenderHtmlReport(summary, {});
  EXPECT_NE(html.find("class=\"verdict PASSED\""), std::string::npos);
  auto results = FakeRun(20);
  HtmlCase c = FakeCase(results[0]);
  c.formula = "always (missing.signal > 1)";
  c.trace = core::Trace({"x"});
  const std::string odd = RenderHtmlReport(Summary(results), results, {c});
  EXPECT_NE(odd.find("worst case of no_collision"), std::string::npos);
  EXPECT_EQ(odd.find("over time\""), std::string::npos);  // no signal plot without the signal
}

/// Every `attribute="#x"` target of the page has an element with id="x".
void ExpectLinksResolve(const std::string& html) {
  size_t links = 0;
  for (size_t at = html.find("href=\"#"); at != std::string::npos; at = html.find("href=\"#", at + 1)) {
    const std::string target = html.substr(at + 7, html.find('"', at + 7) - at - 7);
    EXPECT_NE(html.find("id=\"" + target + "\""), std::string::npos) << "#" << target;
    ++links;
  }
  EXPECT_GT(links, 0u);
}

TEST(HtmlReportTest, HeaderContentsAndTheOneVolatileLine) {
  auto results = FakeRun(300);
  HtmlReportOptions options;
  options.tool_version = "9.8.7";
  options.suite_fingerprint = "fnv1a64:00000000deadbeef";
  options.generated_utc = "2026-12-06T05:00:00Z";
  std::vector<HtmlCase> cases;
  for (const CaseChoice& c : SelectCases(results)) cases.push_back(FakeCase(results[c.index]));
  const std::string a = RenderHtmlReport(Summary(results), results, cases, options);
  options.generated_utc = "2027-01-01T00:00:00Z";
  const std::string b = RenderHtmlReport(Summary(results), results, cases, options);
  EXPECT_NE(a.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"), std::string::npos);
  EXPECT_NE(a.find("gauntlet 9.8.7"), std::string::npos);
  EXPECT_NE(a.find("fnv1a64:00000000deadbeef"), std::string::npos);
  EXPECT_NE(a.find("zoo/acc_good.onnx"), std::string::npos);
  // the date on one line, the only line that differs
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const auto la = lines(a), lb = lines(b);
  ASSERT_EQ(la.size(), lb.size());
  size_t volatile_lines = 0, different = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    volatile_lines += la[i].find("data-volatile") != std::string::npos ? 1 : 0;
    if (la[i] != lb[i]) {
      ++different;
      EXPECT_NE(la[i].find("data-volatile"), std::string::npos) << la[i];
      EXPECT_NE(la[i].find("2026-12-06T05:00:00Z"), std::string::npos);
    }
  }
  EXPECT_EQ(volatile_lines, 1u);
  EXPECT_EQ(different, 1u);
  // contents: every family and requirement linked, every link resolves
  const size_t nav = a.find("<nav class=\"toc\">");
  ASSERT_NE(nav, std::string::npos);
  const std::string toc = a.substr(nav, a.find("</nav>", nav) - nav);
  for (const std::string name : {">lead_brake@acc<", ">lead_brake@idm<", ">no_collision<", ">safe_gap<", ">comfort &lt;&amp;&gt;<"}) {
    EXPECT_NE(toc.find(name), std::string::npos) << name;
  }
  ExpectLinksResolve(a);
}

TEST(HtmlReportTest, CasesAreTheWorstOfEachFailingRequirementOfEachFamily) {
  auto results = FakeRun(600);
  // three failing instances become shrunk counterexamples
  size_t made = 0;
  for (auto& r : results) {
    if (r.Failed() && r.family == "lead_brake@idm" && made < 3) {
      r.origin = "shrunk";
      ++made;
    }
  }
  ASSERT_EQ(made, 3u);
  const std::vector<CaseChoice> cases = SelectCases(results);
  // a naive reference: per family and requirement, the lowest robustness (first in plan order)
  std::map<std::pair<std::string, std::string>, size_t> worst, shrunk;
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.status != InstanceStatus::kCompleted) continue;
    for (const auto& q : r.requirements) {
      if (!q.gating || q.satisfied) continue;
      const auto key = std::make_pair(r.family, q.name);
      auto robustness = [&](size_t j) {
        for (const auto& o : results[j].requirements)
          if (o.name == q.name) return o.robustness;
        return static_cast<double>(INFINITY);
      };
      if (!worst.count(key) || q.robustness < robustness(worst[key])) worst[key] = i;
      if (r.origin == "shrunk" && (!shrunk.count(key) || q.robustness < robustness(shrunk[key]))) shrunk[key] = i;
    }
  }
  // each (instance, role) once
  std::set<std::pair<size_t, std::string>> expected;
  for (const auto& [key, i] : worst) expected.insert({i, "worst"});
  for (const auto& [key, i] : shrunk)
    if (worst[key] != i) expected.insert({i, "shrunk"});
  EXPECT_EQ(worst.size(), 4u);  // two families, two gating requirements each
  std::set<std::pair<size_t, std::string>> got;
  for (const CaseChoice& c : cases) {
    EXPECT_TRUE(got.insert({c.index, c.role}).second) << "listed twice: " << c.index;
    const auto key = std::make_pair(results[c.index].family, c.requirement);
    EXPECT_EQ(c.index, c.role == "worst" ? worst.at(key) : shrunk.at(key)) << c.requirement << " " << c.role;
  }
  EXPECT_EQ(got, expected);
  // every worst instance of a failing requirement is shown, under some requirement
  for (const auto& [key, i] : worst) EXPECT_TRUE(got.count({i, "worst"})) << key.second;
  // families together
  EXPECT_EQ(results[cases[0].index].family, results[cases[1].index].family);
  EXPECT_EQ(SelectCases(results, 2).size(), 2u);
}

TEST(HtmlReportTest, SearchesFormalWitnessesUnitsAndLogAxes) {
  auto results = FakeRun(60);
  // the last 12 of one family come from a search, then shrinking
  std::vector<InstanceResult> run;
  for (const auto& r : results)
    if (r.family == "lead_brake@acc") run.push_back(r);
  for (size_t k = 0; k < run.size(); ++k) {
    run[k].plan_index = k;
    run[k].parameters.push_back({"ttc", k % 2 == 0 ? 0.6 : 4000.0 / static_cast<double>(k + 1)});
    if (k >= 18) run[k].origin = k < 26 ? "cma_es" : k + 1 < run.size() ? "shrink" : "shrunk";
  }
  InstanceResult formal;
  formal.family = "lead_brake@acc";
  formal.index = run.size();
  formal.plan_index = run.size();
  formal.origin = "formal";
  formal.id = "lead_brake@acc#30 formal:brake_bounded";
  formal.requirements.push_back({.name = "formal:brake_bounded", .satisfied = false, .robustness = -0.25});
  run.push_back(formal);
  const std::string line = scenarios::ToJsonLine(formal);
  const std::string with_witness =
      line.substr(0, line.size() - 1) + ",\"witness\":{\"input\":[1.5,-2,\"inf\"],\"output\":[0.125]}}";
  // read back from a results.jsonl: the witness is the one of the result (scenarios::FromJsonLine)
  std::string text;
  for (const auto& r : run) text += (r.origin == "formal" ? with_witness : scenarios::ToJsonLine(r)) + "\n";
  HtmlReportOptions options;
  const auto read = ReadResultsFile(WriteTemp("witness.jsonl", text));
  ASSERT_EQ(read.size(), run.size());
  for (size_t k = 0; k + 1 < read.size(); ++k) EXPECT_FALSE(read[k].witness) << k;
  const std::optional<scenarios::FormalWitness>& witness = read.back().witness;
  ASSERT_TRUE(witness);
  EXPECT_EQ(witness->input, (std::vector<double>{1.5, -2, INFINITY}));
  EXPECT_EQ(witness->output, (std::vector<double>{0.125}));
  const std::string html = RenderHtmlReport(Summary(read), read, {}, options);
  EXPECT_NE(html.find(": search cma_es</h3>"), std::string::npos);
  EXPECT_NE(html.find("robustness against simulations of the cma_es search"), std::string::npos);
  EXPECT_NE(html.find("best point found"), std::string::npos);
  EXPECT_NE(html.find("shrunk counterexample: "), std::string::npos);
  EXPECT_NE(html.find("href=\"#searches\""), std::string::npos);
  EXPECT_NE(html.find("id=\"formal\""), std::string::npos);
  EXPECT_NE(html.find("input [1.5, -2, inf]<br/>output [0.125]"), std::string::npos);
  // ttc spans 0.6 to 4000: a log axis with decade ticks
  EXPECT_NE(html.find("ttc (log)"), std::string::npos);
  EXPECT_NE(html.find(">1000</text>"), std::string::npos);
  ExpectLinksResolve(html);
}

TEST(HtmlReportTest, StackBarsNeverHideFailures) {
  // one failure in 10,000 still gets a visible red segment
  const std::string bar = html::StackBar(9999, 1, 0, 0, 480);
  const size_t red = bar.find("fill=\"#e53935\"");
  ASSERT_NE(red, std::string::npos);
  const size_t width_at = bar.rfind("width=\"", red);
  EXPECT_GE(std::stod(bar.substr(width_at + 7)), 9.5);
  EXPECT_NE(bar.find("preserveAspectRatio=\"none\""), std::string::npos);
}

TEST(HtmlReportTest, AxesTickInTheWrittenUnitAndGoLogarithmicOverDecades) {
  const html::Axis kmh = html::Axis::Fit({15.0, 30.0}, 0, 100, {"km/h", 1 / 3.6});
  EXPECT_FALSE(kmh.log);
  std::vector<std::string> labels;
  for (const double t : kmh.Ticks()) labels.push_back(kmh.Label(t));
  EXPECT_EQ(labels, (std::vector<std::string>{"60", "80", "100"}));
  const html::Axis wide = html::Axis::Fit({0.6, 4000.0}, 0, 100);
  EXPECT_TRUE(wide.log);
  labels.clear();
  for (const double t : wide.Ticks()) labels.push_back(wide.Label(t));
  EXPECT_EQ(labels, (std::vector<std::string>{"1", "10", "100", "1000"}));
  EXPECT_NEAR(wide(0.6), 0.0, 1e-9);
  EXPECT_NEAR(wide(4000.0), 100.0, 1e-9);
  EXPECT_FALSE(html::Axis::Fit({-1.0, 4000.0}, 0, 100).log);
  EXPECT_FALSE(html::Axis::Fit({1.0, 50.0}, 0, 100).log);
}

TEST(HtmlReportTest, WrittenUnitsAreReadFromTheParameterDeclarations) {
  const auto scenario =
      scenarios::LoadScenario(std::string(GAUNTLET_SOURCE_DIR) + "/tests/reports/testdata/small_scenario.yaml");
  const auto units = html::WrittenUnits(*scenario);
  ASSERT_TRUE(units.count("ego_speed"));
  EXPECT_EQ(units.at("ego_speed").unit, "km/h");
  EXPECT_NEAR(units.at("ego_speed").factor, 1 / 3.6, 1e-12);
  EXPECT_EQ(units.at("gap").unit, "m");
  EXPECT_EQ(units.at("decel").unit, "m/s^2");
  EXPECT_FALSE(units.count("ttc")) << "derived parameters are shown in SI units";
  // a scenario written without units: none
  const auto plain =
      scenarios::LoadScenario(std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/brake_scenario.yaml");
  EXPECT_TRUE(html::WrittenUnits(*plain).empty());
}

}  // namespace
}  // namespace gauntlet::reports
