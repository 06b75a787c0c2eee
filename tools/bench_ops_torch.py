#!/usr/bin/env python3
"""makemore.py's transformer Block (B 32, T 16, C 64, 4 heads), forward + backward on one CPU
thread: the PyTorch side of `npm run bench:ops`. Prints {"us_per_step": median of 3 repeats}.
Run with Debian's python3-torch: /usr/bin/python3 tools/bench_ops_torch.py --steps 200"""
import argparse
import json
import time

import torch

from makemore_block import block

ap = argparse.ArgumentParser()
ap.add_argument('--steps', type=int, default=200)
steps = ap.parse_args().steps
torch.set_num_threads(1)
torch.manual_seed(1)
B, T, C, H = 32, 16, 64, 4
shapes = {
    'ln1.weight': (C,), 'ln1.bias': (C,), 'c_attn.weight': (3 * C, C), 'c_attn.bias': (3 * C,),
    'attn.c_proj.weight': (C, C), 'attn.c_proj.bias': (C,), 'ln2.weight': (C,), 'ln2.bias': (C,),
    'c_fc.weight': (4 * C, C), 'c_fc.bias': (4 * C,), 'mlp.c_proj.weight': (C, 4 * C), 'mlp.c_proj.bias': (C,),
}
p = {k: (torch.rand(*s) - 0.5).requires_grad_(True) for k, s in shapes.items()}
x = (torch.rand(B, T, C) - 0.5).requires_grad_(True)
dy = torch.rand(B, T, C) - 0.5

for _ in range(5):
    block(x, p, H).backward(dy)
runs = []
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(steps):
        block(x, p, H).backward(dy)
    runs.append((time.perf_counter() - t0) / steps * 1e6)
print(json.dumps({'us_per_step': sorted(runs)[1], 'runs': runs, 'torch_version': torch.__version__}))
