#!/usr/bin/python3
"""PyTorch reference run of Karpathy's makemore part 3 notebook (final BatchNorm MLP).

Run with Debian's PyTorch 1.13 (apt-get install python3-torch), i.e. the system interpreter:

    /usr/bin/python3 tools/notebook_reference.py                 # 200000 steps + 1000-step short run
    /usr/bin/python3 tools/notebook_reference.py --steps 5000 --short-steps 0

Results are merged into test/fixtures/notebook-reference.json under runs["<steps>"], so the
full run and the short run (used by fast tests) live side by side. The code below follows the
notebook cell by cell; torch.set_num_threads(1) keeps the float reductions deterministic.
"""
import argparse
import hashlib
import json
import os
import platform
import random
import struct
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = os.path.join(ROOT, "data", "names.txt")
OUT = os.path.join(ROOT, "test", "fixtures", "notebook-reference.json")


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def tensor_sha256(t):
    return hashlib.sha256(t.detach().contiguous().to(torch.float32).numpy().tobytes()).hexdigest()


def cpu_capability():
    try:
        return torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        for line in torch.__config__.show().splitlines():
            if "CPU capability usage" in line:
                return line.split(":", 1)[1].strip()
    return "unknown"


def run(max_steps):
    torch.set_num_threads(1)
    words = open(NAMES, "r").read().splitlines()
    chars = sorted(list(set("".join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    block_size = 3

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

    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8 * len(words))
    n2 = int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1])
    Xdev, Ydev = build_dataset(words[n1:n2])
    Xte, Yte = build_dataset(words[n2:])

    n_embd = 10
    n_hidden = 200
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    init_hashes = {name: tensor_sha256(p) for name, p in zip(["C", "W1", "W2", "b2"], parameters)}
    for p in parameters:
        p.requires_grad = True

    batch_size = 32
    losses_every_1000 = {}
    losses_first_20 = []
    printed = []
    first_ix = None
    t0 = time.perf_counter()
    for i in range(max_steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
        if first_ix is None:
            first_ix = ix.tolist()
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 100000 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        if i < 20 or i % 1000 == 0:
            v = loss.item()
            if i < 20:
                losses_first_20.append(v)
            if i % 1000 == 0:
                losses_every_1000[str(i)] = v
            if i % 10000 == 0:
                line = f"{i:7d}/{max_steps:7d}: {v:.4f}"
                printed.append(line)
                print(line, file=sys.stderr)
    train_s = time.perf_counter() - t0
    final_loss = loss.item() if max_steps > 0 else None

    @torch.no_grad()
    def split_loss(x, y):
        emb = C[x]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        return F.cross_entropy(logits, y).item()

    split = {"train": split_loss(Xtr, Ytr), "val": split_loss(Xdev, Ydev), "test": split_loss(Xte, Yte)}

    g2 = torch.Generator().manual_seed(2147483647 + 10)
    samples = []
    with torch.no_grad():
        for _ in range(20):
            out = []
            context = [0] * block_size
            while True:
                emb = C[torch.tensor([context])]
                embcat = emb.view(emb.shape[0], -1)
                hpreact = embcat @ W1
                hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
                h = torch.tanh(hpreact)
                logits = h @ W2 + b2
                probs = F.softmax(logits, dim=1)
                ix = torch.multinomial(probs, num_samples=1, generator=g2).item()
                context = context[1:] + [ix]
                out.append(ix)
                if ix == 0:
                    break
            samples.append("".join(itos[i] for i in out))

    final = {
        "C": C, "W1": W1, "W2": W2, "b2": b2, "bngain": bngain, "bnbias": bnbias,
        "bnmean_running": bnmean_running, "bnstd_running": bnstd_running,
    }
    return {
        "steps": max_steps,
        "first_minibatch": first_ix,
        "losses_first_20": losses_first_20,
        "losses_first_20_f32_bits": [f32_bits(v) for v in losses_first_20],
        "losses_every_1000": losses_every_1000,
        "printed": printed,
        "final_step_loss": final_loss,
        "split_loss": split,
        "samples": samples,
        "init_param_sha256": init_hashes,
        "final_param_sha256": {k: tensor_sha256(v) for k, v in final.items()},
        "final_param_sum": {k: float(v.detach().double().sum()) for k, v in final.items()},
        "train_wall_s": train_s,
        "us_per_step": (train_s / max_steps * 1e6) if max_steps else None,
        "dataset_sizes": {"train": Xtr.shape[0], "val": Xdev.shape[0], "test": Xte.shape[0]},
        "n1": n1,
        "n2": n2,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200000)
    ap.add_argument("--short-steps", type=int, default=1000, help="extra short run for fast tests (0: skip)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()

    doc = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            doc = json.load(f)
    doc["config"] = {
        "block_size": 3, "n_embd": 10, "n_hidden": 200, "batch_size": 32, "vocab_size": 27,
        "seed_torch": 2147483647, "seed_sample": 2147483647 + 10, "seed_python": 42,
        "lr": "0.1 if i < 100000 else 0.01", "bn_momentum": 0.001, "std": "unbiased (torch.std)",
        "init": "C~N(0,1); W1~N(0,1)*(5/3)/sqrt(30); W2~N(0,1)*0.01; b2=randn*0; bngain=1; bnbias=0",
    }
    doc["environment"] = {
        "torch_version": torch.__version__,
        "cpu_capability": cpu_capability(),
        "num_threads": 1,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }
    runs = doc.setdefault("runs", {})
    for steps in [s for s in (args.short_steps, args.steps) if s and s > 0]:
        t0 = time.perf_counter()
        r = run(steps)
        r["total_wall_s"] = time.perf_counter() - t0
        runs[str(steps)] = r
        print(f"steps={steps} split={r['split_loss']} us/step={r['us_per_step']:.1f}", file=sys.stderr)
    doc["runs"] = {k: runs[k] for k in sorted(runs, key=int)}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
