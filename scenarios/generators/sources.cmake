# The scenario generators: parameter spaces, sampling, edge cases, adversarial search, shrinking,
# coverage and statistics. Included from scenarios/CMakeLists.txt; paths relative to scenarios/.
set(GAUNTLET_SCENARIOS_GENERATOR_SOURCES
  parameter_space.cc
  generators/adversarial_search.cc
  generators/counterexample_shrinking.cc
  generators/coverage.cc
  generators/covering_array.cc
  generators/gaussian_process.cc
  generators/generator_spec.cc
  generators/samplers.cc
  generators/sobol_sequence.cc
  generators/statistics.cc
)
# A library of its own, so it builds and tests apart from the rest of scenarios/ (which links it).
list(TRANSFORM GAUNTLET_SCENARIOS_GENERATOR_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/../
     OUTPUT_VARIABLE _gauntlet_generator_paths)
add_library(gauntlet_scenario_generators STATIC ${_gauntlet_generator_paths})
add_library(gauntlet::scenario_generators ALIAS gauntlet_scenario_generators)
target_link_libraries(gauntlet_scenario_generators PUBLIC gauntlet::core Eigen3::Eigen)
