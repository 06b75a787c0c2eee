#!/usr/bin/python3
"""Writes test/fixtures/batchnorm1d.json: torch.nn.BatchNorm1d's running statistics and outputs
over three training batches and one evaluation batch, for momentum 0.1 and momentum None (the
cumulative moving average), from PyTorch 1.13 (CPU, float32).

    /usr/bin/python3 tools/gen_batchnorm_fixture.py

Inputs are a fixed formula (no random state); float32 values are stored as plain numbers (exact
float32 values as doubles). The tests never need PyTorch, only this JSON.
"""
import json
import math
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "batchnorm1d.json")
N, F = 5, 3


def batch(k):
    return torch.tensor([[math.sin(1.7 * k + 0.9 * i + 2.3 * j) * (1 + j) + 0.25 * k for j in range(F)] for i in range(N)],
                        dtype=torch.float32)


def floats(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


cases = []
for momentum in (0.1, None):
    bn = torch.nn.BatchNorm1d(F, momentum=momentum)
    steps = []
    for k in range(3):
        x = batch(k)
        y = bn(x)
        steps.append({"x": floats(x), "y": floats(y), "running_mean": floats(bn.running_mean),
                      "running_var": floats(bn.running_var), "num_batches_tracked": int(bn.num_batches_tracked)})
    bn.eval()
    xe = batch(7)
    cases.append({"momentum": momentum, "steps": steps, "eval_x": floats(xe), "eval_y": floats(bn(xe))})

with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "n": N, "features": F, "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {OUT}")
