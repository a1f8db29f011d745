# Sources of the formal part of gauntlet::verifier (paths relative to verifier/).
list(APPEND GAUNTLET_VERIFIER_FORMAL_SOURCES
  formal/bounds.cc
  formal/branch_and_bound.cc
  formal/checks.cc
  formal/graph_lowering.cc
  formal/network.cc
  formal/vnnlib.cc
)
