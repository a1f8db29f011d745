#include "scenarios/generators/generator_spec.h"

#include <gtest/gtest.h>

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;

ParameterSpace Space() {
  ParameterSpace space;
  space.parameters = {{.name = "a", .kind = Kind::kUniform, .lo = 0, .hi = 1},
                      {.name = "b", .kind = Kind::kRange, .lo = 0, .hi = 4, .step = 1}};
  return space;
}

// A minimal archive recording the field list, to check Serialize names every field.
struct NameArchive {
  std::vector<std::string> names;
  std::vector<bool> required;
  template <class T>
  void Visit(std::string_view name, T*, core::FieldPresence presence = core::kOptional) {
    names.emplace_back(name);
    required.push_back(presence == core::kRequired);
  }
};

TEST(GeneratorSpecTest, FieldsAndKindNames) {
  GeneratorSpec spec;
  NameArchive archive;
  spec.Serialize(&archive);
  EXPECT_EQ(archive.names,
            (std::vector<std::string>{"kind", "count", "levels", "corner_budget", "inside_fraction", "population",
                                      "restarts", "sigma", "stop_at_violation", "shrink", "shrink_budget",
                                      "requirement", "stop_below_rate", "stop_on_failure"}));
  EXPECT_TRUE(archive.required[0]);
  std::vector<std::string> names;
  for (const auto& e : EnumNames(GeneratorKind{})) names.emplace_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"grid", "uniform", "sobol", "latin_hypercube", "edge_cases", "cma_es",
                                             "cross_entropy", "bayesian"}));
  EXPECT_EQ(KindName(GeneratorKind::kLatinHypercube), "latin_hypercube");
  EXPECT_EQ(ToSearchOptions({.kind = GeneratorKind::kCmaEs, .count = 5}).method, SearchMethod::kCmaEs);
  EXPECT_EQ(ToSearchOptions({.kind = GeneratorKind::kCrossEntropy, .count = 5}).method, SearchMethod::kCrossEntropy);
  EXPECT_EQ(ToSearchOptions({.kind = GeneratorKind::kBayesian, .count = 5}).method, SearchMethod::kBayesian);
  EXPECT_TRUE(IsAdaptive(GeneratorKind::kBayesian));
}

TEST(GeneratorSpecTest, CheckReportsFieldPaths) {
  GeneratorSpec spec{.kind = GeneratorKind::kSobol, .count = 0, .levels = 0, .inside_fraction = 0.7};
  const auto errors = CheckGeneratorSpec(spec);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path, "count");
  EXPECT_EQ(errors[0].message, "generator 'sobol' needs a count > 0");
  EXPECT_EQ(errors[1].path, "levels");
  EXPECT_EQ(errors[2].path, "inside_fraction");
  EXPECT_EQ(errors[2].message, "inside_fraction must be in (0, 0.5)");
  EXPECT_TRUE(CheckGeneratorSpec({.kind = GeneratorKind::kEdgeCases}).empty());
  const auto huge = CheckGeneratorSpec({.kind = GeneratorKind::kUniform, .count = 20000000});
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge[0].message, "count must be at most 10000000");
}

TEST(GeneratorSpecTest, AFieldTheKindDoesNotUseIsAnError) {
  const auto sigma = CheckGeneratorSpec({.kind = GeneratorKind::kBayesian, .count = 50, .sigma = 0.1});
  ASSERT_EQ(sigma.size(), 1u);
  EXPECT_EQ(sigma[0].path, "sigma");
  EXPECT_EQ(sigma[0].message, "'sigma' has no effect on a 'bayesian' generator (it applies to cma_es and cross_entropy)");
  const auto uniform =
      CheckGeneratorSpec({.kind = GeneratorKind::kUniform, .count = 10, .levels = 5, .shrink = false, .requirement = "r"});
  ASSERT_EQ(uniform.size(), 3u);
  EXPECT_EQ(uniform[0].path, "levels");
  EXPECT_EQ(uniform[0].message, "'levels' has no effect on a 'uniform' generator (it applies to grid)");
  EXPECT_EQ(uniform[1].path, "shrink");
  EXPECT_EQ(uniform[2].path, "requirement");
  const auto edges = CheckGeneratorSpec({.kind = GeneratorKind::kEdgeCases, .count = 5});
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].path, "count");
  const auto search = CheckGeneratorSpec({.kind = GeneratorKind::kCmaEs, .count = 5, .stop_on_failure = true});
  ASSERT_EQ(search.size(), 1u);
  EXPECT_EQ(search[0].message,
            "'stop_on_failure' has no effect on a 'cma_es' generator (it applies to grid, uniform, sobol, "
            "latin_hypercube and edge_cases; a search has stop_at_violation)");
  // every field where it applies: no error
  EXPECT_TRUE(CheckGeneratorSpec({.kind = GeneratorKind::kGrid, .count = 100, .levels = 4, .stop_below_rate = 0.01}).empty());
  EXPECT_TRUE(CheckGeneratorSpec({.kind = GeneratorKind::kEdgeCases, .corner_budget = 8, .inside_fraction = 0.05,
                                  .stop_on_failure = true})
                  .empty());
  EXPECT_TRUE(CheckGeneratorSpec({.kind = GeneratorKind::kCrossEntropy, .count = 9, .population = 12, .restarts = 2,
                                  .sigma = 0.2, .stop_at_violation = false, .shrink = false, .shrink_budget = 5,
                                  .requirement = "r"})
                  .empty());
}

TEST(GeneratorSpecTest, PlanConcatenatesInOrderAndSkipsSearch) {
  const ParameterSpace space = Space();
  const std::vector<GeneratorSpec> specs = {{.kind = GeneratorKind::kEdgeCases},
                                            {.kind = GeneratorKind::kCmaEs, .count = 100},
                                            {.kind = GeneratorKind::kSobol, .count = 16},
                                            {.kind = GeneratorKind::kGrid, .levels = 2}};
  const auto plan = Plan(space, specs, 42);
  const auto edges = PlanOne(space, specs[0], 0, 42);
  ASSERT_EQ(plan.size(), edges.size() + 16 + 10);
  EXPECT_EQ(plan.front().label, "nominal");
  EXPECT_EQ(plan.front().generator, 0u);
  EXPECT_EQ(plan[edges.size()].label, "sobol");
  EXPECT_EQ(plan[edges.size()].generator, 2u);
  EXPECT_EQ(plan.back().generator, 3u);
  EXPECT_EQ(plan, Plan(space, specs, 42));
  EXPECT_NE(plan, Plan(space, specs, 43));
  // a generator's points do not depend on the others
  const auto alone = PlanOne(space, specs[2], 2, 42);
  EXPECT_EQ(std::vector<PlannedPoint>(plan.begin() + static_cast<long>(edges.size()),
                                      plan.begin() + static_cast<long>(edges.size()) + 16),
            alone);
  ParameterSpace wide;
  for (int i = 0; i < 1025; ++i) wide.parameters.push_back({.name = "p" + std::to_string(i), .lo = 0, .hi = 1});
  try {
    (void)PlanOne(wide, {.kind = GeneratorKind::kSobol, .count = 4, .pos = {"s.yaml", 8, 7}}, 0, 1);
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:8:7: error: a sobol generator takes at most 1024 varying parameters "
                 "(this scenario has 1025)");
  }
  const StoppingRule rule =
      ToStoppingRule({.kind = GeneratorKind::kUniform, .count = 10, .stop_below_rate = 0.01, .stop_on_failure = true});
  EXPECT_EQ(rule.target_upper, 0.01);
  EXPECT_TRUE(rule.stop_on_failure);
  const SearchOptions options = ToSearchOptions(specs[1]);
  EXPECT_EQ(options.budget, 100u);
  EXPECT_EQ(options.method, SearchMethod::kCmaEs);
}

}  // namespace
}  // namespace gauntlet::scenarios
