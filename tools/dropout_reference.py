#!/usr/bin/python3
"""PyTorch reference for dropout (test/dropout.test.ts): F.dropout on the CPU and makemore.py's
transformer with minGPT's dropouts put back (makemore_family.add_dropout, makemore-ts's --dropout).

Run with Debian's PyTorch 1.13 (the system interpreter, built without MKL), from the repository root:

    /usr/bin/python3 tools/dropout_reference.py     # writes test/fixtures/dropout.json

- "ops": for each case, x and an output gradient drawn from a generator of their own, then
  torch.manual_seed(seed) and F.dropout(x, p, training=True): the output, x's gradient, and
  torch.rand(4) after it (where the default generator's stream stands: p = 0 and p = 1 draw nothing).
  p = 0.021 is a p where the kept value fround(1 / fround(1 - p)) differs from fround(1 / (1 - p)).
- "transformer": makemore.py's Transformer on a tiny config (tools/transformer_reference.py's small
  one) built after torch.manual_seed(seed), with dropout p: two training-mode forward + backward
  passes on a fixed batch (no update in between: the second shows the stream going on), each
  with the logits, the loss, every parameter's gradient (the first pass) and every dropout's keep mask
  (its output != 0, in call order); then the eval-mode logits and torch.rand(4) after all of it.
Float32 values are exact in JSON (a double holds each).
"""
import contextlib
import io
import json
import os
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from makemore_family import add_dropout, makemore  # noqa: E402
from transformer_reference import SMALL, batch, flat  # noqa: E402  (its tiny config, batch and float lists)

OUT = os.path.join(ROOT, "test", "fixtures", "dropout.json")
OPS = [  # (seed of the dropout, p, shape)
    (3407, 0.1, [5, 37]),
    (11, 0.5, [4, 6]),
    (42, 0.021, [300]),
    (7, 0.9, [3, 3, 5]),
    (5, 0.0, [10]),
    (5, 1.0, [10]),
]
SEED = 1337
P = 0.2


def op_case(seed, p, shape):
    data = torch.Generator().manual_seed(seed + 1000)
    x = torch.randn(shape, generator=data).requires_grad_()
    gout = torch.randn(shape, generator=data)
    torch.manual_seed(seed)
    y = F.dropout(x, p, training=True)
    y.backward(gout)
    return {"seed": seed, "p": p, "shape": shape, "x": flat(x), "gradOut": flat(gout), "y": flat(y), "grad": flat(x.grad), "after": flat(torch.rand(4))}


def transformer():
    torch.manual_seed(SEED)
    with contextlib.redirect_stdout(io.StringIO()):  # the Transformer prints its parameter count
        model = add_dropout(makemore.Transformer(makemore.ModelConfig(**SMALL)), P)
    masks = []
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Dropout):
            m.register_forward_hook(lambda _m, _x, y, name=name: masks.append({"name": name, "keep": [int(v) for v in (y != 0).reshape(-1).tolist()]}))
    X, Y = batch(SMALL["block_size"])
    passes = []
    for i in range(2):
        masks.clear()
        model.zero_grad(set_to_none=True)
        logits, loss = model(X, Y)
        loss.backward()
        entry = {"logits": flat(logits), "loss": loss.item(), "masks": list(masks)}
        if i == 0:
            entry["grads"] = [{"name": n, "values": flat(p.grad)} for n, p in model.named_parameters()]
        passes.append(entry)
    model.eval()
    masks.clear()
    with torch.no_grad():
        logits, _ = model(X)
    return {"config": SMALL, "seed": SEED, "p": P, "x": X.tolist(), "y": Y.tolist(), "passes": passes,
            "evalLogits": flat(logits), "evalMasks": len(masks), "after": flat(torch.rand(4))}


def main():
    out = {
        "generator": "tools/dropout_reference.py",
        "torch": torch.__version__,
        "mkl": torch.backends.mkl.is_available(),
        "ops": [op_case(*c) for c in OPS],
        "transformer": transformer(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
