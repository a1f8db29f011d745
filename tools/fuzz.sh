#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan + UBSan) in build-fuzz and runs each for N seconds.
#
#   tools/fuzz.sh            # 60 s per target
#   tools/fuzz.sh 600        # 10 minutes per target
#   FUZZ_PARALLEL=2 FUZZ_TARGETS="onnx nnet" tools/fuzz.sh 30
#
# Each target starts from its seed corpus fuzz/corpus/<target>/ and the regression inputs in
# fuzz/regressions/<target>/ (read-only), and grows a working corpus in build-fuzz/corpus/<target>/.
# Crash, timeout (-timeout=10), leak and OOM (-rss_limit_mb=2048) inputs land in
# build-fuzz/artifacts/<target>/, the log in build-fuzz/logs/<target>/fuzz-0.log. Prints executions and crashes per target; exits 1 on any crash.
# Targets: every build-fuzz/fuzz/fuzz_* (trace_csv nnet onnx stl_formula scenario_yaml suite_yaml vnnlib
# gate_policy run_manifest results_line opendrive
# openscenario); seeds of gate_policy come from configs/ and tests/gate/testdata.
# At most FUZZ_PARALLEL (default 2) fuzzers run at once, each with -jobs=1.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
PARALLEL="${FUZZ_PARALLEL:-2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"

mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DGAUNTLET_FUZZ=ON -DGAUNTLET_BUILD_TESTS=OFF -DGAUNTLET_BUILD_BENCH=OFF >"$BUILD/configure.log" 2>&1 ||
  { cat "$BUILD/configure.log"; exit 2; }
cmake --build "$BUILD" -j2 --target fuzz_all

ALL_TARGETS=()
for exe in "$BUILD"/fuzz/fuzz_*; do
  [[ -x "$exe" && -f "$exe" ]] && ALL_TARGETS+=("$(basename "$exe" | sed 's/^fuzz_//')")
done
read -r -a TARGETS <<<"${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"

run_one() {
  local t="$1"
  local corpus="$BUILD/corpus/$t" artifacts="$BUILD/artifacts/$t" logs="$BUILD/logs/$t"
  rm -rf "$logs"
  mkdir -p "$corpus" "$artifacts" "$logs"
  touch "$logs/started"  # artifacts newer than this are this run's findings
  local seeds=()
  [[ -d "$ROOT/fuzz/corpus/$t" ]] && seeds+=("$ROOT/fuzz/corpus/$t")
  [[ -d "$ROOT/fuzz/regressions/$t" ]] && seeds+=("$ROOT/fuzz/regressions/$t")
  local dict=()
  [[ -f "$ROOT/fuzz/dict/$t.dict" ]] && dict=("-dict=$ROOT/fuzz/dict/$t.dict")
  # -jobs=1: one fuzzing process, which stops at its first finding and writes its output to
  # ./fuzz-0.log (hence the cd); the driver's own output goes to driver.log.
  (cd "$logs" && "$BUILD/fuzz/fuzz_$t" "$corpus" "${seeds[@]}" "${dict[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -jobs=1 -workers=1 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >driver.log 2>&1) || true
}

running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if ((running >= PARALLEL)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

status=0
printf '%-16s %12s %8s %8s  %s\n' target executions exec/s crashes artifacts
for t in "${TARGETS[@]}"; do
  log="$BUILD/logs/$t/fuzz-0.log"
  [[ -f "$log" ]] || log="$BUILD/logs/$t/driver.log"
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
  if [[ -z "$execs" ]]; then  # the run died before printing its stats: take the last status line
    execs="$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)"
  fi
  crashes="$(find "$BUILD/artifacts/$t" -type f -newer "$BUILD/logs/$t/started" | wc -l)"
  if grep -qE '^==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak)Sanitizer|deadly signal|libFuzzer: (timeout|out-of-memory)|runtime error:' "$log"; then
    ((crashes == 0)) && crashes=1
  fi
  ((crashes > 0)) && status=1
  printf '%-16s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" \
    "$( ((crashes > 0)) && echo "$BUILD/artifacts/$t/ (log $log)" || true)"
done
exit "$status"
