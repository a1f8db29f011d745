# The fuzz targets: one gauntlet_fuzzer(<name> LIBS <targets...> [SOURCES <extra sources...>]) per
# fuzz/fuzz_<name>.cc. Included by fuzz/CMakeLists.txt (libFuzzer binaries, GAUNTLET_FUZZ=ON) and by
# tests/fuzz/CMakeLists.txt (the same entry points built without libFuzzer, fed every file of
# fuzz/corpus/<name> and fuzz/regressions/<name> as a ctest), each defining gauntlet_fuzzer its way.
gauntlet_fuzzer(trace_csv LIBS gauntlet::core)
gauntlet_fuzzer(nnet LIBS gauntlet::models)
gauntlet_fuzzer(onnx LIBS gauntlet::models)
gauntlet_fuzzer(stl_formula LIBS gauntlet::verifier)
gauntlet_fuzzer(scenario_yaml LIBS gauntlet::scenarios)
gauntlet_fuzzer(suite_yaml LIBS gauntlet::scenarios)
gauntlet_fuzzer(gate_policy LIBS gauntlet::gate)
gauntlet_fuzzer(results_line LIBS gauntlet::scenarios)
# the run.json reader lives in the app library (app/run_files)
gauntlet_fuzzer(run_manifest LIBS gauntlet::app nlohmann_json::nlohmann_json)
gauntlet_fuzzer(vnnlib LIBS gauntlet::verifier)
gauntlet_fuzzer(opendrive LIBS gauntlet::opendrive)
gauntlet_fuzzer(openscenario LIBS gauntlet::openscenario)
