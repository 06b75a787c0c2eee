#!/usr/bin/env python3
"""PyTorch side of `npm run bench`: the same models, timed the same way, on one thread (--threads).

Run with Debian's PyTorch 1.13 (`apt-get install python3-torch`), e.g.
    /usr/bin/python3 tools/bench_torch.py --data data/names.txt --steps 2000 --repeats 3
Prints one JSON object on stdout: µs/step (median of the repeats) and eval seconds per split
for the notebook model and the deeper 5×100 network with BatchNorm1d, LayerNorm, GroupNorm(4)
and RMSNorm (1.13 has no nn.RMSNorm: a module of plain ops, PyTorch 2.4's definition), and the
hierarchical "WaveNet" MLP of makemore part 5 with the lecture's own classes (as
tools/wavenet_reference.py runs it: block 8, embedding 24, 3 levels of 128).
"""
import argparse, json, os, random, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def build(words, stoi, block):
    X, Y = [], []
    for w in words:
        ctx = [0] * block
        for ch in w + '.':
            ix = stoi[ch]
            X.append(ctx)
            Y.append(ix)
            ctx = ctx[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


class Notebook:
    def __init__(self, V, block, E, H, g):
        self.C = torch.randn((V, E), generator=g)
        self.W1 = torch.randn((block * E, H), generator=g) * (5 / 3) / ((block * E) ** 0.5)
        self.W2 = torch.randn((H, V), generator=g) * 0.01
        self.b2 = torch.randn(V, generator=g) * 0
        self.bngain = torch.ones((1, H))
        self.bnbias = torch.zeros((1, H))
        self.bnmean = torch.zeros((1, H))
        self.bnstd = torch.ones((1, H))
        self.params = [self.C, self.W1, self.W2, self.b2, self.bngain, self.bnbias]
        for p in self.params:
            p.requires_grad = True

    def forward(self, X, training):
        emb = self.C[X]
        h = emb.view(emb.shape[0], -1) @ self.W1
        if training:
            m = h.mean(0, keepdim=True)
            s = h.std(0, keepdim=True)
            h = self.bngain * (h - m) / s + self.bnbias
            with torch.no_grad():
                self.bnmean = 0.999 * self.bnmean + 0.001 * m
                self.bnstd = 0.999 * self.bnstd + 0.001 * s
        else:
            h = self.bngain * (h - self.bnmean) / self.bnstd + self.bnbias
        return torch.tanh(h) @ self.W2 + self.b2

    def parameters(self):
        return self.params


class RMSNorm(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + torch.finfo(x.dtype).eps) * self.weight


NORMS = {
    'batchnorm1d': nn.BatchNorm1d,
    'layernorm': nn.LayerNorm,
    'groupnorm': lambda h: nn.GroupNorm(4, h),
    'rmsnorm': RMSNorm,
}


class Deep(nn.Module):
    """makemore-ts's module model: batch norm on the logits too, else a Linear head with bias."""

    def __init__(self, V, block, E, H, layers, norm='batchnorm1d'):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        mods, fan_in = [], block * E
        for _ in range(layers):
            mods += [nn.Linear(fan_in, H, bias=False), NORMS[norm](H), nn.Tanh()]
            fan_in = H
        if norm == 'batchnorm1d':
            mods += [nn.Linear(fan_in, V, bias=False), nn.BatchNorm1d(V)]
        else:
            mods += [nn.Linear(fan_in, V)]
        self.layers = nn.Sequential(*mods)

    def forward(self, X, training=True):
        self.train(training)
        e = self.embedding(X)
        return self.layers(e.view(e.shape[0], -1))


class WaveNetLecture:
    """makemore part 5's model, built from the lecture's classes (tools/wavenet_reference.py)."""

    def __init__(self, V):
        from wavenet_reference import lecture_model
        self.model = lecture_model(V)
        self.params = self.model.parameters()
        for p in self.params:
            p.requires_grad = True

    def forward(self, X, training):
        for layer in self.model.layers:
            layer.training = training
        return self.model(X)

    def parameters(self):
        return self.params


def time_train(model, Xtr, Ytr, steps, batch, g):
    params = list(model.parameters())
    t0 = time.perf_counter()
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (batch,), generator=g)
        loss = F.cross_entropy(model.forward(Xtr[ix], True), Ytr[ix])
        for p in params:
            p.grad = None
        loss.backward()
        lr = 0.1
        with torch.no_grad():
            for p in params:
                p += -lr * p.grad
    return (time.perf_counter() - t0) * 1e6 / steps




def time_family(kind, words_path, steps, repeats):
    """makemore.py's --type on its own classes and pipeline (tools/makemore_py): seed 3407, its split,
    AdamW; a step is makemore.py's (model(X, Y), zero_grad, backward, AdamW) on rows drawn by randint
    from its sampler's generator (the padded words stacked once, as makemore-ts holds them)."""
    import io
    from contextlib import redirect_stdout
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from makemore_family import build, makemore, stacked
    torch.manual_seed(3407)
    with redirect_stdout(io.StringIO()):
        train_ds, test_ds = makemore.create_datasets(words_path)
    config = makemore.ModelConfig(vocab_size=train_ds.get_vocab_size(), block_size=train_ds.get_output_length(), n_layer=4, n_head=4, n_embd=64, n_embd2=64)
    with redirect_stdout(io.StringIO()):  # makemore.py's Transformer prints its parameter count; stdout is our JSON
        model = build(kind, config)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    torch.empty((), dtype=torch.int64).random_()  # the DataLoader's base seed, then its sampler's
    g = torch.Generator().manual_seed(int(torch.empty((), dtype=torch.int64).random_()))
    Xtr, Ytr = stacked(train_ds)

    def run(n):
        t0 = time.perf_counter()
        for _ in range(n):
            ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
            _, loss = model(Xtr[ix], Ytr[ix])
            model.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return (time.perf_counter() - t0) * 1e6 / n
    run(min(20, steps))  # warm-up (a transformer step of Debian's PyTorch takes a tenth of a second or more)
    runs = [run(steps) for _ in range(repeats)]
    ev = {}
    model.eval()
    with torch.no_grad():
        # the training split (31,033 words) is left out, as by bench/worker.ts
        for name, ds in [('val', test_ds), ('test', test_ds)]:
            X, Y = stacked(ds)
            t0 = time.perf_counter()
            for s in range(0, X.shape[0], 1000):
                model(X[s:s + 1000], Y[s:s + 1000])
            ev[name] = time.perf_counter() - t0
    return {'us_per_step': statistics.median(runs), 'runs': runs, 'eval_s': ev}


@torch.no_grad()
def time_eval(model, X, Y):
    t0 = time.perf_counter()
    loss = F.cross_entropy(model.forward(X, False), Y).item()
    return time.perf_counter() - t0, loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='data/names.txt')
    ap.add_argument('--steps', type=int, default=2000)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--configs', default=None, help='comma-separated names (default: all)')
    ap.add_argument('--threads', type=int, default=1, help='intra-op threads (0: one per core)')
    a = ap.parse_args()
    # 0: every core (this Debian build's default is 1 thread, so set it explicitly)
    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    words = open(a.data, encoding='utf-8').read().splitlines()
    words = [w.strip() for w in words if w.strip()]
    chars = sorted(set(''.join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    by_block = {}

    def splits_of(block):
        if block not in by_block:
            by_block[block] = {'train': build(words[:n1], stoi, block), 'val': build(words[n1:n2], stoi, block), 'test': build(words[n2:], stoi, block)}
        return by_block[block]
    V = len(stoi)
    out = {'torch_version': torch.__version__, 'threads': torch.get_num_threads(), 'configs': {}}
    # (name, block size, maker)
    makers = [('notebook', 3, lambda g: Notebook(V, 3, 10, 200, g)), ('deep5x100', 3, lambda g: Deep(V, 3, 10, 100, 5))]
    makers += [(f'deep5x100-{n}', 3, lambda g, n=n: Deep(V, 3, 10, 100, 5, n)) for n in ('layernorm', 'groupnorm', 'rmsnorm')]
    makers += [('wavenet', 8, lambda g: WaveNetLecture(V))]
    wanted = a.configs.split(',') if a.configs else None
    # makemore.py's family (by its --type names): only when asked for
    for kind in ('bigram', 'mlp', 'rnn', 'gru', 'bow', 'transformer'):
        if wanted is not None and kind in wanted:
            out['configs'][kind] = time_family(kind, a.data, a.steps, a.repeats)
    for name, block, make in makers:
        if wanted is not None and name not in wanted:
            continue
        splits = splits_of(block)
        Xtr, Ytr = splits['train']
        g = torch.Generator().manual_seed(2147483647)
        model = make(g)
        time_train(model, Xtr, Ytr, 100, 32, g)  # warm-up
        runs = [time_train(model, Xtr, Ytr, a.steps, 32, g) for _ in range(a.repeats)]
        ev = {s: time_eval(model, *splits[s])[0] for s in splits}
        out['configs'][name] = {'us_per_step': statistics.median(runs), 'runs': runs, 'eval_s': ev}
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
