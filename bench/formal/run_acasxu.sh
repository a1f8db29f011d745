#!/bin/sh
# Runs the 186 ACAS Xu instances (VNN-COMP) through the formal verifier and prints one line per
# instance and the totals (solved, unsolved, wrong, total time).
#
#   bench/formal/run_acasxu.sh [BUILD_DIR] [driver options]
#   bench/formal/run_acasxu.sh build --timeout 10 --every 5     # a quick subset
#
# Driver options: --timeout S (cap on each instance's timeout, 116 s in instances.csv), --filter TEXT,
# --every N, --threads N, --seed S, --dir DIR (default: $ACASXU_DIR if set, else data/acasxu),
# --max-boxes N (with
# --threads 1 a deterministic budget for comparing methods on a loaded machine); tuning (see
# ProveOptions in verifier/formal/branch_and_bound.h): --split 0|1|2, --slope-depth D,
# --alpha-steps N, --alpha-depth D, --alpha-mid-steps N, --alpha-mid-depth D, --combine 0|1,
# --trial-dims K, --trial-depth D.
# Per-instance line: index onnx vnnlib result wall_s cpu_s boxes check (cex-ok / samples-ok) check_s
# (wall_s, cpu_s: loading and proving; check_s: the check). Totals: solved, sat/unsat, unsolved, wrong,
# the summed wall and CPU time of the solving, the check time, and the whole run's wall and CPU time.
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
driver="$build/bench/formal/formal_acasxu_driver"
if [ ! -x "$driver" ]; then
  echo "run_acasxu.sh: $driver not found; build the target formal_acasxu_driver first" >&2
  exit 3
fi
if [ -n "${ACASXU_DIR:-}" ]; then
  exec "$driver" --dir "$ACASXU_DIR" "$@"
fi
exec "$driver" "$@"
