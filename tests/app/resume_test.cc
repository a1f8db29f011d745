// `gauntlet run --resume` end to end (#15): an interrupted run resumed with another spelling of the
// suite's path, from another working directory, gives the uninterrupted run's files; a resume reuses
// only lines it can prove belong to this run (run identity in run.json and in the aside file, each line
// checked against the plan, verdicts checked against the recorded robustness).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/app/run_dir_test_util.h"

namespace {

namespace fs = std::filesystem;
using gauntlet::test::kSource;
using gauntlet::test::ReadFile;
using gauntlet::test::RunGauntlet;

const std::string kBrakeSuite = "tests/scenarios/testdata/brake_suite.yaml";

std::string Fresh(const std::string& name) { return gauntlet::test::FreshDir("resume_test_" + name); }

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Makes `out` look like a run killed after `keep` results (and half a line): results.jsonl cut,
/// run.json marked incomplete, the reports of the complete run removed.
void Interrupt(const std::string& out, size_t keep) {
  const std::vector<std::string> lines = Lines(ReadFile(out + "/results.jsonl"));
  ASSERT_GT(lines.size(), keep);
  std::string text;
  for (size_t i = 0; i < keep; ++i) text += lines[i] + "\n";
  text += lines[keep].substr(0, lines[keep].size() / 2);  // cut mid-write
  Write(out + "/results.jsonl", text);
  std::string manifest = ReadFile(out + "/run.json");
  manifest = std::regex_replace(manifest, std::regex("\"complete\": true"), "\"complete\": false");
  Write(out + "/run.json", manifest);
  for (const char* f : {"summary.json", "junit.xml", "report.html"}) fs::remove(out + "/" + f);
}

void InterruptAndResume(const std::string& suite_relative, const std::string& dir) {
  const std::string absolute = kSource + "/" + suite_relative;
  const int expected = RunGauntlet({"run", absolute, "--out", dir + "/whole", "--quiet"}, dir);
  ASSERT_TRUE(expected == 0 || expected == 1) << ReadFile(dir + "/stderr.txt");
  // started from the source tree with a relative path, resumed from elsewhere with another spelling
  ASSERT_EQ(RunGauntlet({"run", suite_relative, "--out", dir + "/killed", "--quiet"}, dir, {}, kSource), expected);
  Interrupt(dir + "/killed", Lines(ReadFile(dir + "/whole/results.jsonl")).size() / 2);
  EXPECT_EQ(RunGauntlet({"run", fs::relative(absolute, dir).string(), "--out", "killed", "--resume"}, dir, {}, dir),
            expected)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("resuming: "), std::string::npos) << ReadFile(dir + "/stderr.txt");
  gauntlet::test::ExpectSameOutputs(dir + "/whole", dir + "/killed");
  EXPECT_FALSE(fs::exists(dir + "/killed/results.jsonl.resume"));
}

TEST(ResumeTest, ExampleSuiteResumesToTheUninterruptedRunWithAnyPathSpelling) {
  InterruptAndResume("configs/example.yaml", Fresh("example"));
}

TEST(ResumeTest, TestSuiteResumesToTheUninterruptedRunWithAnyPathSpelling) {
  InterruptAndResume(kBrakeSuite, Fresh("brake"));
}

TEST(ResumeTest, AStaleAsideFileOfAnotherRunIsNeverRead) {
  const std::string dir = Fresh("stale");
  const std::string suite = kSource + "/" + kBrakeSuite;
  const int expected = RunGauntlet({"run", suite, "--out", dir + "/whole", "--quiet"}, dir);
  // an earlier run with another seed, interrupted while resuming: its lines wait aside
  RunGauntlet({"run", suite, "--out", dir + "/out", "--quiet", "--seed", "8"}, dir);
  const std::string other = ReadFile(dir + "/out/results.jsonl");
  Write(dir + "/out/results.jsonl.resume", other);
  // a fresh run of seed 7 in the same folder, interrupted, then resumed
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--quiet"}, dir), expected);
  EXPECT_FALSE(fs::exists(dir + "/out/results.jsonl.resume"));
  Interrupt(dir + "/out", 10);
  // the other run's lines appear aside again (copied back, or left by a tool), with and without the
  // first line of an aside file
  const std::string header = Lines(other).front();
  for (const std::string& aside : {other, "{\"gauntlet_resume_of\":{\"run_id\":\"0123456789abcdef\",\"run_key\":\"x\"}}\n" + other}) {
    Write(dir + "/out/results.jsonl.resume", aside);
    const std::string results = ReadFile(dir + "/out/results.jsonl");
    const std::string manifest = ReadFile(dir + "/out/run.json");
    EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir), expected)
        << ReadFile(dir + "/stderr.txt");
    EXPECT_EQ(ReadFile(dir + "/out/results.jsonl"), ReadFile(dir + "/whole/results.jsonl"));
    Write(dir + "/out/results.jsonl", results);
    Write(dir + "/out/run.json", manifest);
  }
  (void)header;
}

TEST(ResumeTest, ResultsWithoutAProvenRunAreAnError) {
  const std::string dir = Fresh("unproven");
  const std::string suite = kSource + "/" + kBrakeSuite;
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--quiet"}, dir) / 2, 0);
  const std::string results = ReadFile(dir + "/out/results.jsonl");
  const std::string manifest = ReadFile(dir + "/out/run.json");
  // run.json missing
  fs::remove(dir + "/out/run.json");
  EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("no run.json"), std::string::npos) << ReadFile(dir + "/stderr.txt");
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("fresh --out"), std::string::npos);
  EXPECT_EQ(ReadFile(dir + "/out/results.jsonl"), results);
  // run.json damaged
  for (const std::string& damaged : {std::string("{"), std::string(""), manifest.substr(0, manifest.size() / 2),
                                     std::regex_replace(manifest, std::regex("\"seed\": [0-9]+"), "\"seed\": -1")}) {
    Write(dir + "/out/run.json", damaged);
    EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir), 2) << damaged;
    EXPECT_NE(ReadFile(dir + "/stderr.txt").find("run.json is damaged"), std::string::npos)
        << ReadFile(dir + "/stderr.txt");
    EXPECT_EQ(ReadFile(dir + "/out/results.jsonl"), results);
  }
  // a run.json of an older gauntlet (no run identity)
  Write(dir + "/out/run.json", std::regex_replace(manifest, std::regex("  \"run_(key|id)\": \"[0-9a-f]*\",\n"), ""));
  EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir), 2)
      << ReadFile(dir + "/out/run.json");
  // an empty folder, or one without results, is simply a fresh run
  fs::remove_all(dir + "/out");
  EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir) / 2, 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/out/results.jsonl"), results);
}

TEST(ResumeTest, EditedLinesAreNotTrusted) {
  const std::string dir = Fresh("edited");
  const std::string suite = kSource + "/" + kBrakeSuite;
  ASSERT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--quiet"}, dir), 1);
  const std::string whole = ReadFile(dir + "/out/results.jsonl");
  const std::vector<std::string> lines = Lines(whole);
  Interrupt(dir + "/out", lines.size() - 1);
  const std::string cut = ReadFile(dir + "/out/results.jsonl");
  const std::string manifest = ReadFile(dir + "/out/run.json");

  // a failed requirement turned into a pass, its robustness left negative: an error of the file
  size_t failing = 0;
  while (failing + 1 < lines.size() && lines[failing].find("\"verdict\":\"fail\"") == std::string::npos) ++failing;
  ASSERT_LT(failing + 1, lines.size());
  std::string edited = cut;
  const size_t at = edited.find("\"verdict\":\"fail\"", edited.find(lines[failing]));
  edited.replace(at, 16, "\"verdict\":\"pass\"");
  Write(dir + "/out/results.jsonl", edited);
  EXPECT_EQ(RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("robustness"), std::string::npos)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("results.jsonl:" + std::to_string(failing + 1) + ":"),
            std::string::npos)
      << ReadFile(dir + "/stderr.txt");

  // lines that do not match this run's plan (another seed, other parameter values, a made-up result)
  // are simulated again, not reused: the run ends with the uninterrupted results
  std::string foreign = cut;
  foreign = std::regex_replace(foreign, std::regex("\"seed\":([0-9])"), "\"seed\":1$1", std::regex_constants::format_first_only);
  const size_t second = foreign.find("\"parameters\":{\"", foreign.find('\n') + 1);
  const size_t value = foreign.find("\":", second + 15) + 2;  // the second line's first parameter value
  foreign.insert(value, "1");  // 17.5 -> 117.5 (the values are positive): a point the plan does not have
  Write(dir + "/out/results.jsonl", foreign);
  Write(dir + "/out/run.json", manifest);
  const int code = RunGauntlet({"run", suite, "--out", dir + "/out", "--resume", "--quiet"}, dir);
  EXPECT_EQ(code, 1) << ReadFile(dir + "/stderr.txt");
  EXPECT_EQ(ReadFile(dir + "/out/results.jsonl"), whole);
}

}  // namespace
