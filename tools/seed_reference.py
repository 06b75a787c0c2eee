#!/usr/bin/python3
"""PyTorch reference run of the seed notebook (../shared/seed/000_8d1ef57becbf00ed.txt), on the CPU.

Run with Debian's PyTorch 1.13 (the system interpreter):

    /usr/bin/python3 tools/seed_reference.py            # fixtures: replay with max_steps 2000, train 1000 steps
    /usr/bin/python3 tools/seed_reference.py --full     # both at 200000 steps, to runs/seed-reference-200000.json

The cells are the seed's code as written, with torch.set_default_device("mps") dropped (CPU) and
max_steps a parameter. One generator g runs through every cell, as in the notebook. Each cell's
printed lines are recorded exactly as Python prints them (captured stdout), with the floats
behind them, so the TypeScript replay can be compared line by line.

"replay": cells 3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 34 in order.
"train": cells 2-3, then 11, 13, 14 (train, val and test) and 34 from a fresh generator: what
`makemore train --preset seed` runs.
"""
import argparse
import contextlib
import io
import json
import os
import platform
import random
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = os.path.join(ROOT, "data", "names.txt")
OUT = os.path.join(ROOT, "test", "fixtures", "seed-reference.json")


class Cells:
    """The notebook's globals; each method is one cell, as written (print() captured per cell)."""

    def __init__(self, max_steps):
        self.cells = []
        self.max_steps = max_steps
        # In [2]
        self.g = torch.Generator().manual_seed(2147483647)
        words = open(NAMES, "r").read().splitlines()
        chars = sorted(list(set("".join(words))))
        self.stoi = {s: i + 1 for i, s in enumerate(chars)}
        self.stoi["."] = 0
        self.itos = {i: s for s, i in self.stoi.items()}
        self.vocab_size = len(self.itos)
        self.words = words

    def run(self, cell, fn):
        buf = io.StringIO()
        values = []
        with contextlib.redirect_stdout(buf):
            fn(values)
        lines = buf.getvalue().splitlines()
        self.cells.append({"cell": cell, "lines": lines, "values": values})
        for line in lines:
            print(f"[{cell}] {line}", file=sys.stderr)

    def cell3(self, values):
        self.block_size = block_size = 3
        stoi = self.stoi

        def build_dataset(words):
            X, Y = [], []
            for w in words:
                context = [0] * block_size
                for ch in w + ".":
                    ix = stoi[ch]
                    X.append(context)
                    Y.append(ix)
                    context = context[1:] + [ix]
            return torch.tensor(X), torch.tensor(Y)

        words = self.words
        random.seed(42)
        random.shuffle(words)
        n1 = int(0.8 * len(words))
        n2 = int(0.9 * len(words))
        self.Xtr, self.Ytr = build_dataset(words[:n1])
        self.Xdev, self.Ydev = build_dataset(words[n1:n2])
        self.Xte, self.Yte = build_dataset(words[n2:])
        # the cell prints nothing; the replay shows the split shapes
        for t in (self.Xtr, self.Ytr, self.Xdev, self.Ydev, self.Xte, self.Yte):
            print(t.shape)

    def params(self, values, with_b1, with_bn):
        g, vocab_size, block_size = self.g, self.vocab_size, self.block_size
        n_embd = 10
        n_hidden = 200
        tanh_gain = 5 / 3
        self.C = torch.randn((vocab_size, n_embd), generator=g)
        self.W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * tanh_gain / (n_embd * block_size)**0.5
        self.b1 = torch.rand(n_hidden, generator=g) / n_hidden**0.5 if with_b1 else None
        self.W2 = torch.randn((n_hidden, vocab_size), generator=g) * (2 / (n_hidden + vocab_size))**0.5
        self.b2 = torch.rand(vocab_size, generator=g) / vocab_size**0.5
        self.parameters = [self.C, self.W1] + ([self.b1] if with_b1 else []) + [self.W2, self.b2]
        if with_bn:
            self.bngain = torch.ones((1, n_hidden))
            self.bnbias = torch.zeros((1, n_hidden))
            self.parameters += [self.bngain, self.bnbias]
            self.bnmean_running = torch.zeros((1, n_hidden))
            self.bnstd_running = torch.ones((1, n_hidden))
        print(sum(p.nelement() for p in self.parameters))
        values.append(sum(p.nelement() for p in self.parameters))
        for p in self.parameters:
            p.requires_grad = True

    def step(self, epoch, kind):
        """kind 4: cell 4's model (no BN); 7: BN with b1, no eps; 11: BN, eps, running stats."""
        g = self.g
        batch_size = 32
        ix = torch.randint(0, self.Xtr.shape[0], (batch_size,), generator=g)
        Xb, Yb = self.Xtr[ix], self.Ytr[ix]
        emb = self.C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        if kind == 4:
            hpreact = embcat @ self.W1 + self.b1
            self.hpreact = hpreact
            h = torch.tanh(hpreact)
        elif kind == 7:
            hpreact = embcat @ self.W1 + self.b1
            hpreact_mean = hpreact.mean(0, keepdim=True)
            hpreact_std = hpreact.std(0, keepdim=True)
            hpreact_gaus = (hpreact - hpreact_mean) / hpreact_std
            hpreact_bn = self.bngain * hpreact_gaus + self.bnbias
            h = torch.tanh(hpreact_bn)
        else:
            hpreact = embcat @ self.W1
            hpreact_mean = hpreact.mean(0, keepdim=True)
            hpreact_std = hpreact.std(0, keepdim=True)
            hpreact_gaus = (hpreact - hpreact_mean) / (hpreact_std + 1e-5)
            hpreact_bn = self.bngain * hpreact_gaus + self.bnbias
            with torch.no_grad():
                self.bnmean_running = 0.999 * self.bnmean_running + 0.001 * hpreact_mean
                self.bnstd_running = 0.999 * self.bnstd_running + 0.001 * hpreact_std
            h = torch.tanh(hpreact_bn)
        logits = h @ self.W2 + self.b2
        loss = F.cross_entropy(logits, Yb)
        for p in self.parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if epoch < 100000 else 0.01
        for p in self.parameters:
            p.data += -lr * p.grad
        if kind != 4 and epoch % 10000 == 0:
            print(f'{epoch:7d}/{self.max_steps:7d}: {loss.item():.4f}')
        return loss

    def cell5(self, values):
        self.step(0, 4)
        hpreact = self.hpreact
        print(hpreact.shape)
        print("Mean:", hpreact.mean().item())
        print("Standard Deviation:", hpreact.std().item())
        values += [hpreact.mean().item(), hpreact.std().item()]

    def cell6(self, values):
        hpreact = self.hpreact
        print(hpreact.mean(0, keepdim=True).shape)
        print(hpreact.std(0, keepdim=True).shape)
        hpreact_unit = (hpreact - hpreact.mean(0, keepdim=True)) / hpreact.std(0, keepdim=True)
        print("Mean:", hpreact_unit.mean().item())
        print("Standard Deviation:", hpreact_unit.std().item())
        values += [hpreact_unit.mean().item(), hpreact_unit.std().item()]

    def train(self, values, kind):
        for epoch in range(self.max_steps):
            loss = self.step(epoch, kind)
            if epoch % 10000 == 0:
                values.append(loss.item())

    @torch.no_grad()
    def split_loss(self, split, kind, values):
        x, y = {"train": (self.Xtr, self.Ytr), "val": (self.Xdev, self.Ydev), "test": (self.Xte, self.Yte)}[split]
        emb = self.C[x]
        embcat = emb.view(emb.shape[0], -1)
        if kind == 7:
            hpreact = embcat @ self.W1 + self.b1
            hpreact_mean = hpreact.mean(0, keepdim=True)
            hpreact_std = hpreact.std(0, keepdim=True)
            hpreact_gaus = (hpreact - hpreact_mean) / hpreact_std
        else:
            hpreact = embcat @ self.W1
            hpreact_gaus = (hpreact - self.bnmean_running) / self.bnstd_running
        hpreact_bn = self.bngain * hpreact_gaus + self.bnbias
        h = torch.tanh(hpreact_bn)
        logits = h @ self.W2 + self.b2
        loss = F.cross_entropy(logits, y)
        print(split, loss.item())
        values.append(loss.item())

    @torch.no_grad()
    def cell34(self, values, count=10):
        for _ in range(count):
            out = []
            context = [0] * self.block_size
            while True:
                emb = self.C[torch.tensor([context])]
                embcat = emb.view(emb.shape[0], -1)
                hpreact = embcat @ self.W1
                hpreact_gaus = (hpreact - self.bnmean_running) / self.bnstd_running
                hpreact_bn = self.bngain * hpreact_gaus + self.bnbias
                h = torch.tanh(hpreact_bn)
                logits = h @ self.W2 + self.b2
                probs = F.softmax(logits, dim=1)
                ix = torch.multinomial(probs, num_samples=1, generator=self.g).item()
                context = context[1:] + [ix]
                out.append(ix)
                if ix == 0:
                    break
            print(''.join(self.itos[i] for i in out))


def replay(max_steps):
    c = Cells(max_steps)
    c.run(3, c.cell3)
    c.run(4, lambda v: c.params(v, with_b1=True, with_bn=False))
    c.run(5, c.cell5)
    c.run(6, c.cell6)
    c.run(7, lambda v: c.params(v, with_b1=True, with_bn=True))
    c.run(8, lambda v: c.train(v, 7))
    c.run(9, lambda v: [c.split_loss(s, 7, v) for s in ("train", "val")])
    c.run(11, lambda v: c.params(v, with_b1=False, with_bn=True))
    c.run(13, lambda v: c.train(v, 11))
    c.run(14, lambda v: [c.split_loss(s, 11, v) for s in ("train", "val")])
    c.run(34, c.cell34)
    return {"max_steps": max_steps, "cells": c.cells}


def train(max_steps):
    c = Cells(max_steps)
    c.run(3, c.cell3)
    c.run(11, lambda v: c.params(v, with_b1=False, with_bn=True))
    c.run(13, lambda v: c.train(v, 11))
    c.run(14, lambda v: [c.split_loss(s, 11, v) for s in ("train", "val", "test")])
    c.run(34, c.cell34)
    return {"max_steps": max_steps, "cells": c.cells}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="200000 steps each, written to runs/ (for the README)")
    ap.add_argument("--only", choices=["replay", "train"], help="run one of the two (with --full: its own file in runs/)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    steps_replay, steps_train = (200000, 200000) if args.full else (2000, 1000)
    suffix = f"-{args.only}" if args.only else ""
    out = os.path.join(ROOT, "runs", f"seed-reference-200000{suffix}.json") if args.full else OUT
    if args.only and not args.full:
        sys.exit("--only writes a partial document: use it with --full (the fixture needs both runs)")
    t0 = time.perf_counter()
    doc = {
        "generator": "tools/seed_reference.py" + (" --full" if args.full else "") + (f" --only {args.only}" if args.only else ""),
        "environment": {"torch_version": torch.__version__, "num_threads": 1, "python": platform.python_version(), "machine": platform.machine()},
    }
    if args.only != "train":
        doc["replay"] = replay(steps_replay)
    if args.only != "replay":
        doc["train"] = train(steps_train)
    doc["wall_s"] = time.perf_counter() - t0
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out} in {doc['wall_s']:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
