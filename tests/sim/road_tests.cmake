# Road and lane-graph tests (owned by the roads engineer); included by tests/sim/CMakeLists.txt.
gauntlet_test(road_network_test LABEL unit SOURCES road_network_test.cc LIBS gauntlet::sim)
