// Evaluations to the first violation: adversarial search (CMA-ES, cross-entropy) against uniform
// random and scrambled Sobol sampling, on synthetic robustness functions whose failure region is
// under 1% of the parameter box. Prints the median over 10 seeds and the ratio random / search.
//
//   build/bench/generators/generators_bench

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "scenarios/generators/adversarial_search.h"
#include "scenarios/generators/samplers.h"

namespace {

using gauntlet::scenarios::BatchEvaluator;
using gauntlet::scenarios::Parameter;
using gauntlet::scenarios::ParameterSpace;
using gauntlet::scenarios::PlannedPoint;
using gauntlet::scenarios::RunSearch;
using gauntlet::scenarios::SearchMethod;
using Robustness = std::function<double(const std::vector<double>&)>;

struct Problem {
  std::string name;
  ParameterSpace space;
  Robustness f;
  double volume;  // of the failure region, as a fraction of the box
};

ParameterSpace UnitBox(size_t k) {
  ParameterSpace space;
  for (size_t i = 0; i < k; ++i) {
    space.parameters.push_back({.name = "x" + std::to_string(i), .kind = Parameter::Kind::kUniform, .lo = 0, .hi = 1});
  }
  return space;
}

std::vector<Problem> Problems() {
  std::vector<Problem> out;
  // a ball of radius 0.12 off centre in 3-D: 0.72%
  out.push_back({"ball_3d", UnitBox(3),
                 [](const std::vector<double>& x) {
                   const double c[3] = {0.83, 0.21, 0.68};
                   double d = 0;
                   for (int i = 0; i < 3; ++i) d += (x[i] - c[i]) * (x[i] - c[i]);
                   return std::sqrt(d) - 0.12;
                 },
                 4.0 / 3.0 * M_PI * 0.12 * 0.12 * 0.12});
  // a ball of radius 0.06 in 3-D: 0.09%
  out.push_back({"small_ball_3d", UnitBox(3),
                 [](const std::vector<double>& x) {
                   const double c[3] = {0.27, 0.74, 0.12};
                   double d = 0;
                   for (int i = 0; i < 3; ++i) d += (x[i] - c[i]) * (x[i] - c[i]);
                   return std::sqrt(d) - 0.06;
                 },
                 4.0 / 3.0 * M_PI * 0.06 * 0.06 * 0.06});
  // a corner box in 5-D (x0 small, x1 large, ...): 0.35^5 = 0.53%
  out.push_back({"corner_5d", UnitBox(5),
                 [](const std::vector<double>& x) {
                   double r = -1e9;
                   for (size_t i = 0; i < 5; ++i) r = std::max(r, (i % 2 == 0 ? x[i] - 0.35 : 0.65 - x[i]));
                   return r;
                 },
                 std::pow(0.35, 5)});
  // a thin failing slab with a bumpy robustness (local minima) in 4-D: about 0.4% (estimated)
  out.push_back({"bumpy_slab_4d", UnitBox(4),
                 [](const std::vector<double>& x) {
                   const double s = 0.6 * x[0] + 0.8 * x[1];  // in [0, 1.4]
                   const double bumps = 0.05 * std::sin(20.0 * x[2]) * std::sin(17.0 * x[3]);
                   return std::fabs(s - 1.1) - 0.004 + bumps * bumps;
                 },
                 0.0});
  return out;
}

size_t FirstFailure(const std::vector<PlannedPoint>& points, const Robustness& f) {
  for (size_t i = 0; i < points.size(); ++i) {
    if (f(points[i].values) < 0.0) return i + 1;
  }
  return points.size() + 1;  // not found: counted as one past the budget
}

size_t Median(std::vector<size_t> v) {
  std::sort(v.begin(), v.end());
  return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main() {
  const size_t budget = 20000;
  const size_t bayes_budget = 2000;  // its cost per point grows with the points known (see the end)
  std::printf("%-15s %8s %10s %10s %10s %10s %10s %9s %9s %9s\n", "problem", "volume", "uniform", "sobol", "cma_es",
              "cross_ent", "bayesian", "uni/cma", "uni/ce", "uni/bayes");
  for (const Problem& problem : Problems()) {
    double volume = problem.volume;
    if (volume == 0.0) {  // estimate with many Sobol points
      const auto points = gauntlet::scenarios::SobolPoints(problem.space, 1 << 20, 99);
      size_t failing = 0;
      for (const auto& p : points) failing += problem.f(p.values) < 0.0;
      volume = static_cast<double>(failing) / static_cast<double>(points.size());
    }
    std::vector<size_t> uniform, sobol, cma, ce, bayes;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      uniform.push_back(FirstFailure(gauntlet::scenarios::UniformPoints(problem.space, budget, seed), problem.f));
      sobol.push_back(FirstFailure(gauntlet::scenarios::SobolPoints(problem.space, budget, seed), problem.f));
      const BatchEvaluator evaluate = [&](const std::vector<std::vector<double>>& points) {
        std::vector<double> r;
        for (const auto& p : points) r.push_back(problem.f(p));
        return r;
      };
      for (auto [method, out] : {std::pair{SearchMethod::kCmaEs, &cma}, std::pair{SearchMethod::kCrossEntropy, &ce}}) {
        const auto result = RunSearch(problem.space, {.method = method, .budget = budget}, seed, evaluate);
        out->push_back(result.violation_found ? result.first_violation + 1 : budget + 1);
      }
      const auto result = RunSearch(problem.space, {.method = SearchMethod::kBayesian, .budget = bayes_budget}, seed, evaluate);
      bayes.push_back(result.violation_found ? result.first_violation + 1 : budget + 1);
    }
    const size_t mu = Median(uniform), ms = Median(sobol), mc = Median(cma), me = Median(ce), mb = Median(bayes);
    std::printf("%-15s %7.3f%% %10zu %10zu %10zu %10zu %10zu %9.1f %9.1f %9.1f\n", problem.name.c_str(), 100.0 * volume,
                mu, ms, mc, me, mb, static_cast<double>(mu) / static_cast<double>(mc),
                static_cast<double>(mu) / static_cast<double>(me), static_cast<double>(mu) / static_cast<double>(mb));
  }
  std::printf("median evaluations to the first violation over 10 seeds (budget %zu, bayesian %zu; not found counts "
              "as budget + 1)\n",
              budget, bayes_budget);
  // what choosing the points costs, per evaluation, with no violation to stop at (5 parameters)
  for (SearchMethod method : {SearchMethod::kCmaEs, SearchMethod::kBayesian}) {
    for (size_t n : {100u, 1000u}) {
      const auto start = std::chrono::steady_clock::now();
      (void)RunSearch(UnitBox(5), {.method = method, .budget = n, .stop_at_violation = false}, 1,
                      [](const std::vector<std::vector<double>>& points) {
                        std::vector<double> r;
                        for (const auto& p : points) r.push_back(1.0 + p[0] * p[0] + p[1]);
                        return r;
                      });
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%s, %zu evaluations: %.3f ms of search per evaluation\n",
                  method == SearchMethod::kCmaEs ? "cma_es" : "bayesian", n, 1e3 * s / static_cast<double>(n));
    }
  }
  return 0;
}
