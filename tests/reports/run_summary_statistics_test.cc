// Honest statistics: summary.json's failure-rate intervals, recomputed here from results.jsonl of the example
// suite with an independent Clopper-Pearson (bisection on the binomial tails, not the tool's beta functions),
// over the instances drawn at random from the parameter distribution only.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "reports/run_writer.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::reports {
namespace {

/// P(X <= k) for X ~ Binomial(n, p), summed in log space.
double BinomialCdf(size_t k, size_t n, double p) {
  if (p <= 0.0) return 1.0;
  if (p >= 1.0) return k >= n ? 1.0 : 0.0;
  double sum = 0.0;
  for (size_t i = 0; i <= k; ++i) {
    const double log_pmf = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                           static_cast<double>(i) * std::log(p) + static_cast<double>(n - i) * std::log1p(-p);
    sum += std::exp(log_pmf);
  }
  return std::min(1.0, sum);
}

/// The p in [0, 1] where the decreasing function f crosses `target`, by bisection.
template <class F>
double Crossing(F f, double target) {
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

/// The exact 95% interval: lo solves P(X >= k) = 0.025, hi solves P(X <= k) = 0.025.
std::pair<double, double> ClopperPearson95(size_t k, size_t n) {
  if (n == 0) return {0.0, 1.0};
  const double lo = k == 0 ? 0.0 : Crossing([&](double p) { return BinomialCdf(k - 1, n, p); }, 0.975);
  const double hi = k == n ? 1.0 : Crossing([&](double p) { return BinomialCdf(k, n, p); }, 0.025);
  return {lo, hi};
}

TEST(RunSummaryStatisticsTest, IndependentClopperPearsonMatchesKnownValues) {
  // 0 of 10: [0, 0.3085]; 9 of 300 (R's binom.test): [0.01380, 0.05617]
  EXPECT_NEAR(ClopperPearson95(0, 10).second, 0.308497, 1e-6);
  EXPECT_NEAR(ClopperPearson95(9, 300).first, 0.0138, 1e-4);
  EXPECT_NEAR(ClopperPearson95(9, 300).second, 0.05617, 1e-4);
}

TEST(RunSummaryStatisticsTest, ExampleSuiteIntervalsComeFromTheRandomDrawsAlone) {
  const scenarios::Suite suite =
      scenarios::LoadSuite(std::string(GAUNTLET_SOURCE_DIR) + "/configs/example.yaml");
  const std::string dir = test::FreshDir("statistics_example");
  RunWriter writer(dir, suite, {.report = false});
  scenarios::CampaignOptions options;
  options.keep_results = false;
  options.on_result = [&](const scenarios::InstanceResult& r) { writer.Add(r); };
  const scenarios::CampaignOutcome outcome = scenarios::RunCampaign(suite, options);
  ASSERT_TRUE(outcome.complete);
  (void)writer.Finish({.suite_name = suite.name, .out_dir = dir});

  // the counts, straight from results.jsonl
  struct Counts {
    size_t random = 0, random_failed = 0, all = 0, all_failed = 0, all_gated = 0;
  };
  std::map<std::pair<std::string, std::string>, Counts> counts;
  std::set<std::string> origins;
  std::ifstream in(dir + "/results.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    const std::string origin = j.at("origin");
    ASSERT_FALSE(origin.empty()) << "every result says which generator made it: " << line;
    origins.insert(origin);
    if (origin == "formal" || j.at("status") != "completed") continue;
    const bool random = origin == "uniform" || origin == "sobol" || origin == "lhs";
    for (const auto& q : j.at("requirements")) {
      Counts& c = counts[{j.at("family"), q.at("name")}];
      // "failed" counts violations; the rate counts every verdict that gates like one (inconclusive too)
      const bool failed = q.at("verdict") == "fail";
      const bool gates_as_failed = q.at("verdict") != "pass";
      ++c.all;
      c.all_failed += failed ? 1 : 0;
      c.all_gated += gates_as_failed ? 1 : 0;
      if (random) {
        ++c.random;
        c.random_failed += gates_as_failed ? 1 : 0;
      }
    }
  }
  // the example has instances chosen on purpose (edge cases, corners, a search) next to its random draws
  EXPECT_TRUE(origins.contains("uniform"));
  EXPECT_TRUE(origins.contains("nominal"));
  EXPECT_TRUE(origins.contains("corner") || origins.contains("corner:cover"));

  const nlohmann::json summary = nlohmann::json::parse(test::ReadFile(dir + "/summary.json"));
  size_t checked = 0, pooled_differs = 0;
  for (const auto& f : summary.at("families")) {
    for (const auto& q : f.at("requirements")) {
      const Counts& c = counts.at({f.at("family"), q.at("name")});
      EXPECT_EQ(q.at("evaluated").get<size_t>(), c.all);
      EXPECT_EQ(q.at("failed").get<size_t>(), c.all_failed);
      EXPECT_EQ(q.at("random_draws").at("evaluated").get<size_t>(), c.random);
      EXPECT_EQ(q.at("random_draws").at("failed").get<size_t>(), c.random_failed);
      const auto [lo, hi] = ClopperPearson95(c.random_failed, c.random);
      EXPECT_NEAR(q.at("failure_rate_ci95")[0].get<double>(), lo, 1e-9) << f.at("family") << " " << q.at("name");
      EXPECT_NEAR(q.at("failure_rate_ci95")[1].get<double>(), hi, 1e-9) << f.at("family") << " " << q.at("name");
      const auto pooled = ClopperPearson95(c.all_gated, c.all);
      if (std::abs(pooled.second - hi) > 1e-6) ++pooled_differs;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10u);
  EXPECT_GT(pooled_differs, 0u) << "pooling every instance would give the same intervals: the test could not fail";
}

}  // namespace
}  // namespace gauntlet::reports
