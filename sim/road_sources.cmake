# Road and lane-graph sources of gauntlet::sim (owned by the roads engineer), relative to sim/.
# sim/CMakeLists.txt includes this file and adds the list to the gauntlet_sim library, which must
# link Boost::graph (the lane graph).
set(GAUNTLET_SIM_ROAD_SOURCES
  road_network.cc
)
