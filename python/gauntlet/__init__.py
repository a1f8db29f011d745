"""Gauntlet from Python: the same C++ core as the ``gauntlet`` command line.

Scenario verification (``run``, ``check``), STL monitoring (``monitor``, ``check_trace``), the
network under test (``load_model``, ``prove``) and the scenarios as an environment for training
(``ScenarioEnv``, with the Gymnasium API but without depending on gymnasium).

Numbers go in and out as numpy float64 arrays. Bad input raises ``gauntlet.InputError`` (a
``ValueError``) whose message lists every problem as ``file:line:col: error: ...``.

    import gauntlet, numpy as np
    rob = gauntlet.monitor("always (gap > 2)", {"gap": np.array([5.0, 3.0, 1.5])}, dt=0.1)
    model = gauntlet.load_model("zoo/acc_good.onnx")
    y = model.eval(np.array([[30.0, 25.0, 2.0]]))
    run = gauntlet.run("configs/example.yaml", out="out/py", models={"acc": model.eval})
    print(run.verdict, run.summary["instances"])
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

try:
    import numpy as np
except ImportError:  # pragma: no cover - depends on the interpreter
    # An interpreter other than Debian's (a pyenv build, say) of the same minor version can use
    # Debian's python3-numpy, which the set-up installs; nothing is downloaded.
    import sys as _sys

    _debian = "/usr/lib/python3/dist-packages"
    if _sys.version_info[:2] == (3, 11) and os.path.isdir(os.path.join(_debian, "numpy")):
        _sys.path.append(_debian)
    import numpy as np

from . import _core

__all__ = [
    "InputError",
    "Diagnostic",
    "Model",
    "ProveResult",
    "Run",
    "ScenarioEnv",
    "check",
    "check_trace",
    "load_model",
    "monitor",
    "prove",
    "run",
]

InputError = _core.InputError
"""Bad input (a scenario, suite, formula, model, trace or property): a ValueError listing every problem."""


def monitor(formula: str, signals: Mapping[str, Any], *, time: Any = None, dt: Optional[float] = None) -> np.ndarray:
    """The robustness of an STL formula at every sample of a trace.

    ``signals`` maps signal names to 1-D arrays of equal length. The sample times are ``time`` (a
    strictly increasing 1-D array), or ``k * dt`` for sample ``k`` (``dt`` defaults to 1). The
    semantics are those of ``gauntlet monitor --series`` (docs/stl.md): element 0 is the robustness
    of the whole trace; a negative value is a violation.
    """
    arrays = {str(name): np.ascontiguousarray(values, dtype=np.float64) for name, values in signals.items()}
    t = None if time is None else np.ascontiguousarray(time, dtype=np.float64)
    return _core.monitor(formula, arrays, t, None if dt is None else float(dt))


class Model:
    """A network loaded from ONNX or .nnet, evaluated by the same code as the command line."""

    def __init__(self, path: Union[str, os.PathLike]):
        self._model = _core.Model(os.fspath(path))

    @property
    def input_size(self) -> int:
        """The number of input values."""
        return self._model.input_size

    @property
    def output_size(self) -> int:
        """The number of output values."""
        return self._model.output_size

    @property
    def path(self) -> str:
        """The file it was loaded from."""
        return self._model.path

    def eval(self, x: Any, *, raw: bool = False) -> np.ndarray:
        """One forward pass per row of ``x`` (batch x inputs) -> batch x outputs.

        Bit-identical to ``gauntlet eval`` on each row (and to the model in a simulation). A 1-D
        ``x`` is one sample and gives a 1-D result. ``raw=True`` applies a .nnet file's input and
        output normalisation (``gauntlet eval --raw``).
        """
        return self._model.eval(np.ascontiguousarray(x, dtype=np.float64), raw)

    __call__ = eval

    def bounds(self, lo: Any, hi: Any, method: str = "crown") -> Tuple[np.ndarray, np.ndarray]:
        """Sound bounds (lower, upper) on every output over the input box [lo, hi].

        ``method`` is ``"ibp"`` (interval), ``"crown"`` (linear relaxation) or ``"bab"`` (branch
        and bound, tightest), as ``gauntlet bounds --method``. Rounding is outward.
        """
        return self._model.bounds(np.ascontiguousarray(lo, dtype=np.float64),
                                  np.ascontiguousarray(hi, dtype=np.float64), method)

    def __repr__(self) -> str:
        return f"gauntlet.Model({self.path!r}, inputs={self.input_size}, outputs={self.output_size})"


def load_model(path: Union[str, os.PathLike]) -> Model:
    """Loads an ONNX or .nnet network (``Model``); raises InputError for a bad file."""
    return Model(path)


class ProveResult(str):
    """The first line of ``gauntlet prove``: "sat", "unsat", "timeout" or "unknown" (a str).

    For "sat", ``counterexample`` is a dict with the ``input`` that reaches the unsafe set and the
    network's ``output`` there (confirmed by a plain forward pass); otherwise None. ``detail`` is
    one line for humans.
    """

    counterexample: Optional[Dict[str, np.ndarray]]
    detail: str

    def __new__(cls, verdict: str, counterexample: Optional[Dict[str, np.ndarray]], detail: str):
        obj = super().__new__(cls, verdict)
        obj.counterexample = counterexample
        obj.detail = detail
        return obj


def prove(model_path: Union[str, os.PathLike], property_path: Union[str, os.PathLike], *, timeout: float = 116.0,
          threads: int = 0) -> ProveResult:
    """Decides a VNN-LIB property of a network, as ``gauntlet prove`` (VNN-COMP conventions).

    Returns a ``ProveResult`` equal to "unsat" (the property holds), "sat" (with the
    counterexample), "timeout" or "unknown". Raises InputError for a bad model or property.
    """
    out = _core.prove(os.fspath(model_path), os.fspath(property_path), float(timeout), int(threads))
    cex = None
    if out["verdict"] == "sat":
        cex = {"input": out["input"], "output": out["output"]}
    return ProveResult(out["verdict"], cex, out["detail"])


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an input file (line and column 1-based; 0 when unknown)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: error: {self.message}"


def check(paths: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]]) -> List[Diagnostic]:
    """Validates suites, scenarios and catalogues as ``gauntlet check``: every problem, in order.

    An empty list means every file is valid.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [Diagnostic(*d) for d in _core.check([os.fspath(p) for p in paths])]


def check_trace(scenario_path: Union[str, os.PathLike], trace: Any, *, time: Any = None,
                dt: Optional[float] = None) -> Dict[str, Any]:
    """A scenario's requirements, assumptions and metrics on a recorded drive.

    ``trace`` is a CSV file (header ``time,<signal>,...``) or a mapping of signal names (as the
    scenario names them, e.g. ``"lead.gap"``) to 1-D arrays; a ``"time"`` entry of the mapping, or
    ``time``/``dt``, gives the sample times. Returns ``{"requirements": {name: {"robustness",
    "satisfied", "gating", "first_violation_time_s", ...}}, "assumptions": {...}, "metrics": {name:
    value}, "valid": bool, "passed": bool}``. The same as ``gauntlet monitor --scenario``.
    """
    scenario_path = os.fspath(scenario_path)
    if isinstance(trace, (str, os.PathLike)):
        if time is not None or dt is not None:
            raise ValueError("time and dt are read from the CSV file")
        return _core.check_trace_csv(scenario_path, os.fspath(trace))
    signals = {str(k): np.ascontiguousarray(v, dtype=np.float64) for k, v in trace.items()}
    if "time" in signals:
        if time is not None:
            raise ValueError("the trace has a 'time' entry and time= is given too")
        time = signals.pop("time")
    t = None if time is None else np.ascontiguousarray(time, dtype=np.float64)
    return _core.check_trace_arrays(scenario_path, signals, t, None if dt is None else float(dt))


class Run:
    """The outcome of ``gauntlet.run``: the files of the output folder, read back."""

    def __init__(self, out: str, exit_code: int):
        self.out = out
        self.exit_code = exit_code
        self._results: Optional[List[Dict[str, Any]]] = None
        self._summary: Optional[Dict[str, Any]] = None

    @property
    def verdict(self) -> str:
        """"PASSED" or "FAILED" (exit code 0 or 1); "ERROR" when the run could not decide."""
        return {0: "PASSED", 1: "FAILED"}.get(self.exit_code, "ERROR")

    @property
    def results(self) -> List[Dict[str, Any]]:
        """The lines of results.jsonl as dicts, in plan order."""
        if self._results is None:
            path = os.path.join(self.out, "results.jsonl")
            with open(path, encoding="utf-8") as f:
                self._results = [json.loads(line) for line in f if line.strip()]
        return self._results

    @property
    def summary(self) -> Dict[str, Any]:
        """summary.json as a dict."""
        if self._summary is None:
            with open(os.path.join(self.out, "summary.json"), encoding="utf-8") as f:
                self._summary = json.load(f)
        return self._summary

    def __repr__(self) -> str:
        return f"gauntlet.Run(out={self.out!r}, verdict={self.verdict!r})"


ModelSpec = Union[str, os.PathLike, Callable[[np.ndarray], Any]]


def _network_of(spec: Any) -> Optional[str]:
    """The network file behind a callable that is a Model or a Model's bound eval, else None."""
    if isinstance(spec, Model):
        return spec.path
    owner = getattr(spec, "__self__", None)
    if isinstance(owner, Model) and getattr(spec, "__func__", None) in (Model.eval, Model.__call__):
        return owner.path
    return None


def run(suite_path: Union[str, os.PathLike], *, out: Union[str, os.PathLike], threads: Optional[int] = None,
        seed: Optional[int] = None, models: Optional[Mapping[str, ModelSpec]] = None,
        shard: Optional[Tuple[int, int]] = None, resume: bool = False, quiet: bool = True,
        db: Optional[Union[str, os.PathLike]] = None) -> Run:
    """Runs a suite as ``gauntlet run`` and writes the same files to ``out``.

    ``models`` maps model slots to a file path or to a Python callable. A callable receives a 2-D
    float64 array of observations, one row per instance that needs an action at that moment
    (instances are run in lockstep groups of 64 consecutive ones in plan order, so a call batches
    them, always in the same order), and returns a 2-D array of outputs (one row per observation,
    at least as many columns as the scenario's binding reads). The binding's scale, offset and
    argmin/argmax apply to its outputs as to a network's. A callable that computes what an ONNX file
    computes gives the same results.jsonl as the file (``load_model(path).eval`` does, bit for bit).
    Formal checks need a network: they run when the callable is a ``Model`` or its ``eval`` (on that
    network); for any other callable they are skipped with a warning on stderr.
    An exception raised by the callable makes each instance of that batch an error whose message
    holds the Python traceback; the run goes on. The GIL is held only around the calls.

    ``shard`` is ``(index, count)``. Returns a ``Run`` (exit_code, verdict, results, summary).
    Raises InputError only for bad arguments; an invalid suite gives exit_code 2 with the
    problems printed to stderr, as on the command line.
    """
    out = os.fspath(out)
    args = [os.fspath(suite_path), "--out", out]
    if threads is not None:
        args += ["--threads", str(int(threads))]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if shard is not None:
        index, count = shard
        args += ["--shard-index", str(int(index)), "--shard-count", str(int(count))]
    if resume:
        args.append("--resume")
    if quiet:
        args.append("--quiet")
    if db is not None:
        args += ["--db", os.fspath(db)]
    callables: Dict[str, Callable[[np.ndarray], Any]] = {}
    networks: Dict[str, str] = {}
    for slot, spec in (models or {}).items():
        if callable(spec):
            callables[str(slot)] = spec
            network = _network_of(spec)
            if network is not None:
                networks[str(slot)] = network
        elif isinstance(spec, (str, os.PathLike)):
            args += ["--model", f"{slot}={os.fspath(spec)}"]
        else:
            raise TypeError(f"models[{slot!r}] must be a path or a callable, not {type(spec).__name__}")
    if callables and resume:
        raise ValueError("resume=True cannot prove that a Python callable is the one the interrupted run used")
    code = _core.run(args, callables, networks)
    result_dir = out if shard is None or shard[1] <= 1 else os.path.join(out, f"shard-{int(shard[0])}")
    return Run(result_dir, code)


class ScenarioEnv:
    """One instance of a scenario as an environment (the Gymnasium API, without gymnasium).

    The agent takes the place of the scenario's model: ``step(action)`` gives the action as the
    model's outputs (``action_size`` values; the binding's scale/offset or argmin/argmax over
    advisories apply, as in verification), then the world runs one control period; observations
    are the binding's observation expressions with their noise, bias, delay and dropout.

    ``reset(seed=None, options=None) -> (obs, info)`` draws an instance from the scenario's
    parameter distributions (or takes ``parameters`` given here, or ``options["parameters"]``;
    names missing from such a dict are drawn). The environment's random stream is seeded by
    ``seed`` (here, or at reset); each reset draws the parameters and the sensor seed from it.

    ``step(action) -> (obs, reward, terminated, truncated, info)``: ``terminated`` when the ego
    touches another actor (the scenario stops on collision) or a gating requirement is violated
    for certain; ``truncated`` at the scenario's duration_s.

    ``reward``: by default the increase of the lowest gating requirement's robustness since the
    previous step (each value clipped to [-100, 100]; 0 on the first step), so the rewards of an
    episode add up to how much the lowest robustness rose; pass ``reward=callable(info) -> float``
    for your own. ``info``: ``time_s``, ``parameters`` (name -> value), ``seed``, and
    ``requirements`` (name -> robustness over the trace so far; at the end, the final robustness as
    verification reports it); at the end also ``result`` (requirements, assumptions, metrics).
    """

    metadata = {"render_modes": []}

    def __init__(self, scenario_path: Union[str, os.PathLike], *, parameters: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = 0, slot: Optional[str] = None,
                 reward: Optional[Callable[[Dict[str, Any]], float]] = None):
        self._env = _core.Env(os.fspath(scenario_path))
        self.scenario_path = os.fspath(scenario_path)
        self.observation_size = self._env.observation_size
        self.action_size = self._env.action_size
        self.parameter_names = list(self._env.parameter_names)
        self._parameters = dict(parameters) if parameters is not None else None
        self._check_parameters(self._parameters)
        if slot is not None and slot != self._env.slot:
            raise ValueError(f"the scenario's model slot is {self._env.slot!r}, not {slot!r}")
        self.slot = self._env.slot
        self._reward_fn = reward
        self._rng = np.random.default_rng(seed)
        self._previous: Optional[float] = None
        self._started = False
        self._seed = 0

    def _check_parameters(self, parameters: Optional[Mapping[str, float]]) -> None:
        for name in parameters or {}:
            if name not in self.parameter_names:
                raise ValueError(f"unknown parameter {name!r}; the scenario's: {', '.join(self.parameter_names)}")

    def _info(self) -> Dict[str, Any]:
        names = self._env.requirement_names
        info: Dict[str, Any] = {
            "time_s": self._env.time_s,
            "parameters": dict(self._env.parameters()),
            "seed": self._seed,
            "requirements": dict(zip(names, self._env.robustness())),
        }
        result = self._env.result()
        if result is not None:
            info["result"] = result
        return info

    def _lowest_gating(self) -> float:
        values = [r for r, g in zip(self._env.robustness(), self._env.requirement_gating) if g]
        values = [v for v in values if not np.isnan(v)]
        if not values:
            return 0.0
        return float(np.clip(min(values), -100.0, 100.0))

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None):
        """Starts a new episode; returns ``(observation, info)``."""
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        fixed = dict(self._parameters or {})
        if options and "parameters" in options:
            self._check_parameters(options["parameters"])
            fixed.update(options["parameters"])
        u = self._rng.random(len(self.parameter_names))
        values = list(self._env.from_unit(u.tolist()))
        for i, name in enumerate(self.parameter_names):
            if name in fixed:
                values[i] = float(fixed[name])
        self._seed = int(self._rng.integers(0, 2**63 - 1))
        self._env.reset(values, self._seed)
        self._started = True
        self._previous = None
        return self._env.observation(), self._info()

    def step(self, action: Any):
        """Applies ``action`` (action_size model outputs) for one control period.

        Returns ``(observation, reward, terminated, truncated, info)``.
        """
        if not self._started:
            raise RuntimeError("call reset() before step()")
        a = np.ascontiguousarray(action, dtype=np.float64).reshape(-1)
        self._env.step(a)
        info = self._info()
        if self._reward_fn is not None:
            reward = float(self._reward_fn(info))
        else:
            current = self._lowest_gating()
            reward = 0.0 if self._previous is None else current - self._previous
            self._previous = current
        return self._env.observation(), reward, bool(self._env.terminated), bool(self._env.truncated), info

    def trace(self) -> Dict[str, np.ndarray]:
        """The rows recorded so far: ``time`` and every signal of the scenario."""
        return self._env.trace()

    def close(self) -> None:
        """Nothing to release (for the Gymnasium API)."""
