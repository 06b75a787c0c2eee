#!/usr/bin/python3
"""torch.tanh / torch.exp / torch.log on float32 (PyTorch 1.13 CPU, SLEEF's u10 AVX2 kernels), bit patterns.

Writes test/fixtures/sleef.json: for a deterministic set of float32 inputs per op, the inputs and
outputs as uint32 bit patterns. Every torch call gets a length that is a multiple of 8 (all on the
vector path); the tool also checks that a tail element (a partial vector) gives the same bits.

  /usr/bin/python3 tools/sleef_reference.py              # writes the fixture
  /usr/bin/python3 tools/sleef_reference.py --sweep 10000000
      also compares the JS port (dist/src/kernels/js/sleef.js, `npm run build` first) and the wasm
      backend's tanh with torch on N random float32 inputs per op, through tools/sleef_sweep.mjs,
      and prints the mismatch counts. Not a test: it takes a minute.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS = {'tanh': torch.tanh, 'exp': torch.exp, 'log': torch.log}


def f32(a):
    return np.asarray(a, dtype=np.float32)


def pad8(x):
    """x padded with copies of its first element to a multiple of 8 (so torch vectorizes all)."""
    n = (-len(x)) % 8
    return np.concatenate([x, np.repeat(x[:1], n)]) if n else x


def run(op, x):
    """op on x (float32 array), computed in calls whose length is a multiple of 8."""
    xp = pad8(x)
    return OPS[op](torch.from_numpy(xp.copy())).numpy()[:len(x)]


def bits(a):
    return f32(a).view(np.uint32)


def inputs(op, rng):
    normal = np.concatenate([rng.standard_normal(400) * s for s in (0.1, 1, 3, 10)])
    tiny = np.concatenate([rng.standard_normal(64) * 1e-3, rng.standard_normal(64) * 1e-7,
                           rng.standard_normal(32) * 1e-20, [0.0, -0.0, 1e-45, -1e-45, 1.1754944e-38]])
    if op == 'tanh':
        cut = np.float32(8.664339742)
        near = np.concatenate([cut + rng.uniform(-0.01, 0.01, 64), -(cut + rng.uniform(-0.01, 0.01, 64)),
                               [np.nextafter(cut, np.float32(0)), cut, np.nextafter(cut, np.float32(20))]])
        # preactivations of a tanh after batch norm: about N(0, 1) with heavy tails, and gains 5/3
        typical = rng.standard_normal(800) * 5 / 3
        special = [np.inf, -np.inf, 20.0, -20.0, 88.0, 1e30]
        x = np.concatenate([normal, tiny, near, typical, special])
    elif op == 'exp':
        edge = np.concatenate([rng.uniform(-104, -86, 200), rng.uniform(86, 104, 200),
                               np.arange(-104.5, 104.5, 0.5)])
        special = [-np.inf, np.inf, 88.72283, 88.72284, -103.97, -104.0, 100.0, 100.1]
        x = np.concatenate([normal, tiny, edge, special])
    else:
        pos = np.abs(np.concatenate([normal, tiny]))
        sub = rng.uniform(0, 1, 200) * 1.1754944e-38
        wide = 10.0 ** rng.uniform(-37, 38, 400)
        ones = 1 + rng.standard_normal(200) * 1e-4
        special = [1.0, 0.0, -0.0, -1.0, np.inf, 3.4028235e38, 1e-45, 0.75, 1.3333334, 2.0, 0.5]
        x = np.concatenate([pos, sub, wide, ones, special])
    return f32(x)


def check_tail(op, x):
    """A partial vector (length 8k+3) gives the same bits as the full-vector path."""
    n = (len(x) // 8) * 8 - 5
    full = bits(OPS[op](torch.from_numpy(x[:n + 5].copy())).numpy())[:n]
    part = bits(OPS[op](torch.from_numpy(x[:n].copy())).numpy())
    if not np.array_equal(full, part):
        sys.exit(f'{op}: the tail of a call differs from the vector path')


def sweep(n, seed):
    rng = np.random.default_rng(seed)
    # mixtures across the ranges that matter for each op
    def mix(scale_sets):
        k = n // len(scale_sets)
        return f32(np.concatenate([draw(k) for draw in scale_sets]))
    xs = {
        'tanh': mix([lambda k: rng.standard_normal(k), lambda k: rng.standard_normal(k) * 3,
                     lambda k: rng.uniform(-9, 9, k), lambda k: rng.standard_normal(k) * 1e-3,
                     lambda k: np.sign(rng.standard_normal(k)) * 10.0 ** rng.uniform(-40, 1, k)]),
        'exp': mix([lambda k: rng.standard_normal(k), lambda k: rng.uniform(-105, 105, k),
                    lambda k: rng.standard_normal(k) * 10, lambda k: rng.standard_normal(k) * 1e-4]),
        'log': mix([lambda k: 10.0 ** rng.uniform(-45, 38.5, k), lambda k: rng.uniform(0, 4, k),
                    lambda k: 1 + rng.standard_normal(k) * 1e-3]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for op, x in xs.items():
            x = x[:(len(x) // 8) * 8]
            y = OPS[op](torch.from_numpy(x)).numpy()
            path = os.path.join(tmp, op + '.bin')
            np.concatenate([bits(x), bits(y)]).tofile(path)
            subprocess.run(['node', os.path.join(ROOT, 'tools', 'sleef_sweep.mjs'), op, path], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sweep', type=int, default=0, help='also compare N random inputs per op (no fixture change)')
    ap.add_argument('--seed', type=int, default=1234)
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.sweep:
        sweep(args.sweep, args.seed)
        return
    rng = np.random.default_rng(args.seed)
    out = {'torch': torch.__version__, 'cpuCapability': torch.backends.cpu.get_cpu_capability()
           if hasattr(torch.backends, 'cpu') and hasattr(torch.backends.cpu, 'get_cpu_capability') else None,
           'note': 'float32 bit patterns (uint32) of inputs x and torch outputs y; NaN outputs compare as NaN'}
    for op in OPS:
        x = inputs(op, rng)
        check_tail(op, x)
        y = run(op, x)
        out[op] = {'x': bits(x).tolist(), 'y': bits(y).tolist()}
    path = os.path.join(ROOT, 'test', 'fixtures', 'sleef.json')
    with open(path, 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
        fh.write('\n')
    print(f'wrote {path}: ' + ', '.join(f'{op} {len(out[op]["x"])}' for op in OPS))


if __name__ == '__main__':
    main()
