"""Python models in the loop: simulated steps per CPU-second on one thread, and the cost of a call.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/callable_bench.py [INSTANCES]

Runs lead_brake (the ONNX controller's family of configs/example.yaml, uniform draws) on one thread:
  native   the suite's ONNX file, evaluated in C++ (the baseline, measured in the same run)
  eval     gauntlet.load_model(...).eval as a Python callable (the same network, same results)
  numpy    an IDM written in numpy, batched over the lockstep group
  noop     a callable returning zeros (the floor of a Python policy)
Prints steps per CPU-second for each and the ratio to native, and the cost of one call: eval and
native simulate the same steps with the same network, so (CPU eval - CPU native) / calls is what the
Python round trip (gather, array, call, copy back, fibers) costs per call.
"""

import os
import pathlib
import sys
import tempfile
import time

import numpy as np

import gauntlet

ROOT = pathlib.Path(__file__).resolve().parents[2]
N = int(sys.argv[1]) if len(sys.argv) > 1 else 400


def idm(obs):
    gap, v, dv = obs[:, 0], obs[:, 1], obs[:, 2]
    s_star = 2.0 + np.maximum(0.0, v * 1.5 + v * dv / (2.0 * np.sqrt(1.5 * 2.0)))
    return (1.5 * (1.0 - (v / 30.0) ** 4 - (s_star / np.maximum(gap, 1e-3)) ** 2))[:, None]


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="gauntlet_pybench_"))
    suite = work / "suite.yaml"
    suite.write_text(
        "suite: pybench\nseed: 5\n"
        f"models: {{acc: {{path: {ROOT / 'zoo' / 'acc_good.onnx'}}}}}\n"
        f"scenarios:\n  - {{scenario: {ROOT / 'configs' / 'scenarios' / 'lead_brake.yaml'}, model: acc,\n"
        f"     generators: [{{kind: uniform, count: {N}}}]}}\n")
    model = gauntlet.load_model(ROOT / "zoo" / "acc_good.onnx")
    calls = {"n": 0, "rows": 0}

    def counted(fn):
        def wrapper(obs):
            calls["n"] += 1
            calls["rows"] += obs.shape[0]
            return fn(obs)
        return wrapper

    variants = {
        "native": None,
        "eval": counted(model.eval),
        "numpy": counted(idm),
        "noop": counted(lambda obs: np.zeros((obs.shape[0], 1))),
    }
    figures = {}
    for name, fn in variants.items():
        best = None
        for _ in range(2):  # best of two: the machine's speed drifts
            calls["n"] = calls["rows"] = 0
            start = time.process_time()
            run = gauntlet.run(suite, out=work / name, threads=1, models=None if fn is None else {"acc": fn})
            cpu = time.process_time() - start
            steps = sum(r.get("steps", 0) for r in run.results)
            rate = steps / cpu
            if best is None or rate > best[0]:
                best = (rate, cpu, steps, calls["n"], calls["rows"])
        figures[name] = best
    native = figures["native"][0]
    print(f"lead_brake, {N} instances, one thread, steps per CPU-second (best of 2):")
    for name, (rate, cpu, steps, n, rows) in figures.items():
        extra = f", {n} calls, {rows / max(n, 1):.1f} rows per call" if n else ""
        print(f"  {name:7s} {rate:12,.0f} steps/s  ({rate / native:.2f} x native; {steps} steps in {cpu:.2f} s{extra})")
    _, cpu_native, steps_native, _, _ = figures["native"]
    _, cpu_eval, steps_eval, n, rows = figures["eval"]
    assert steps_eval == steps_native, "eval must simulate exactly what native does"
    per_call = (cpu_eval - cpu_native) / max(n, 1)
    print(f"  cost of a Python call ((eval - native) CPU / calls): {per_call * 1e6:.2f} us per call, "
          f"{per_call * n / max(rows, 1) * 1e6:.3f} us per row")


if __name__ == "__main__":
    main()
