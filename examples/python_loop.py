"""The Python loop, notebook style: verify a controller, look at a failure, train-style episodes.

Run from the checkout after `tools/dev run`:  PYTHONPATH=build/python /usr/bin/python3 examples/python_loop.py
(or with the package installed: see docs/python.md). It trains nothing; it shows where each piece goes.
"""

import tempfile

import numpy as np

import gauntlet

# 1. The network under test, as the simulation evaluates it.
model = gauntlet.load_model("zoo/acc_good.onnx")
print(model, "->", model.eval(np.array([[30.0, 25.0, 2.0]])))

# 2. A formal bound next to the simulations: the commanded acceleration over the whole input range.
lo, hi = model.bounds([0, 0, -15], [150, 40, 40], method="crown")
print(f"acceleration over the input box: [{lo[0]:.3f}, {hi[0]:.3f}] m/s^2")


# 3. A candidate controller written in numpy, verified on the example suite in the slot `acc`.
def cautious(obs):
    gap, v, dv = obs[:, 0], obs[:, 1], obs[:, 2]
    ttc = np.where(dv > 0, gap / np.maximum(dv, 1e-6), np.inf)
    accel = np.where((ttc < 3.0) | (gap < 2.0 + 1.2 * v), -6.0, np.minimum(1.5, 0.5 * (30.0 - v)))
    return accel[:, None]


out = tempfile.mkdtemp(prefix="gauntlet_example_")
run = gauntlet.run("configs/example.yaml", out=out, models={"acc": cautious}, threads=2)
print(run.verdict, {k: run.summary[k] for k in ("instances", "passed", "failed")})
worst = min((r for r in run.results if r["status"] == "completed"),
            key=lambda r: min(q["robustness"] for q in r["requirements"] if q["gating"]))
print("worst instance:", worst["id"])

# 4. Monitor a requirement on any signal you have.
t = np.arange(0, 5, 0.1)
gap = 20 - 3 * t
print("robustness of 'always (gap > 2)':", gauntlet.monitor("always (gap > 2)", {"gap": gap}, dt=0.1)[0])

# 5. The scenario as an environment: the loop an RL trainer runs.
env = gauntlet.ScenarioEnv("configs/scenarios/lead_brake.yaml", seed=1)
for episode in range(3):
    obs, info = env.reset()
    total = 0.0
    while True:
        obs, reward, terminated, truncated, info = env.step(cautious(obs[None, :])[0])
        total += reward
        if terminated or truncated:
            break
    print(f"episode {episode}: {'terminated' if terminated else 'truncated'} at {info['time_s']:.2f} s, "
          f"return {total:.3f}, requirements {info['requirements']}")
