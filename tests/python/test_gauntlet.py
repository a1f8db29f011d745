"""The Python API against the command line and against closed forms."""

import json
import os
import pathlib
import tempfile

import numpy as np
import pytest

import gauntlet

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(__file__).resolve().parent / "testdata"
ACC = ROOT / "zoo" / "acc_good.onnx"
SMALL_SUITE = DATA / "small_suite.yaml"


def parse17(text):
    return [float(v) for v in text.split()]


# ---- monitor -------------------------------------------------------------------------------------


def naive_always_lt(x, threshold):
    """always (x < threshold) at every sample: min over the suffix of threshold - x."""
    out = np.empty(len(x))
    running = np.inf
    for i in range(len(x) - 1, -1, -1):
        running = min(running, threshold - x[i])
        out[i] = running
    return out


def test_monitor_matches_closed_form_and_cli(cli, tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    rob = gauntlet.monitor("always (x < 2.5)", {"x": x}, dt=0.1)
    assert rob.shape == (200,)
    np.testing.assert_array_equal(rob, naive_always_lt(x, 2.5))
    # the command line on the same trace, bit for bit
    csv = tmp_path / "trace.csv"
    with open(csv, "w") as f:
        f.write("time,x\n")
        for k, v in enumerate(x):
            f.write(f"{repr(k * 0.1)},{repr(float(v))}\n")
    proc = cli("monitor", "--spec", "always (x < 2.5)", "--trace", csv, "--series")
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.strip().splitlines()[1:]
    assert [float(line.split(",")[1]) for line in lines] == list(rob)


def test_monitor_time_and_temporal_operators():
    t = np.array([0.0, 0.5, 1.5, 2.0])
    y = np.array([3.0, 1.0, -1.0, 4.0])
    rob = gauntlet.monitor("eventually[0,1] (y > 0)", {"y": y}, time=t)
    # windows [t, t+1]: {3,1} {1,-1} {-1,4} {4}
    np.testing.assert_array_equal(rob, [3.0, 1.0, 4.0, 4.0])
    rob2 = gauntlet.monitor("y > 0 and x < 1", {"y": y, "x": np.zeros(4)}, time=t)
    np.testing.assert_array_equal(rob2, np.minimum(y, 1.0))


def test_monitor_errors():
    with pytest.raises(gauntlet.InputError, match="unknown signal|no signal|did you mean"):
        gauntlet.monitor("always (gapp > 0)", {"gap": np.ones(3)})
    with pytest.raises(ValueError):
        gauntlet.monitor("always (x > 0", {"x": np.ones(3)})
    with pytest.raises(ValueError, match="strictly increasing"):
        gauntlet.monitor("x > 0", {"x": np.ones(3)}, time=np.array([0.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="samples"):
        gauntlet.monitor("x > y", {"x": np.ones(3), "y": np.ones(4)})


# ---- models --------------------------------------------------------------------------------------


def test_eval_is_bit_identical_to_cli(cli):
    model = gauntlet.load_model(ACC)
    assert (model.input_size, model.output_size) == (3, 1)
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.uniform(0, 150, 25), rng.uniform(0, 40, 25), rng.uniform(-15, 40, 25)])
    y = model.eval(x)
    assert y.shape == (25, 1)
    for row, out in zip(x, y):
        proc = cli("eval", ACC, "--input", ",".join(repr(float(v)) for v in row))
        assert proc.returncode == 0, proc.stderr
        assert parse17(proc.stdout) == list(out)
    # a 1-D input is one sample
    np.testing.assert_array_equal(model.eval(x[0]), y[0])


def test_eval_matches_committed_goldens():
    golden = np.loadtxt(ROOT / "zoo" / "acc_good.golden.csv", delimiter=",", skiprows=1)
    y = gauntlet.load_model(ACC).eval(golden[:, :3])
    np.testing.assert_allclose(y[:, 0], golden[:, 3], rtol=1e-9, atol=1e-12)


def test_bounds_contain_samples():
    model = gauntlet.load_model(ACC)
    lo, hi = np.array([20.0, 10.0, -5.0]), np.array([60.0, 30.0, 10.0])
    rng = np.random.default_rng(9)
    samples = model.eval(rng.uniform(lo, hi, size=(2000, 3)))
    for method in ("ibp", "crown", "bab"):
        blo, bhi = model.bounds(lo, hi, method=method)
        assert blo.shape == (1,) and bhi.shape == (1,)
        assert blo[0] <= samples.min() and samples.max() <= bhi[0], method
    with pytest.raises(ValueError, match="method"):
        model.bounds(lo, hi, method="magic")


def test_load_model_errors(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(gauntlet.InputError):
        gauntlet.load_model(bad)
    with pytest.raises(ValueError, match="values per row"):
        gauntlet.load_model(ACC).eval(np.zeros((2, 4)))


# ---- prove ---------------------------------------------------------------------------------------


def test_prove_unsat_and_sat_with_counterexample():
    assert gauntlet.prove(ACC, DATA / "acc_output_loose.vnnlib", timeout=60) == "unsat"
    result = gauntlet.prove(ACC, DATA / "acc_brakes_hard.vnnlib", timeout=60)
    assert result == "sat"
    x, y = result.counterexample["input"], result.counterexample["output"]
    assert x.shape == (3,) and y.shape == (1,)
    # the counterexample is inside the box and re-evaluates to a violation with a plain forward pass
    assert 0 <= x[0] <= 150 and 0 <= x[1] <= 40 and -15 <= x[2] <= 40
    again = gauntlet.load_model(ACC).eval(x)
    assert again[0] == y[0] and again[0] <= -8.0


# ---- check ---------------------------------------------------------------------------------------


def test_check_returns_positioned_diagnostics(tmp_path):
    assert gauntlet.check([ROOT / "configs" / "example.yaml"]) == []
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "configs" / "scenarios" / "lead_brake.yaml").read_text()
    bad.write_text(text.replace("duration_s: 12", "duraton_s: 12"))
    diags = gauntlet.check(str(bad))
    assert diags, "a misspelt key must be reported"
    d = diags[0]
    assert d.file == str(bad) and d.line > 0 and d.col > 0
    assert "duraton_s" in d.message and "duration_s" in d.message
    assert str(d).startswith(f"{bad}:{d.line}:{d.col}: error: ")


# ---- run -----------------------------------------------------------------------------------------


def read(path):
    return pathlib.Path(path).read_bytes()


def test_run_with_callable_equals_run_with_file(tmp_path, capfd):
    model = gauntlet.load_model(ACC)
    native = gauntlet.run(SMALL_SUITE, out=tmp_path / "native", threads=1)
    assert native.verdict in ("PASSED", "FAILED")
    # the model's eval as the callable: the same network, so the formal checks run on it too
    python = gauntlet.run(SMALL_SUITE, out=tmp_path / "python", threads=1, models={"acc": model.eval})
    assert native.exit_code == python.exit_code
    assert read(tmp_path / "native" / "results.jsonl") == read(tmp_path / "python" / "results.jsonl")
    assert len(python.results) == len(native.results)
    assert any(r["origin"] == "formal" for r in python.results)
    # two threads: the same bytes
    gauntlet.run(SMALL_SUITE, out=tmp_path / "python2", threads=2, models={"acc": model})
    assert read(tmp_path / "python2" / "results.jsonl") == read(tmp_path / "native" / "results.jsonl")
    # a path works as on the command line
    bypath = gauntlet.run(SMALL_SUITE, out=tmp_path / "path", models={"acc": str(ACC)})
    assert read(tmp_path / "path" / "results.jsonl") == read(tmp_path / "native" / "results.jsonl")
    assert bypath.results[0]["family"] == "brake_acc"

    # any other callable: the simulations are the same, batched; formal checks are skipped, with a warning
    calls = []

    def policy(obs):
        assert obs.dtype == np.float64 and obs.ndim == 2 and obs.shape[1] == 3
        calls.append(obs.shape[0])
        return model.eval(obs)

    capfd.readouterr()
    wrapped = gauntlet.run(SMALL_SUITE, out=tmp_path / "wrapped", threads=2, models={"acc": policy})
    assert "formal checks of family 'brake_acc' are skipped" in capfd.readouterr().err
    simulated = [r for r in native.results if r["origin"] != "formal"]
    assert wrapped.results == simulated
    assert max(calls) > 1, "instances are batched"
    # every simulated step of the acc families was one row (more: the report replays its worst cases)
    assert sum(calls) >= sum(r["steps"] for r in simulated if r["family"] != "brake_idm")


def test_run_callable_batches_are_deterministic(tmp_path):
    model = gauntlet.load_model(ACC)
    seen = []

    def policy(obs):
        seen.append(obs.copy())
        return model.eval(obs)

    gauntlet.run(SMALL_SUITE, out=tmp_path / "a", threads=2, models={"acc": policy})
    first = [b.tobytes() for b in seen]
    seen.clear()
    gauntlet.run(SMALL_SUITE, out=tmp_path / "b", threads=1, models={"acc": policy})
    # the same batches with the same rows whatever the thread count (groups may interleave in time)
    assert sorted(first) == sorted(b.tobytes() for b in seen)


def test_callable_errors_are_instance_errors_with_traceback(tmp_path):
    def broken(obs):
        if (obs[:, 0] < 15).any():
            raise ZeroDivisionError("the gap is too small for this model")
        return np.full((obs.shape[0], 1), -1.0)

    run = gauntlet.run(SMALL_SUITE, out=tmp_path / "err", models={"acc": broken})
    errors = [r for r in run.results if r["status"] == "error"]
    assert errors, "some instances come closer than 15 m"
    # only the instances whose own observation raised: the others of the same batches went on
    assert len(errors) < sum(1 for r in run.results if r["family"] != "brake_idm" and r["origin"] != "formal")
    assert all("ZeroDivisionError: the gap is too small" in r["error"] for r in errors)
    assert all("Traceback" in r["error"] and "broken" in r["error"] for r in errors)
    # the campaign went on: every planned instance has a line
    assert len([r for r in run.results if r["origin"] != "formal"]) == 80
    assert any(r["status"] != "error" for r in run.results)


def test_callable_with_wrong_shape_is_an_error(tmp_path):
    run = gauntlet.run(SMALL_SUITE, out=tmp_path / "shape", models={"acc": lambda obs: np.zeros(3)})
    bad = [r for r in run.results if r["family"] != "brake_idm"]
    assert bad and all(r["status"] == "error" and "shape (3,), expected" in r["error"] for r in bad)
    # one value per row is accepted for a single output
    ok = gauntlet.run(SMALL_SUITE, out=tmp_path / "flat", models={"acc": lambda obs: np.full(obs.shape[0], -1.0)})
    assert all(r["status"] != "error" for r in ok.results)


def test_run_rejects_unknown_slot_and_bad_model(tmp_path):
    run = gauntlet.run(SMALL_SUITE, out=tmp_path / "slot", models={"nope": lambda o: o})
    assert run.exit_code == 2
    with pytest.raises(TypeError):
        gauntlet.run(SMALL_SUITE, out=tmp_path / "t", models={"acc": 3})


# ---- check_trace and monitor --scenario -----------------------------------------------------------


def test_check_trace_on_a_replayed_instance(cli, tmp_path):
    run = gauntlet.run(SMALL_SUITE, out=tmp_path / "run")
    case = next(r for r in run.results if r["family"] == "brake_acc" and r["status"] == "completed")
    trace_csv = tmp_path / "case.csv"
    proc = cli("replay", tmp_path / "run", "--case", case["id"], "--trace", trace_csv)
    assert proc.returncode in (0, 1), proc.stderr
    scenario = ROOT / "configs" / "scenarios" / "lead_brake.yaml"
    checked = gauntlet.check_trace(scenario, str(trace_csv))
    for req in case["requirements"]:
        assert checked["requirements"][req["name"]]["robustness"] == pytest.approx(req["robustness"], abs=0.0)
    # the same from arrays
    data = np.genfromtxt(trace_csv, delimiter=",", names=True, deletechars="")
    arrays = {name: data[name] for name in data.dtype.names}
    again = gauntlet.check_trace(scenario, arrays)
    assert again["requirements"] == checked["requirements"]
    # and on the command line
    proc = cli("monitor", "--scenario", scenario, "--trace", trace_csv)
    assert proc.returncode == (1 if any(r["verdict"] == "fail" and r["gating"] for r in case["requirements"]) else 0)
    assert "requirement no_collision:" in proc.stdout and "verdict:" in proc.stdout


def test_check_trace_names_missing_signals(cli, tmp_path):
    csv = tmp_path / "log.csv"
    csv.write_text("time,lead.gapp,ego.speed\n0,10,20\n0.1,9,20\n")
    scenario = ROOT / "configs" / "scenarios" / "lead_brake.yaml"
    with pytest.raises(gauntlet.InputError, match="no signal 'lead.gap'.*did you mean 'lead.gapp'"):
        gauntlet.check_trace(scenario, str(csv))
    proc = cli("monitor", "--scenario", scenario, "--trace", csv)
    assert proc.returncode == 2 and "lead.gap" in proc.stderr


# ---- the environment -----------------------------------------------------------------------------


def test_env_episodes_are_deterministic_and_end_properly():
    scenario = ROOT / "configs" / "scenarios" / "lead_brake.yaml"
    model = gauntlet.load_model(ACC)
    env = gauntlet.ScenarioEnv(scenario, seed=4)
    assert (env.observation_size, env.action_size) == (3, 1)
    ends = []
    traces = []
    for episode in range(4):
        obs, info = env.reset(seed=100 + episode % 2)
        assert obs.shape == (3,) and set(info["requirements"]) == {"no_collision", "safe_gap", "comfort"}
        total, steps = 0.0, 0
        while True:
            obs, reward, terminated, truncated, info = env.step(model.eval(obs))
            total += reward
            steps += 1
            if terminated or truncated:
                break
        assert terminated != truncated
        if truncated:
            assert info["time_s"] == pytest.approx(12.0)
        assert "result" in info
        # at the end, info["requirements"] is the final robustness, equal to check_trace on the trace
        checked = gauntlet.check_trace(scenario, env.trace())
        for name, value in info["requirements"].items():
            assert checked["requirements"][name]["robustness"] == value
        ends.append((terminated, truncated, steps, info["requirements"]))
        traces.append(env.trace())
    # seeds 100, 101, 100, 101: episodes 0 and 2 (1 and 3) are identical
    assert ends[0] == ends[2] and ends[1] == ends[3]
    for name in traces[0]:
        np.testing.assert_array_equal(traces[0][name], traces[2][name])


def test_env_fixed_parameters_and_a_crash_terminates():
    scenario = ROOT / "configs" / "scenarios" / "lead_brake.yaml"
    env = gauntlet.ScenarioEnv(scenario, parameters={"gap": 10.0, "ego_speed": 30.0, "lead_speed": 10.0,
                                                     "brake_time": 0.5, "brake_decel": 8.0})
    obs, info = env.reset()
    assert info["parameters"]["gap"] == 10.0
    assert obs[0] == pytest.approx(10.0)
    steps = 0
    while True:  # full throttle into the lead
        obs, reward, terminated, truncated, info = env.step([3.0])
        steps += 1
        if terminated or truncated:
            break
    assert terminated and not truncated
    # the episode ends as soon as a gating requirement is certainly violated (safe_gap, before contact)
    assert min(info["requirements"]["no_collision"], info["requirements"]["safe_gap"]) < 0
    assert info["result"]["passed"] is False
    with pytest.raises(RuntimeError):
        env.step([0.0])  # the episode is over
    with pytest.raises(ValueError, match="unknown parameter"):
        gauntlet.ScenarioEnv(scenario, parameters={"gapp": 1.0})
    with pytest.raises(ValueError):
        env.reset()
        env.step([1.0, 2.0])
