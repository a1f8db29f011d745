// Stochastic parameter variation files: the sets they draw (openscenario/distribution.h). The sample
// moments of many draws are checked against the closed forms of each distribution.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "openscenario/distribution.h"
#include "openscenario/expression.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::LoadParameterDistribution;
using openscenario::ParameterSet;

/// A stochastic variation file: line 1 the XML declaration, 2 OpenSCENARIO, 3 FileHeader,
/// 4 ParameterValueDistribution, 5 ScenarioFile, 6 Stochastic, then `body`'s lines from line 7.
std::string StochasticFile(const std::string& name, const std::string& body,
                           const std::string& attributes = "numberOfTestRuns=\"20000\" randomSeed=\"7\"") {
  return WriteXosc(name, "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<FileHeader revMajor=\"1\" revMinor=\"2\" date=\"x\" "
                         "description=\"\" author=\"\"/>\n<ParameterValueDistribution>\n<ScenarioFile filepath=\"s.xosc\"/>\n"
                         "<Stochastic " +
                             attributes + ">\n" + body + "</Stochastic>\n</ParameterValueDistribution>\n</OpenSCENARIO>\n");
}

/// One StochasticDistribution of parameter `name` on one line.
std::string Dist(const std::string& name, const std::string& inner) {
  return "<StochasticDistribution parameterName=\"" + name + "\">" + inner + "</StochasticDistribution>\n";
}

/// The numbers drawn for parameter `index` of every set.
std::vector<double> Column(const std::vector<ParameterSet>& sets, size_t index) {
  std::vector<double> out;
  for (const auto& s : sets) out.push_back(std::stod(s.at(index).second));
  return out;
}

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
  double min = 1e300;
  double max = -1e300;
};
Moments MomentsOf(const std::vector<double>& v) {
  Moments m;
  for (double x : v) {
    m.mean += x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(v.size() - 1);
  return m;
}

double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double Pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); }

/// Expects the sample mean within 5 standard errors of `mean`, and the sample variance within 5 % of
/// `variance` (20,000 draws: the standard error of a variance is below 1.5 % for these shapes).
void ExpectMoments(const Moments& m, double mean, double variance, size_t n, const std::string& what) {
  EXPECT_NEAR(m.mean, mean, 5.0 * std::sqrt(variance / static_cast<double>(n))) << what;
  EXPECT_NEAR(m.variance, variance, 0.05 * variance) << what;
}

TEST(StochasticDistributionTest, SampleMomentsMatchTheClosedForms) {
  const std::string path = StochasticFile(
      "moments", Dist("u", "<UniformDistribution><Range lowerLimit=\"2\" upperLimit=\"6\"/></UniformDistribution>") +
                     Dist("n", "<NormalDistribution expectedValue=\"10\" variance=\"4\"/>") +
                     Dist("nt", "<NormalDistribution expectedValue=\"10\" variance=\"4\"><Range lowerLimit=\"8\" "
                                "upperLimit=\"11\"/></NormalDistribution>") +
                     Dist("ln", "<LogNormalDistribution expectedValue=\"5\" variance=\"4\"/>") +
                     Dist("p", "<PoissonDistribution expectedValue=\"3.5\"/>") +
                     Dist("pt", "<PoissonDistribution expectedValue=\"3.5\"><Range lowerLimit=\"2\" upperLimit=\"5\"/>"
                                "</PoissonDistribution>") +
                     Dist("h", "<Histogram><HistogramBin weight=\"1\"><Range lowerLimit=\"0\" upperLimit=\"1\"/>"
                               "</HistogramBin><HistogramBin weight=\"3\"><Range lowerLimit=\"1\" upperLimit=\"3\"/>"
                               "</HistogramBin></Histogram>") +
                     Dist("car", "<ProbabilityDistributionSet><Element value=\"car_blue\" weight=\"1\"/><Element "
                                 "value=\"van_red\" weight=\"3\"/></ProbabilityDistributionSet>"));
  ASSERT_TRUE(openscenario::IsParameterDistribution(path));
  const openscenario::ParameterDistribution d = LoadParameterDistribution(path);
  ASSERT_TRUE(d.stochastic.has_value());
  EXPECT_EQ(d.stochastic->runs, 20000);
  const std::vector<ParameterSet> sets = d.Sets();
  ASSERT_EQ(sets.size(), 20000u);
  const size_t n = sets.size();
  for (const auto& s : sets) {
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(s[0].first, "u");
    EXPECT_EQ(s[7].first, "car");
  }

  const Moments u = MomentsOf(Column(sets, 0));
  ExpectMoments(u, 4.0, 16.0 / 12.0, n, "uniform");
  EXPECT_GE(u.min, 2.0);
  EXPECT_LT(u.max, 6.0);
  EXPECT_LT(u.min, 2.01);  // the draws cover the range
  EXPECT_GT(u.max, 5.99);

  ExpectMoments(MomentsOf(Column(sets, 1)), 10.0, 4.0, n, "normal");

  // truncated normal on [8, 11]: a = -1, b = 0.5 in standard units
  const double a = -1.0, b = 0.5, z = Phi(b) - Phi(a);
  const double shift = (Pdf(a) - Pdf(b)) / z;
  const Moments nt = MomentsOf(Column(sets, 2));
  ExpectMoments(nt, 10.0 + 2.0 * shift, 4.0 * (1.0 + (a * Pdf(a) - b * Pdf(b)) / z - shift * shift), n,
                "truncated normal");
  EXPECT_GE(nt.min, 8.0);
  EXPECT_LE(nt.max, 11.0);

  // expectedValue and variance are the log-normal values' own (heavier tail: 10 % on the variance)
  const Moments ln = MomentsOf(Column(sets, 3));
  EXPECT_NEAR(ln.mean, 5.0, 5.0 * std::sqrt(4.0 / static_cast<double>(n)));
  EXPECT_NEAR(ln.variance, 4.0, 0.4);
  EXPECT_GT(ln.min, 0.0);

  const std::vector<double> poisson = Column(sets, 4);
  ExpectMoments(MomentsOf(poisson), 3.5, 3.5, n, "poisson");
  for (double k : poisson) ASSERT_EQ(k, std::floor(k));

  // Poisson truncated to {2, 3, 4, 5}: the moments of the renormalised masses
  double mass = 0.0, m1 = 0.0, m2 = 0.0;
  for (int k = 2; k <= 5; ++k) {
    const double p = std::exp(-3.5) * std::pow(3.5, k) / std::tgamma(k + 1.0);
    mass += p;
    m1 += k * p;
    m2 += k * k * p;
  }
  const Moments pt = MomentsOf(Column(sets, 5));
  ExpectMoments(pt, m1 / mass, m2 / mass - (m1 / mass) * (m1 / mass), n, "truncated poisson");
  EXPECT_EQ(pt.min, 2.0);
  EXPECT_EQ(pt.max, 5.0);

  // histogram: 1/4 uniform on [0, 1), 3/4 uniform on [1, 3)
  const double hm = 0.25 * 0.5 + 0.75 * 2.0;
  const double hm2 = 0.25 * (1.0 / 3.0) + 0.75 * (13.0 / 3.0);
  const Moments h = MomentsOf(Column(sets, 6));
  ExpectMoments(h, hm, hm2 - hm * hm, n, "histogram");
  EXPECT_GE(h.min, 0.0);
  EXPECT_LE(h.max, 3.0);

  size_t vans = 0;
  for (const auto& s : sets) {
    ASSERT_TRUE(s[7].second == "car_blue" || s[7].second == "van_red") << s[7].second;
    vans += s[7].second == "van_red";
  }
  EXPECT_NEAR(static_cast<double>(vans) / static_cast<double>(n), 0.75,
              5.0 * std::sqrt(0.75 * 0.25 / static_cast<double>(n)));
}

TEST(StochasticDistributionTest, SetsAreDeterministicAndPerParameter) {
  const std::string one = Dist("speed", "<UniformDistribution><Range lowerLimit=\"10\" upperLimit=\"20\"/></UniformDistribution>");
  const std::string two = Dist("gap", "<NormalDistribution expectedValue=\"30\" variance=\"9\"/>");
  const std::string seeded = "numberOfTestRuns=\"50\" randomSeed=\"42\"";
  const auto a = LoadParameterDistribution(StochasticFile("det_a", one + two, seeded)).Sets();
  const auto again = LoadParameterDistribution(StochasticFile("det_a", one + two, seeded)).Sets();
  EXPECT_EQ(a, again);
  ASSERT_EQ(a.size(), 50u);
  // a parameter's draws do not depend on the other parameters
  const auto alone = LoadParameterDistribution(StochasticFile("det_b", one, seeded)).Sets();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(alone[i][0], a[i][0]);
  // another seed draws other values; no seed is seed 0
  const auto other = LoadParameterDistribution(StochasticFile("det_c", one, "numberOfTestRuns=\"50\" randomSeed=\"43\"")).Sets();
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += other[i][0] == a[i][0];
  EXPECT_EQ(same, 0u);
  const auto unseeded = LoadParameterDistribution(StochasticFile("det_d", one, "numberOfTestRuns=\"3\"")).Sets();
  const auto zero = LoadParameterDistribution(StochasticFile("det_e", one, "numberOfTestRuns=\"3\" randomSeed=\"0\"")).Sets();
  EXPECT_EQ(unseeded, zero);
  // the documented draw: the inverse CDF at StochasticUnit(seed, name, run)
  for (size_t r = 0; r < 50; ++r)
    EXPECT_EQ(a[r][0].second, openscenario::FormatNumber(10.0 + 10.0 * openscenario::StochasticUnit(42, "speed", r)));
  // the units are core::Rng's xoshiro256** (identical on every platform): pinned
  EXPECT_EQ(openscenario::FormatNumber(openscenario::StochasticUnit(42, "speed", 0)), "0.46495293426579903");
}

TEST(StochasticDistributionTest, DocumentedExampleFile) {
  // docs/openscenario.md shows this file's first set
  const auto d = LoadParameterDistribution(std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/cut-in_stochastic.xosc");
  const std::vector<ParameterSet> sets = d.Sets();
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0], (ParameterSet{{"EgoSpeed", "88.3293775698744"}, {"TargetVehicle", "car_red"},
                                   {"TargetSpeedFactor", "1.2306665843653877"}}));
  EXPECT_EQ(d.scenario_path.substr(d.scenario_path.size() - 12), "/cut-in.xosc");
}

TEST(StochasticDistributionTest, InverseCdfEdges) {
  openscenario::StochasticParameter p;
  p.kind = openscenario::StochasticParameter::Kind::kHistogram;
  p.bins = {{0.0, 1.0, 1.0}, {5.0, 6.0, 0.0}, {1.0, 3.0, 3.0}};
  EXPECT_DOUBLE_EQ(p.SampleNumber(0.125), 0.5);  // half way through the first quarter
  EXPECT_DOUBLE_EQ(p.SampleNumber(0.625), 2.0);  // half way through the rest (the empty bin skipped)
  EXPECT_LE(p.SampleNumber(1.0 - 1e-16), 3.0);
  p = {};
  p.kind = openscenario::StochasticParameter::Kind::kPoisson;
  p.mean = 2.0;
  const double p0 = std::exp(-2.0), p1 = 2.0 * p0;
  EXPECT_EQ(p.SampleNumber(p0 * 0.99), 0.0);
  EXPECT_EQ(p.SampleNumber(p0 * 1.01), 1.0);
  EXPECT_EQ(p.SampleNumber((p0 + p1) * 1.001), 2.0);
  p = {};
  p.kind = openscenario::StochasticParameter::Kind::kSet;
  p.elements = {{"a", 1.0}, {"b", 0.0}, {"c", 1.0}};
  EXPECT_EQ(p.Sample(0.49), "a");
  EXPECT_EQ(p.Sample(0.51), "c");
  p = {};
  p.kind = openscenario::StochasticParameter::Kind::kNormal;
  p.mean = 1.0;
  p.variance = 4.0;
  EXPECT_NEAR(p.SampleNumber(0.5), 1.0, 1e-12);
  EXPECT_NEAR(p.SampleNumber(Phi(1.0)), 3.0, 1e-9);
  p.kind = openscenario::StochasticParameter::Kind::kLogNormal;  // median exp(mu), mu = ln m - s^2 / 2
  p.mean = 5.0;
  p.variance = 4.0;
  EXPECT_NEAR(p.SampleNumber(0.5), 5.0 / std::sqrt(1.0 + 4.0 / 25.0), 1e-9);
}

/// Expects the call to throw a core::InputError holding each of `expected`.
void ExpectErrors(const std::string& path, const std::vector<std::string>& expected) {
  const std::string what = InputErrors([&] { (void)LoadParameterDistribution(path); });
  for (const auto& x : expected) EXPECT_NE(what.find(x), std::string::npos) << "missing: " << x << "\nin:\n" << what;
}

TEST(StochasticDistributionTest, MalformedElementsAreErrorsAtTheirPlace) {
  const std::string normal = Dist("x", "<NormalDistribution expectedValue=\"1\" variance=\"1\"/>");
  ExpectErrors(StochasticFile("bad_runs", normal, "numberOfTestRuns=\"0\""),
               {"bad_runs.xosc:6:1: error: Stochastic: numberOfTestRuns = '0' is not an integer from 1 to 100000"});
  ExpectErrors(StochasticFile("no_runs", normal, "randomSeed=\"x\""),
               {"no_runs.xosc:6:1: error: Stochastic needs the attribute 'numberOfTestRuns'",
                "no_runs.xosc:6:1: error: Stochastic: attribute 'randomSeed' = 'x' is not a number"});
  ExpectErrors(StochasticFile("empty", ""), {"empty.xosc:6:1: error: Stochastic needs at least one StochasticDistribution"});
  ExpectErrors(
      StochasticFile(
          "kinds",
          Dist("a", "<UserDefinedDistribution type=\"x\">1</UserDefinedDistribution>") +                        // 7
              Dist("b", "<NormalDistribution expectedValue=\"1\" variance=\"0\"/>") +                            // 8
              Dist("c", "<UniformDistribution/>") +                                                              // 9
              Dist("d", "<UniformDistribution><Range lowerLimit=\"3\" upperLimit=\"1\"/></UniformDistribution>") +  // 10
              Dist("e", "<LogNormalDistribution expectedValue=\"-1\" variance=\"1\"/>") +                        // 11
              Dist("f", "<PoissonDistribution expectedValue=\"0\"/>") +                                          // 12
              Dist("g", "<Histogram><HistogramBin weight=\"1\"/></Histogram>") +                                 // 13
              Dist("h", "<ProbabilityDistributionSet/>") +                                                       // 14
              Dist("i", "<Wobble/>") +                                                                           // 15
              Dist("j", "") +                                                                                    // 16
              Dist("a", "<NormalDistribution expectedValue=\"1\" variance=\"1\"/><NormalDistribution "
                        "expectedValue=\"1\" variance=\"1\"/>") +  // 17
              Dist("k", "<PoissonDistribution expectedValue=\"2\"><Range lowerLimit=\"1e6\" upperLimit=\"2e6\"/>"
                        "</PoissonDistribution>") +  // 18
              Dist("l", "<ProbabilityDistributionSet><Element value=\"q\" weight=\"-1\"/></ProbabilityDistributionSet>") +  // 19
              "<StochasticDistribution><NormalDistribution expectedValue=\"1\" variance=\"1\"/></StochasticDistribution>\n"),  // 20
      {"kinds.xosc:7:43: error: UserDefinedDistribution is not supported",
       "kinds.xosc:8:43: error: NormalDistribution needs variance > 0",
       "kinds.xosc:9:43: error: UniformDistribution needs a Range",
       "kinds.xosc:10:64: error: Range needs lowerLimit <= upperLimit",
       "kinds.xosc:11:43: error: LogNormalDistribution needs expectedValue > 0",
       "kinds.xosc:12:43: error: PoissonDistribution needs 0 < expectedValue <= 100000",
       "kinds.xosc:13:54: error: HistogramBin needs a Range",
       "kinds.xosc:14:43: error: ProbabilityDistributionSet needs at least one Element",
       "kinds.xosc:15:43: error: Wobble is not supported in StochasticDistribution; supported: UniformDistribution",
       "kinds.xosc:16:1: error: StochasticDistribution needs a distribution",
       "kinds.xosc:17:1: error: parameter 'a' has a StochasticDistribution already (at ",
       "StochasticDistribution holds one distribution; this is a second one",
       "kinds.xosc:18:82: error: PoissonDistribution's Range holds no integer of positive probability",
       "kinds.xosc:19:71: error: Element needs weight >= 0",
       "kinds.xosc:20:1: error: StochasticDistribution needs the attribute 'parameterName'"});
  const std::string both = WriteXosc(
      "both", "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<ParameterValueDistribution>\n<ScenarioFile filepath=\"s.xosc\"/>\n"
              "<Deterministic/>\n<Stochastic numberOfTestRuns=\"2\">\n</Stochastic>\n</ParameterValueDistribution>\n"
              "</OpenSCENARIO>\n");
  ExpectErrors(both, {"both.xosc:6:1: error: ParameterValueDistribution holds either a Deterministic or a Stochastic"});
  const std::string neither = WriteXosc(
      "neither", "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<ParameterValueDistribution>\n<ScenarioFile filepath=\"s.xosc\"/>\n"
                 "</ParameterValueDistribution>\n</OpenSCENARIO>\n");
  ExpectErrors(neither,
               {"neither.xosc:3:1: error: ParameterValueDistribution needs a Deterministic or a Stochastic distribution"});
}

}  // namespace
}  // namespace gauntlet::test
