#include "reports/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/rng.h"

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
  // verdict first, no script, escaped names, the pieces present
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html", 0), 0u);
  EXPECT_LT(html.find("class=\"verdict FAILED\""), html.find("<h2>"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
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
  EXPECT_NE(odd.find("<h2>worst instances</h2>"), std::string::npos);
  EXPECT_EQ(odd.find("over time\""), std::string::npos);  // no signal plot without the signal
}

}  // namespace
}  // namespace gauntlet::reports
