#!/usr/bin/python3
"""Trains the model zoo of Gauntlet and writes it to zoo/ (run: /usr/bin/python3 tools/make_zoo.py).

Controllers for the `lead_brake` scenario family: the ego follows a lead on a straight road and the
lead brakes. Observation (raw SI units, in this order):
    gap_m              bumper-to-bumper gap, 0..150
    speed_mps          ego speed, 0..40
    closing_speed_mps  ego speed - lead speed, -15..40
Output: one value, the commanded acceleration in m/s^2 (the vehicle model clips it to [-9, 3]).

Models (3-32-32-1 tanh MLPs, input scaling and output clipping inside the graph, float64, opset 13):
  zoo/acc_good.onnx     imitates a SAFE teacher: IDM with v0=35 m/s, T=1.2 s, s0=2 m, a=1.5 m/s^2,
                        b=3 m/s^2, delta=4, its output clipped only to [-9, 3].
  zoo/acc_flawed.onnx   imitates the same teacher with a deliberate flaw, "saturated braking
                        authority": when the closing speed is above 12 m/s AND the gap is below 15 m,
                        it brakes at no more than 3 m/s^2 (its command is max(idm, -3)). Everywhere
                        else it is the good teacher. The flaw only matters when the lead brakes hard
                        at short gap and high speed, so it is a small, findable corner of lead_brake.

Golden outputs: zoo/<model>.golden.csv, 300 random observations and torch's float64 outputs
(header gap_m,speed_mps,closing_speed_mps,accel_mps2; values printed with %.17g). Evaluating the
ONNX file in float64 must reproduce them to 1e-9 relative.

The script also simulates lead_brake (straight road, exact constant-acceleration steps, dt 0.01 s,
12 s, control every step, ego accel clipped to [-9, 3], speeds never negative) over uniformly random
instances from the scenario ranges, for the teacher and the two models, and prints collision rates,
so the claims above are checked each time the zoo is rebuilt.

Also writes tests/models/testdata/acasxu_reference.csv: float64 numpy outputs of three ACAS Xu ONNX
networks (read from data/acasxu) on 50 random normalised inputs each.

And tests/models/testdata/torch_mixed_opset{9,11,13,17}.onnx + torch_mixed.golden.csv: one network
using Flatten, Gemm/MatMul, BatchNormalization, LeakyRelu, Dropout, Sigmoid, Softplus, Concat, Tanh,
Unsqueeze, Squeeze, Relu, Neg, Sub, Div, Mul, Reshape and Clip, exported at four opsets, with torch's
float64 outputs (`--testdata-only` writes just these and skips the zoo).

Deterministic: fixed seeds everywhere; run it twice and the files are identical.
"""

import csv
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = os.path.join(ROOT, "zoo")
TESTDATA = os.path.join(ROOT, "tests", "models", "testdata")
ACASXU = os.path.join(ROOT, "data", "acasxu", "onnx")

OBS_LO = torch.tensor([0.0, 0.0, -15.0])
OBS_HI = torch.tensor([150.0, 40.0, 40.0])
ACCEL_MIN, ACCEL_MAX = -9.0, 3.0

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


# --------------------------------------------------------------------------- teachers

def idm(gap, speed, closing, v0=35.0, T=1.2, s0=2.0, a=1.5, b=3.0, delta=4.0):
    """Intelligent Driver Model acceleration, clipped only to the actuator range [-9, 3]."""
    gap = torch.clamp(gap, min=0.05)
    s_star = s0 + torch.clamp(speed * T + speed * closing / (2.0 * math.sqrt(a * b)), min=0.0)
    acc = a * (1.0 - (speed / v0) ** delta - (s_star / gap) ** 2)
    return torch.clamp(acc, ACCEL_MIN, ACCEL_MAX)


FLAW_CLOSING_MPS = 12.0
FLAW_GAP_M = 15.0
FLAW_BRAKE_MPS2 = -3.0


def flawed_teacher(gap, speed, closing):
    """The good teacher, except: closing > 12 m/s and gap < 15 m brakes at only 3 m/s^2."""
    acc = idm(gap, speed, closing)
    corner = (closing > FLAW_CLOSING_MPS) & (gap < FLAW_GAP_M)
    return torch.where(corner, torch.clamp(acc, min=FLAW_BRAKE_MPS2), acc)


# --------------------------------------------------------------------------- model

class Controller(torch.nn.Module):
    """Raw observation -> scaled -> MLP -> clipped acceleration, all inside the exported graph."""

    def __init__(self):
        super().__init__()
        self.register_buffer("center", (OBS_LO + OBS_HI) / 2.0)
        self.register_buffer("half_range", (OBS_HI - OBS_LO) / 2.0)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(3, 32), torch.nn.Tanh(),
            torch.nn.Linear(32, 32), torch.nn.Tanh(),
            torch.nn.Linear(32, 1))

    def forward(self, obs):
        x = (obs - self.center) / self.half_range
        return torch.clamp(6.0 * self.net(x), ACCEL_MIN, ACCEL_MAX)


def sample_states(gen, n):
    """Training states: half uniform over the observation box, half in the near field."""
    u = torch.rand(n, 3, generator=gen)
    box = OBS_LO + u * (OBS_HI - OBS_LO)
    near_lo = torch.tensor([0.0, 0.0, -10.0])
    near_hi = torch.tensor([60.0, 40.0, 30.0])
    near = near_lo + torch.rand(n, 3, generator=gen) * (near_hi - near_lo)
    return torch.cat([box, near])


def train(teacher, seed, steps=4000):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = Controller()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for step in range(steps):
        obs = sample_states(gen, 2048)
        target = teacher(obs[:, 0], obs[:, 1], obs[:, 2]).unsqueeze(1)
        # unclipped output in the loss so the clip does not kill gradients
        x = (obs - model.center) / model.half_range
        pred = 6.0 * model.net(x)
        loss = torch.mean((torch.clamp(pred, ACCEL_MIN - 0.5, ACCEL_MAX + 0.5) - target) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0 or step == steps - 1:
            print(f"  step {step:5d} loss {loss.item():.5f}", file=sys.stderr)
    model.eval()
    return model


# --------------------------------------------------------------------------- lead_brake simulation

def sample_instances(gen, n):
    lo = torch.tensor([10.0, 10.0, 8.0, 0.5, 1.0])
    hi = torch.tensor([35.0, 35.0, 60.0, 5.0, 8.0])
    return lo + torch.rand(n, 5, generator=gen) * (hi - lo)  # ego v, lead v, gap, brake time, decel


def travel(speed, accel, dt):
    """Exact constant-acceleration step that stops at zero speed."""
    new_speed = speed + accel * dt
    stops = new_speed < 0.0
    t_stop = torch.where(stops, speed / torch.clamp(-accel, min=1e-12), torch.full_like(speed, dt))
    dist = torch.where(stops, speed * t_stop / 2.0, speed * dt + 0.5 * accel * dt * dt)
    return dist, torch.clamp(new_speed, min=0.0)


def simulate(policy, params, dt=0.01, duration=12.0):
    """Returns a boolean tensor: did the instance collide (gap <= 0)?"""
    ego_v, lead_v, gap, t_brake, decel = params.unbind(1)
    ego_v, lead_v, gap = ego_v.clone(), lead_v.clone(), gap.clone()
    collided = torch.zeros_like(gap, dtype=torch.bool)
    with torch.no_grad():
        for step in range(int(round(duration / dt))):
            t = step * dt
            obs = torch.stack([gap, ego_v, ego_v - lead_v], dim=1)
            acc = torch.clamp(policy(obs).reshape(-1), ACCEL_MIN, ACCEL_MAX)
            lead_acc = torch.where(t >= t_brake, -decel, torch.zeros_like(decel))
            d_ego, ego_v = travel(ego_v, acc, dt)
            d_lead, lead_v = travel(lead_v, lead_acc, dt)
            gap = gap + d_lead - d_ego
            collided |= gap <= 0.0
    return collided


def report_collisions(models):
    gen = torch.Generator().manual_seed(7)
    params = sample_instances(gen, 20000)
    teacher_policies = {
        "teacher_good": lambda o: idm(o[:, 0], o[:, 1], o[:, 2]),
        "teacher_flawed": lambda o: flawed_teacher(o[:, 0], o[:, 1], o[:, 2]),
    }
    rows = []
    for name, policy in list(teacher_policies.items()) + list(models.items()):
        hit = simulate(policy, params)
        rows.append((name, hit))
        print(f"lead_brake collisions, {name:15s}: {hit.float().mean().item() * 100:6.2f}% of 20000", file=sys.stderr)
    good = dict(rows)["acc_good"]
    flawed = dict(rows)["acc_flawed"]
    only_flawed = flawed & ~good
    print(f"collide with acc_flawed but not acc_good: {only_flawed.float().mean().item() * 100:.2f}%",
          file=sys.stderr)
    if only_flawed.any():
        p = params[only_flawed]
        print("  those instances: ego v %.1f..%.1f, lead v %.1f..%.1f, gap %.1f..%.1f, decel %.1f..%.1f" % (
            p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max(), p[:, 2].min(), p[:, 2].max(),
            p[:, 4].min(), p[:, 4].max()), file=sys.stderr)


# --------------------------------------------------------------------------- export and goldens

def export(model, path):
    torch.onnx.export(model, torch.zeros(1, 3), path, input_names=["observation"], output_names=["accel_mps2"],
                      dynamic_axes={"observation": {0: "batch"}, "accel_mps2": {0: "batch"}}, opset_version=13)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    m.producer_name = "gauntlet tools/make_zoo.py"
    m.producer_version = ""
    onnx.save(m, path)


def write_golden(model, path, seed):
    gen = torch.Generator().manual_seed(seed)
    obs = OBS_LO + torch.rand(300, 3, generator=gen) * (OBS_HI - OBS_LO)
    with torch.no_grad():
        out = model(obs)
    with open(path, "w", newline="") as f:
        f.write("gap_m,speed_mps,closing_speed_mps,accel_mps2\n")
        for o, y in zip(obs.tolist(), out.reshape(-1).tolist()):
            f.write(",".join("%.17g" % v for v in o + [y]) + "\n")


def acasxu_reference(path):
    """Float64 numpy outputs of a few ACAS Xu networks (a plain walk over their linear node chain)."""
    rng = np.random.default_rng(11)
    rows = []
    for net in ["ACASXU_run2a_1_1_batch_2000.onnx", "ACASXU_run2a_3_4_batch_2000.onnx",
                "ACASXU_run2a_5_9_batch_2000.onnx"]:
        m = onnx.load(os.path.join(ACASXU, net))
        init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
        for _ in range(50):
            x = rng.uniform(-0.5, 0.5, size=5)
            values = {"input": x.reshape(1, 1, 1, 5)}
            values.update(init)
            for node in m.graph.node:
                a = [values[i] for i in node.input]
                if node.op_type == "Sub":
                    y = a[0] - a[1]
                elif node.op_type == "Flatten":
                    y = a[0].reshape(a[0].shape[0], -1)
                elif node.op_type == "MatMul":
                    y = a[0] @ a[1]
                elif node.op_type == "Add":
                    y = a[0] + a[1]
                elif node.op_type == "Relu":
                    y = np.maximum(a[0], 0.0)
                else:
                    raise RuntimeError("unexpected op " + node.op_type)
                values[node.output[0]] = y
            out = values[m.graph.output[0].name].reshape(-1)
            rows.append([net] + ["%.17g" % v for v in list(x) + list(out)])
    with open(path, "w", newline="") as f:
        f.write("network,x0,x1,x2,x3,x4,y0,y1,y2,y3,y4\n")
        for r in rows:
            f.write(",".join(r) + "\n")


class MixedOps(torch.nn.Module):
    """Every operator a PyTorch MLP export tends to produce, for the loader's opset tests."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(4, 8)
        self.bn = torch.nn.BatchNorm1d(8, eps=2.0 ** -16)  # float-exact attributes
        self.drop = torch.nn.Dropout(0.3)
        self.b = torch.nn.Linear(16, 6)
        self.c = torch.nn.Linear(6, 3, bias=False)

    def forward(self, x):
        x = torch.nn.Flatten()(x)
        h = self.drop(torch.nn.functional.leaky_relu(self.bn(self.a(x)), 0.125))
        h = torch.cat([torch.sigmoid(h), torch.nn.functional.softplus(h)], dim=1)
        h = torch.tanh(self.b(h)).unsqueeze(1).squeeze(1)
        h = torch.relu(-h) - h / 4 + h * 2
        return torch.clamp(self.c(h).reshape(-1, 3), -0.5, 0.75)


def mixed_ops_exports():
    """tests/models/testdata/torch_mixed_opset<N>.onnx (N = 9, 11, 13, 17) and their golden outputs."""
    torch.manual_seed(3)
    model = MixedOps()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-1, 1)
        model.bn.running_var.uniform_(0.5, 2)
    model.eval()
    for opset in [9, 11, 13, 17]:
        path = os.path.join(TESTDATA, "torch_mixed_opset%d.onnx" % opset)
        torch.onnx.export(model, torch.zeros(1, 4), path, opset_version=opset, input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
        m = onnx.load(path)
        m.producer_version = ""
        onnx.save(m, path)
    gen = torch.Generator().manual_seed(4)
    xs = torch.rand(40, 4, generator=gen) * 6.0 - 3.0
    with torch.no_grad():
        ys = model(xs)
    with open(os.path.join(TESTDATA, "torch_mixed.golden.csv"), "w", newline="") as f:
        f.write("x0,x1,x2,x3,y0,y1,y2\n")
        for x, y in zip(xs.tolist(), ys.tolist()):
            f.write(",".join("%.17g" % v for v in x + y) + "\n")


def main():
    os.makedirs(ZOO, exist_ok=True)
    os.makedirs(TESTDATA, exist_ok=True)
    if "--testdata-only" in sys.argv:
        mixed_ops_exports()
        return
    mixed_ops_exports()
    models = {}
    for name, teacher, seed in [("acc_good", idm, 1), ("acc_flawed", flawed_teacher, 2)]:
        print(f"training {name}", file=sys.stderr)
        model = train(teacher, seed)
        export(model, os.path.join(ZOO, name + ".onnx"))
        write_golden(model, os.path.join(ZOO, name + ".golden.csv"), seed + 100)
        models[name] = model
    report_collisions(models)
    if os.path.isdir(ACASXU):
        acasxu_reference(os.path.join(TESTDATA, "acasxu_reference.csv"))


if __name__ == "__main__":
    main()
