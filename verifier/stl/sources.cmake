# STL parsing and monitoring (included by verifier/CMakeLists.txt; paths relative to verifier/).
list(APPEND GAUNTLET_VERIFIER_STL_SOURCES
  stl/expression.cc
  stl/formula.cc
  stl/internal/engine.cc
  stl/internal/interval.cc
  stl/internal/parser.cc
  stl/monitor.cc
  stl/online_monitor.cc
)
