#!/usr/bin/python3
"""Bit-exact reference for F.cross_entropy and F.log_softmax on float32, PyTorch 1.13 on the CPU.

    /usr/bin/python3 tools/cross_entropy_reference.py    # writes test/fixtures/cross-entropy.json

Cases of (rows, classes) that cover ATen's orders: fewer than 8 classes (the row summed left to
right), a multiple of 8, and 8k + a tail (the AVX2 lanes and the partial last vector); rows below,
at and above 16 and 256 (nll_loss's cascade levels). Each case stores the logits, the targets,
the loss, the log-probabilities, the logits' gradient of the mean loss (and of 0.37·loss, a scale
that is not a power of two), log_softmax's backward for a dense upstream gradient, and the
per-row losses (reduction 'none'). One larger case (4,200 rows) checks the mean of a whole split.
Every tensor is float32, stored as base64 little-endian bytes.
"""
import base64
import json
import os

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "cross-entropy.json")
CASES = [(3, 5), (7, 27), (32, 27), (17, 8), (33, 16), (100, 27), (9, 40), (300, 27), (4, 1), (6, 3)]
# a whole split's mean: three cascade levels (4,096 rows and more); only the losses are stored
SPLIT = (4200, 8)


def enc(t):
    return base64.b64encode(t.detach().contiguous().float().numpy().tobytes()).decode()


def main():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(11)
    cases = []
    for n, v in CASES:
        x = (torch.randn((n, v), generator=g) * 3).requires_grad_()
        t = torch.randint(0, v, (n,), generator=g)
        loss = F.cross_entropy(x, t)
        loss.backward()
        grad = x.grad.clone()
        x.grad = None
        (0.37 * F.cross_entropy(x, t)).backward()
        grad_scaled = x.grad.clone()
        x.grad = None
        ls = F.log_softmax(x, 1)
        dy = torch.randn((n, v), generator=g)
        ls.backward(dy)
        cases.append({
            "rows": n, "classes": v,
            "logits": enc(x), "targets": t.tolist(),
            "loss": enc(loss.reshape(1)), "log_probs": enc(ls), "grad": enc(grad), "grad_scaled": enc(grad_scaled),
            "dy": enc(dy), "log_softmax_grad": enc(x.grad),
            "nll_rows": enc(F.cross_entropy(x, t, reduction="none")),
        })
    n, v = SPLIT
    x = torch.randn((n, v), generator=g) * 3
    t = torch.randint(0, v, (n,), generator=g)
    split = {"rows": n, "classes": v, "logits": enc(x), "targets": t.tolist(), "loss": enc(F.cross_entropy(x, t).reshape(1)),
             "nll_rows": enc(F.cross_entropy(x, t, reduction="none"))}
    doc = {"generator": "tools/cross_entropy_reference.py", "torch_version": torch.__version__, "scale": 0.37, "cases": cases, "split": split}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
