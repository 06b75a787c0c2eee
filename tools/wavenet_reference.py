#!/usr/bin/python3
"""PyTorch reference run of the hierarchical "WaveNet" MLP of makemore part 5, on the CPU.

Run with Debian's PyTorch 1.13 (the system interpreter):

    /usr/bin/python3 tools/wavenet_reference.py             # fixture: 1,000 steps, a loss line every 100
    /usr/bin/python3 tools/wavenet_reference.py --full      # 200,000 steps, to docs/reference/wavenet-reference-200000.json

The code is the lecture notebook's (lectures/makemore/makemore_part5_cnn1.ipynb, cells 2-15) as
written: its own layer classes, the global generator seeded by torch.manual_seed(42) before the
model is built, random.seed(42) for the split, minibatches with torch.randint from the global
generator, lr 0.1 then 0.01 from step 150,000, eval mode, split losses, 20 samples continuing the
global generator. Only max_steps and the print interval are parameters. Also written: each
parameter's sum and sum of squares at init (float64 of the float32 values), under PyTorch
Sequential names (layers.<i>.<name>; the lecture's Linear weight is (fan_in, fan_out)).
"""
import argparse
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
OUT = os.path.join(ROOT, "test", "fixtures", "wavenet-reference.json")


# ---- the lecture's classes (cell 7), as written -------------------------------------------------
class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5  # note: kaiming init
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            if x.ndim == 2:
                dim = 0
            elif x.ndim == 3:
                dim = (0, 1)
            xmean = x.mean(dim, keepdim=True)
            xvar = x.var(dim, keepdim=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


class Embedding:
    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def lecture_model(vocab_size, n_embd=24, n_hidden=128):
    """Cell 9: the hierarchical network, drawn from the global generator (also tools/bench_torch.py)."""
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, vocab_size),
    ])
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # last layer make less confident
    return model


def named_parameters(model):
    """PyTorch Sequential names: layers.<i>.weight/bias (BatchNorm's gamma/beta as weight/bias)."""
    out = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, BatchNorm1d):
            out += [(f"layers.{i}.weight", layer.gamma), (f"layers.{i}.bias", layer.beta)]
        elif isinstance(layer, (Linear, Embedding)):
            out.append((f"layers.{i}.weight", layer.weight))
            if isinstance(layer, Linear) and layer.bias is not None:
                out.append((f"layers.{i}.bias", layer.bias))
    return out


def checksum(t):
    d = t.detach().double()
    return {"shape": list(t.shape), "sum": d.sum().item(), "sumsq": (d * d).sum().item()}


def run(max_steps, print_every):
    # cells 2-5
    words = open(NAMES, "r").read().splitlines()
    chars = sorted(list(set("".join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    random.seed(42)
    random.shuffle(words)
    block_size = 8

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

    n1 = int(0.8 * len(words))
    n2 = int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1])
    Xdev, Ydev = build_dataset(words[n1:n2])
    Xte, Yte = build_dataset(words[n2:])

    # cells 8-9
    torch.manual_seed(42)
    model = lecture_model(vocab_size)
    parameters = model.parameters()
    n_params = sum(p.nelement() for p in parameters)
    init = {name: checksum(p) for name, p in named_parameters(model)}
    for p in parameters:
        p.requires_grad = True

    # cell 10
    batch_size = 32
    lines, losses = [], []
    t0 = time.perf_counter()
    for i in range(max_steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 150000 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        if i % print_every == 0:
            line = f'{i:7d}/{max_steps:7d}: {loss.item():.4f}'
            lines.append(line)
            losses.append(loss.item())
            print(line, file=sys.stderr)
    train_s = time.perf_counter() - t0

    # cells 12-13 (and test)
    for layer in model.layers:
        layer.training = False
    split = {}
    with torch.no_grad():
        for name, (x, y) in {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}.items():
            split[name] = F.cross_entropy(model(x), y).item()
            print(name, split[name], file=sys.stderr)

    # cell 15
    samples = []
    with torch.no_grad():
        for _ in range(20):
            out = []
            context = [0] * block_size
            while True:
                logits = model(torch.tensor([context]))
                probs = F.softmax(logits, dim=1)
                ix = torch.multinomial(probs, num_samples=1).item()
                context = context[1:] + [ix]
                out.append(ix)
                if ix == 0:
                    break
            samples.append("".join(itos[i] for i in out))
    print("\n".join(samples), file=sys.stderr)
    final = {name: checksum(p) for name, p in named_parameters(model)}
    return {
        "max_steps": max_steps, "print_every": print_every, "lr_decay_step": 150000,
        "examples": {"train": len(Ytr), "val": len(Ydev), "test": len(Yte)},
        "parameters": n_params, "init": init,
        "loss_lines": lines, "losses": losses, "split_loss": split, "samples": samples,
        "final": final, "train_s": train_s,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="200,000 steps (a line every 10,000), to docs/reference/ (for the README)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    steps, every = (200000, 10000) if args.full else (1000, 100)
    out = os.path.join(ROOT, "docs", "reference", "wavenet-reference-200000.json") if args.full else OUT
    t0 = time.perf_counter()
    doc = {
        "generator": "tools/wavenet_reference.py" + (" --full" if args.full else ""),
        "environment": {"torch_version": torch.__version__, "num_threads": 1, "python": platform.python_version(), "machine": platform.machine()},
        "run": run(steps, every),
    }
    if not args.full:
        # a short run the tests repeat on the (slower) JS kernels too
        doc["short"] = run(200, 100)
    doc["wall_s"] = time.perf_counter() - t0
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out} in {doc['wall_s']:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
