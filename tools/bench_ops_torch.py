#!/usr/bin/env python3
"""makemore.py's transformer Block (B 32, T 16, C 64, 4 heads), forward + backward on one CPU
thread: the PyTorch side of `npm run bench:ops`. Prints {"us_per_step": median of 3 repeats}.
Run with Debian's python3-torch: /usr/bin/python3 tools/bench_ops_torch.py --steps 200"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

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
bias = torch.tril(torch.ones(T, T)).view(1, 1, T, T)


def block(x):
    h = F.layer_norm(x, (C,), p['ln1.weight'], p['ln1.bias'])
    q, k, v = F.linear(h, p['c_attn.weight'], p['c_attn.bias']).split(C, dim=2)
    k = k.view(B, T, H, C // H).transpose(1, 2)
    q = q.view(B, T, H, C // H).transpose(1, 2)
    v = v.view(B, T, H, C // H).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    att = F.softmax(att.masked_fill(bias[:, :, :T, :T] == 0, float('-inf')), dim=-1)
    y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    x = x + F.linear(y, p['attn.c_proj.weight'], p['attn.c_proj.bias'])
    h = F.layer_norm(x, (C,), p['ln2.weight'], p['ln2.bias'])
    h = F.linear(h, p['c_fc.weight'], p['c_fc.bias'])
    h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * torch.pow(h, 3.0))))
    return x + F.linear(h, p['mlp.c_proj.weight'], p['mlp.c_proj.bias'])


for _ in range(5):
    block(x).backward(dy)
runs = []
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(steps):
        block(x).backward(dy)
    runs.append((time.perf_counter() - t0) / steps * 1e6)
print(json.dumps({'us_per_step': sorted(runs)[1], 'runs': runs, 'torch_version': torch.__version__}))
