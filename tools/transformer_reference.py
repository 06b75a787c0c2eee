#!/usr/bin/python3
"""PyTorch reference for makemore.py's bag-of-words and transformer types (test/family-transformer.test.ts).

Run with Debian's PyTorch 1.13 (the system interpreter), from the repository root:

    /usr/bin/python3 tools/transformer_reference.py     # writes test/fixtures/transformer.json

For each type ("bow", "transformer"), makemore.py's own classes (tools/makemore_py/makemore.py):
- "small": a tiny config (vocab 7, block 6, n_embd 8, n_embd2 12, n_head 2, n_layer 2) built after
  torch.manual_seed(SEED): every state_dict tensor's name, shape and values (float32 values, exact
  in JSON); the forward logits, the loss (ignore_index -1) and every parameter's gradient on a fixed
  batch of padded words as makemore.py's CharDataset makes them (x = 0, w…, 0…; y = w…, 0, -1…);
  and the logits of a shorter input (T = 3 < block size), as sampling feeds.
- "default": makemore.py's defaults (n_layer 4, n_head 4, n_embd 64, n_embd2 64) with the names
  data set's vocab 27 and block 16, after torch.manual_seed(SEED): each tensor's name, shape, sum
  and sum of squares (float64 of the float32 values) and its first 8 values.
"""
import contextlib
import io
import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "makemore_py"))
import makemore  # noqa: E402

OUT = os.path.join(ROOT, "test", "fixtures", "transformer.json")
SEED = 1337
SMALL = dict(vocab_size=7, block_size=6, n_layer=2, n_head=2, n_embd=8, n_embd2=12)
DEFAULT = dict(vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=64, n_embd2=64)
# words as token ids 1..vocab-1, at most block_size - 1 long (CharDataset: block = longest + 1)
WORDS = [[1, 2, 3, 4, 5], [6, 1], [3, 3, 2, 6], [5]]


def build(kind, cfg):
    torch.manual_seed(SEED)
    config = makemore.ModelConfig(**cfg)
    with contextlib.redirect_stdout(io.StringIO()):  # the Transformer prints its parameter count
        return makemore.Transformer(config) if kind == "transformer" else makemore.BoW(config)


def batch(block_size):
    """makemore.py's CharDataset.__getitem__ for each word."""
    xs, ys = [], []
    for w in WORDS:
        x = torch.zeros(block_size, dtype=torch.long)
        y = torch.zeros(block_size, dtype=torch.long)
        x[1:1 + len(w)] = torch.tensor(w)
        y[:len(w)] = torch.tensor(w)
        y[len(w) + 1:] = -1
        xs.append(x)
        ys.append(y)
    return torch.stack(xs), torch.stack(ys)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def small(kind):
    model = build(kind, SMALL)
    state = [{"name": n, "shape": list(t.shape), "values": flat(t)} for n, t in model.state_dict().items()]
    X, Y = batch(SMALL["block_size"])
    logits, loss = model(X, Y)
    loss.backward()
    grads = [{"name": n, "values": flat(p.grad)} for n, p in model.named_parameters()]
    with torch.no_grad():
        short, _ = model(X[:, :3])
    return {
        "config": SMALL, "seed": SEED,
        "state": state, "parameters": [n for n, _ in model.named_parameters()],
        "x": X.tolist(), "y": Y.tolist(),
        "logits": flat(logits), "loss": loss.item(), "grads": grads,
        "shortLogits": flat(short),
    }


def default(kind):
    model = build(kind, DEFAULT)
    tensors = []
    for n, t in model.state_dict().items():
        d = t.detach().double()
        tensors.append({"name": n, "shape": list(t.shape), "sum": d.sum().item(), "sumSq": (d * d).sum().item(), "head": flat(t.reshape(-1)[:8])})
    return {"config": DEFAULT, "seed": SEED, "tensors": tensors}


def main():
    out = {
        "generator": "tools/transformer_reference.py",
        "torch": torch.__version__,
        "types": {kind: {"small": small(kind), "default": default(kind)} for kind in ("bow", "transformer")},
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
