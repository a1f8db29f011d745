// report.html of a real run: the flawed zoo model on the gate test suite, its worst instances re-run
// with traces; checked with xmllint and, when Chromium is installed, rendered to a PNG.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "reports/html_report.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"

namespace gauntlet::reports {
namespace {

TEST(HtmlReportEpisodeTest, FlawedModelReport) {
  scenarios::Suite suite = scenarios::LoadSuite(GAUNTLET_SOURCE_DIR "/tests/gate/testdata/gate_suite.yaml",
                                                {{"acc", GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.onnx"}});
  const std::string dir = ::testing::TempDir() + "html_report_episode_test";
  std::filesystem::remove_all(dir);
  const scenarios::CampaignOutcome run = scenarios::RunCampaign(suite, {.threads = 2, .out_dir = dir});
  // the report reads the results back as `gauntlet run` does
  scenarios::CampaignOutcome outcome;
  outcome.results = ReadResultsFile(dir + "/results.jsonl");
  ASSERT_EQ(outcome.results.size(), run.results.size());
  for (size_t i = 0; i < run.results.size(); ++i) {
    EXPECT_EQ(scenarios::ToJsonLine(outcome.results[i]), scenarios::ToJsonLine(run.results[i]));
    EXPECT_EQ(outcome.results[i].plan_index, i);
  }
  RunInfo info;
  info.suite_name = suite.name;
  info.suite_path = suite.path;
  info.seed = suite.seed;
  for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
  const RunSummary summary = Summarize(outcome.results, info);
  ASSERT_GT(summary.failed, 0u);

  std::vector<HtmlCase> cases;
  for (const size_t i : WorstInstances(outcome.results, 3)) {
    cases.push_back(MakeHtmlCase(suite, scenarios::ReplayInstance(suite, outcome.results[i]), "out dir"));
    // the re-run is the same instance, bit for bit
    EXPECT_EQ(scenarios::ToJsonLine(cases.back().result), scenarios::ToJsonLine(outcome.results[i]));
    EXPECT_FALSE(cases.back().trace.empty());
    EXPECT_NE(cases.back().top_view_svg.find("<svg"), std::string::npos);
    EXPECT_EQ(cases.back().formula, cases.back().requirement == "no_collision" ? "always (lead.gap > 0)"
                                                                              : "always (lead.gap > 2)");
    EXPECT_EQ(cases.back().replay_command.rfind("gauntlet replay 'out dir' --case '" + outcome.results[i].id + "'", 0), 0u);
  }
  ASSERT_FALSE(cases.empty());
  const std::string html = RenderHtmlReport(summary, outcome.results, cases);
  EXPECT_NE(html.find("lead.gap over time"), std::string::npos);

  const std::string path = dir + "/report.html";
  std::ofstream(path, std::ios::binary) << html;
  if (std::system("xmllint --version >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("xmllint --noout '" + path + "'").c_str()), 0);
  }

  // render it headless, as a CI viewer would (no JavaScript needed)
  const char* chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) GTEST_SKIP() << "chromium not installed: the page was not rendered";
  const std::string png = dir + "/report.png";
  std::filesystem::remove(png);
  const std::string command = std::string(chromium) +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                              "--disable-background-networking --disable-component-update --disable-sync "
                              "--disable-javascript --user-data-dir='" + dir + "/profile' --window-size=1280,2400 "
                              "--screenshot='" + png + "' 'file://" + path + "' >'" + dir + "/chromium.log' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_GT(std::filesystem::file_size(png), 20000u);  // a page with pictures, not a blank one
}

}  // namespace
}  // namespace gauntlet::reports
