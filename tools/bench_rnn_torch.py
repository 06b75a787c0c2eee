#!/usr/bin/python3
"""makemore.py's RNN or GRU (its own classes, default config on names: vocab 27, block 16, n_embd 64,
n_embd2 64) trained one step at a time on one CPU thread: forward, the masked loss, backward and
makemore.py's AdamW, on a fixed batch of 32 words (the first 32 of data/names.txt, encoded as
makemore.py's CharDataset). The PyTorch side of bench/rnn.ts. Prints {"us_per_step": median of 3}.

    /usr/bin/python3 tools/bench_rnn_torch.py --type gru --steps 200
"""
import argparse
import json
import os
import sys
import time
import warnings

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'makemore_py'))
import makemore  # noqa: E402

warnings.filterwarnings('ignore')  # F.tanh / F.sigmoid deprecation, once per call
ap = argparse.ArgumentParser()
ap.add_argument('--type', choices=['rnn', 'gru'], default='rnn')
ap.add_argument('--steps', type=int, default=200)
args = ap.parse_args()
torch.set_num_threads(1)
torch.manual_seed(3407)

words = open(os.path.join(ROOT, 'data', 'names.txt')).read().split()
chars = sorted(set(''.join(words)))
T = max(len(w) for w in words) + 1
ds = makemore.CharDataset(words[:32], chars, T - 1)
X = torch.stack([ds[i][0] for i in range(32)])
Y = torch.stack([ds[i][1] for i in range(32)])
config = makemore.ModelConfig(vocab_size=len(chars) + 1, block_size=T, n_layer=4, n_head=4, n_embd=64, n_embd2=64)
model = makemore.RNN(config, cell_type=args.type)
opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)


def step():
    logits, loss = model(X, Y)
    model.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


for _ in range(5):
    step()
runs = []
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    runs.append((time.perf_counter() - t0) / args.steps * 1e6)
print(json.dumps({'type': args.type, 'us_per_step': sorted(runs)[1], 'runs': runs, 'loss': loss.item(), 'torch_version': torch.__version__}))
