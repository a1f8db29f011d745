#!/usr/bin/env bash
# Sanitizer runs of the test suite (issue 9).
#
#   tools/sanitize.sh asan   # -DGAUNTLET_SANITIZE=ON in build-asan (ASan + UBSan), then the whole ctest suite
#   tools/sanitize.sh tsan   # -DGAUNTLET_TSAN=ON in build-tsan (ThreadSanitizer), then the campaign tests
#
# Environment: JOBS (default 2) for the build and ctest, CXX to pick the compiler (default: CMake's).
# Exits with ctest's status (non-zero on any failing test or sanitizer report).
set -euo pipefail

MODE="${1:-}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JOBS="${JOBS:-2}"

case "$MODE" in
  asan)
    BUILD="$ROOT/build-asan"
    FLAG=-DGAUNTLET_SANITIZE=ON
    # Leaks are bugs too; a UBSan report must fail the test, with a stack.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    CTEST_ARGS=()
    ;;
  tsan)
    BUILD="$ROOT/build-tsan"
    FLAG=-DGAUNTLET_TSAN=ON
    # tools/tsan.supp: races inside oneTBB's partitioner (libtbb is not instrumented), nothing else
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tools/tsan.supp}"
    CTEST_ARGS=(-L scenario)
    ;;
  *)
    echo "usage: tools/sanitize.sh asan|tsan" >&2
    exit 2
    ;;
esac

# Debug info and -O1 keep the stacks readable and the run fast enough.
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$FLAG" -DGAUNTLET_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
cmake --build "$BUILD" -j"$JOBS"
cd "$BUILD"
ctest --output-on-failure -j"$JOBS" --timeout 900 "${CTEST_ARGS[@]}"
