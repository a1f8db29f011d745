#include "scenarios/generators/adversarial_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;

ParameterSpace Box(size_t k, double lo, double hi) {
  ParameterSpace space;
  for (size_t i = 0; i < k; ++i) {
    space.parameters.push_back({.name = "x" + std::to_string(i), .kind = Kind::kUniform, .lo = lo, .hi = hi});
  }
  return space;
}

// Evaluates point by point with `f`, in reverse order, to show order does not matter.
BatchEvaluator Pointwise(std::function<double(const std::vector<double>&)> f) {
  return [f](const std::vector<std::vector<double>>& points) {
    std::vector<double> out(points.size());
    for (size_t i = points.size(); i-- > 0;) out[i] = f(points[i]);
    return out;
  };
}

double Sphere(const std::vector<double>& x) {
  double s = 0.0;
  for (size_t i = 0; i < x.size(); ++i)
    s += (x[i] - 0.1 * static_cast<double>(i + 1)) * (x[i] - 0.1 * static_cast<double>(i + 1));
  return s;
}

double Rosenbrock(const std::vector<double>& x) {
  double s = 0.0;
  for (size_t i = 0; i + 1 < x.size(); ++i) s += 100.0 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1.0 - x[i], 2);
  return s;
}

// A failure region of volume 4/3 pi 0.12^3 = 0.72% of the unit cube, off centre.
double SmallRegion(const std::vector<double>& x) {
  const double c[3] = {0.83, 0.21, 0.68};
  double d = 0.0;
  for (int i = 0; i < 3; ++i) d += (x[i] - c[i]) * (x[i] - c[i]);
  return std::sqrt(d) - 0.12;
}

TEST(AdversarialSearchTest, CmaEsMinimisesSphere) {
  for (size_t k : {2u, 5u}) {
    const SearchResult r = RunSearch(Box(k, -1, 1), {.budget = 3000}, 1, Pointwise(Sphere));
    EXPECT_LT(r.best_robustness, 1e-10) << k;
    EXPECT_FALSE(r.violation_found);
    EXPECT_EQ(r.evaluations.size(), 3000u);
  }
}

TEST(AdversarialSearchTest, CmaEsMinimisesRosenbrock) {
  for (size_t k : {2u, 3u, 5u}) {
    const SearchResult r = RunSearch(Box(k, -2, 2), {.budget = 20000}, 3, Pointwise(Rosenbrock));
    EXPECT_LT(r.best_robustness, 1e-6) << k;
    for (double v : r.evaluations[r.best].values) EXPECT_NEAR(v, 1.0, 1e-2) << k;
  }
}

TEST(AdversarialSearchTest, CrossEntropyMinimisesSphereAndRosenbrock) {
  const SearchResult sphere =
      RunSearch(Box(4, -1, 1), {.method = SearchMethod::kCrossEntropy, .budget = 5000}, 1, Pointwise(Sphere));
  EXPECT_LT(sphere.best_robustness, 1e-8);
  const SearchResult rosen =
      RunSearch(Box(2, -2, 2), {.method = SearchMethod::kCrossEntropy, .budget = 20000}, 1, Pointwise(Rosenbrock));
  EXPECT_LT(rosen.best_robustness, 1e-3);
}

TEST(AdversarialSearchTest, FindsASmallFailureRegionQuickly) {
  for (SearchMethod method : {SearchMethod::kCmaEs, SearchMethod::kCrossEntropy, SearchMethod::kBayesian}) {
    std::vector<size_t> needed;
    for (uint64_t seed = 0; seed < 10; ++seed) {
      const SearchResult r = RunSearch(Box(3, 0, 1), {.method = method, .budget = 2000}, seed, Pointwise(SmallRegion));
      ASSERT_TRUE(r.violation_found) << seed;
      EXPECT_LT(SmallRegion(r.evaluations[r.first_violation].values), 0.0);
      // stops after the batch that found it
      EXPECT_LT(r.evaluations.size() - r.first_violation, 200u);
      needed.push_back(r.first_violation + 1);
    }
    std::sort(needed.begin(), needed.end());
    // uniform sampling needs 1 / 0.0072 = 138 evaluations on average
    EXPECT_LT(needed[5], method == SearchMethod::kBayesian ? 40u : 100u) << static_cast<int>(method);
  }
}

TEST(AdversarialSearchTest, BayesianStartsFromALatinHypercubeAndAsksInBatches) {
  const ParameterSpace space = Box(3, 0, 1);
  AdversarialSearch search(space, {.method = SearchMethod::kBayesian, .budget = 30, .stop_at_violation = false}, 3);
  const auto design = search.Ask();
  ASSERT_EQ(design.size(), 8u);  // max(batch 4, 2 n + 2)
  for (size_t i = 0; i < 3; ++i) {  // one point in each eighth of every parameter's range
    std::vector<int> strata(8, 0);
    for (const auto& p : design) ++strata[static_cast<size_t>(p[i] * 8)];
    EXPECT_EQ(strata, std::vector<int>(8, 1)) << i;
  }
  search.Tell(std::vector<double>(8, 1.0));  // a flat start: the model must not fail on it
  size_t asked = 8;
  while (!search.done()) {
    const auto batch = search.Ask();
    EXPECT_LE(batch.size(), 4u);
    std::vector<double> r;
    for (const auto& p : batch) r.push_back(SmallRegion(p));
    search.Tell(r);
    asked += batch.size();
  }
  EXPECT_EQ(asked, 30u);
  EXPECT_EQ(search.result().restarts, 0u);
}

TEST(AdversarialSearchTest, BayesianConvergesOnASmoothMinimum) {
  // a bowl whose minimum value is 0.01 at an off-centre point: the search gets within 0.02 of it
  const auto f = [](const std::vector<double>& x) { return Sphere(x) + 0.01; };
  const SearchResult r = RunSearch(Box(3, -1, 1), {.method = SearchMethod::kBayesian, .budget = 80}, 1, Pointwise(f));
  EXPECT_LT(r.best_robustness, 0.03);
  EXPECT_FALSE(r.violation_found);
  EXPECT_EQ(r.evaluations.size(), 80u);
}

TEST(AdversarialSearchTest, DeterministicForAnyEvaluationOrder) {
  const ParameterSpace space = Box(3, 0, 1);
  for (SearchMethod method : {SearchMethod::kCmaEs, SearchMethod::kCrossEntropy, SearchMethod::kBayesian}) {
    const size_t budget = method == SearchMethod::kBayesian ? 100 : 600;
    const SearchOptions options{.method = method, .budget = budget, .stop_at_violation = false};
    const SearchResult a = RunSearch(space, options, 9, Pointwise(SmallRegion));
    // parallel, each point on its own thread, written back by index
    const SearchResult b = RunSearch(space, options, 9, [](const std::vector<std::vector<double>>& points) {
      std::vector<double> out(points.size());
      std::vector<std::thread> threads;
      for (size_t i = 0; i < points.size(); ++i) threads.emplace_back([&, i] { out[i] = SmallRegion(points[i]); });
      for (auto& t : threads) t.join();
      return out;
    });
    EXPECT_EQ(a.evaluations, b.evaluations);
    EXPECT_EQ(a.best, b.best);
    const SearchResult c = RunSearch(space, options, 10, Pointwise(SmallRegion));
    EXPECT_NE(a.evaluations, c.evaluations);
  }
}

TEST(AdversarialSearchTest, AskTellMatchesTheDriver) {
  const ParameterSpace space = Box(2, 0, 1);
  const SearchOptions options{.budget = 333};
  AdversarialSearch search(space, options, 5);
  while (!search.done()) {
    const auto batch = search.Ask();
    std::vector<double> r;
    for (const auto& p : batch) r.push_back(Sphere(p));
    search.Tell(r);
  }
  EXPECT_EQ(search.result().evaluations, RunSearch(space, options, 5, Pointwise(Sphere)).evaluations);
  EXPECT_EQ(search.result().evaluations.size(), 333u);
  EXPECT_TRUE(search.Ask().empty());
}

TEST(AdversarialSearchTest, NanIsNeverBestAndRestartsHappen) {
  const ParameterSpace space = Box(2, 0, 1);
  // errors in half of the box; a plateau elsewhere forces restarts
  const auto f = [](const std::vector<double>& x) {
    if (x[0] < 0.5) return std::nan("");
    return std::max(0.0, std::fabs(x[1] - 0.3) - 0.001) + 1.0;
  };
  const SearchResult r = RunSearch(space, {.budget = 4000, .max_restarts = 3}, 2, Pointwise(f));
  EXPECT_FALSE(std::isnan(r.best_robustness));
  EXPECT_FALSE(std::isnan(r.evaluations[r.best].robustness));
  EXPECT_EQ(r.best_robustness, 1.0);
  EXPECT_GE(r.restarts, 1u);
  EXPECT_LE(r.restarts, 3u);
  if (r.evaluations.size() < 4000) {  // ended early: only when the last allowed run converged
    EXPECT_EQ(r.restarts, 3u);
  }
  // the Bayesian model takes errors as the worst score seen: it still finds the valley
  const SearchResult b = RunSearch(space, {.method = SearchMethod::kBayesian, .budget = 60}, 2, Pointwise(f));
  EXPECT_FALSE(std::isnan(b.best_robustness));
  EXPECT_LT(b.best_robustness, 1.02);
  size_t errors = 0;
  for (const auto& e : b.evaluations) errors += std::isnan(e.robustness) ? 1 : 0;
  EXPECT_LT(errors, 30u);  // it learns to stay out of the erroring half
}

TEST(AdversarialSearchTest, DiscreteParametersAreRoundedAndSearched) {
  ParameterSpace space;
  space.parameters = {{.name = "lanes", .kind = Kind::kChoice, .choices = {2, 3, 4, 5}},
                      {.name = "speed", .kind = Kind::kRange, .lo = 0, .hi = 40, .step = 5},
                      {.name = "fixed", .kind = Kind::kConstant, .nominal = 1},
                      {.name = "noise", .kind = Kind::kUniform, .lo = -1, .hi = 1, .perturbation = true}};
  const auto f = [](const std::vector<double>& x) {
    return std::fabs(x[0] - 4) + std::fabs(x[1] - 25) / 5 + std::fabs(x[2] - 1) + std::fabs(x[3] - 0.5) - 0.05;
  };
  for (SearchMethod method : {SearchMethod::kCmaEs, SearchMethod::kCrossEntropy, SearchMethod::kBayesian}) {
    const SearchResult r = RunSearch(space, {.method = method, .budget = method == SearchMethod::kBayesian ? 300u : 3000u}, 4, Pointwise(f));
    ASSERT_TRUE(r.violation_found);
    const auto& v = r.evaluations[r.first_violation].values;
    EXPECT_EQ(v[0], 4);
    EXPECT_EQ(v[1], 25);
    EXPECT_EQ(v[2], 1);
    EXPECT_NEAR(v[3], 0.5, 0.05);
    for (const auto& e : r.evaluations) {
      EXPECT_TRUE(e.values[0] == 2 || e.values[0] == 3 || e.values[0] == 4 || e.values[0] == 5);
      EXPECT_EQ(std::fmod(e.values[1], 5.0), 0.0);
    }
  }
}

TEST(AdversarialSearchTest, NoFreeParameterEvaluatesNominalOnce) {
  ParameterSpace space;
  space.parameters = {{.name = "c", .kind = Kind::kConstant, .nominal = 3}};
  for (SearchMethod method : {SearchMethod::kCmaEs, SearchMethod::kCrossEntropy, SearchMethod::kBayesian}) {
    const SearchResult r =
        RunSearch(space, {.method = method, .budget = 50}, 1, Pointwise([](const auto& x) { return x[0]; }));
    ASSERT_EQ(r.evaluations.size(), 1u);
    EXPECT_EQ(r.evaluations[0].values, std::vector<double>{3});
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
