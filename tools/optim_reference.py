#!/usr/bin/python3
"""PyTorch 1.13 reference for the optimizers: writes test/fixtures/optim-reference.json.

    /usr/bin/python3 tools/optim_reference.py

"cases": a few steps of torch.optim.AdamW / SGD (momentum, dampening, nesterov, weight decay),
each optionally after torch.nn.utils.clip_grad_norm_, on fixed small float32 tensors and
gradients: the initial parameters, every step's gradients (before clipping), the total norm
clip_grad_norm_ returned, the parameters after every step, and the final optimizer state.

"mlp": the seed notebook's model (tools/seed_reference.py, cells 3 and 11: batch norm with
running statistics) trained with AdamW on the CPU: every step's loss and the split losses after.
"""
import json
import os
import platform
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.join(ROOT, "test", "fixtures", "optim-reference.json")

STEPS = 5
SHAPES = [(3, 4), (5,), (2, 1)]

CASES = [
    {"name": "adamw makemore.py defaults", "optimizer": "adamw", "lr": 5e-4, "betas": [0.9, 0.99], "eps": 1e-8, "weight_decay": 0.01},
    {"name": "adamw large lr, strong decay", "optimizer": "adamw", "lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-6, "weight_decay": 0.5},
    {"name": "adamw no decay, clipped to 0.5", "optimizer": "adamw", "lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "clip": 0.5},
    {"name": "sgd plain", "optimizer": "sgd", "lr": 0.1},
    {"name": "sgd momentum", "optimizer": "sgd", "lr": 0.1, "momentum": 0.9},
    {"name": "sgd momentum dampening weight decay", "optimizer": "sgd", "lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    {"name": "sgd nesterov weight decay", "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.001},
    {"name": "sgd weight decay only", "optimizer": "sgd", "lr": 0.1, "weight_decay": 0.1},
    {"name": "sgd clipped to 1 (clips)", "optimizer": "sgd", "lr": 0.1, "momentum": 0.5, "clip": 1.0},
    {"name": "sgd clip 100 (does not clip)", "optimizer": "sgd", "lr": 0.1, "clip": 100.0},
]


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def make_optimizer(case, params):
    if case["optimizer"] == "adamw":
        return torch.optim.AdamW(params, lr=case["lr"], betas=tuple(case["betas"]), eps=case["eps"], weight_decay=case["weight_decay"])
    return torch.optim.SGD(params, lr=case["lr"], momentum=case.get("momentum", 0), dampening=case.get("dampening", 0),
                           weight_decay=case.get("weight_decay", 0), nesterov=case.get("nesterov", False))


def run_case(case, seed):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(s, generator=g).requires_grad_() for s in SHAPES]
    init = [flat(p) for p in params]
    opt = make_optimizer(case, params)
    steps = []
    for _ in range(STEPS):
        # gradients of a few sizes (the clipping cases see norms above and below max_norm)
        grads = [torch.randn(s, generator=g) * 3 for s in SHAPES]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        total = None
        if "clip" in case:
            total = float(torch.nn.utils.clip_grad_norm_(params, case["clip"]))
        opt.step()
        steps.append({"grads": [flat(x) for x in grads], "total_norm": total, "params": [flat(p) for p in params]})
    sd = opt.state_dict()
    state = {}
    for i, s in sd["state"].items():
        state[str(i)] = {k: (float(v) if k == "step" else flat(v)) for k, v in s.items() if v is not None}
    return {**case, "shapes": [list(s) for s in SHAPES], "init": init, "steps": steps, "state": state}


def mlp_adamw(steps, lr, weight_decay):
    import seed_reference
    c = seed_reference.Cells(steps)
    c.run(3, c.cell3)
    c.run(11, lambda v: c.params(v, with_b1=False, with_bn=True))
    opt = torch.optim.AdamW(c.parameters, lr=lr, betas=(0.9, 0.99), eps=1e-8, weight_decay=weight_decay)
    losses = []
    for _ in range(steps):
        ix = torch.randint(0, c.Xtr.shape[0], (32,), generator=c.g)
        Xb, Yb = c.Xtr[ix], c.Ytr[ix]
        emb = c.C[Xb]
        hpreact = emb.view(emb.shape[0], -1) @ c.W1
        mean = hpreact.mean(0, keepdim=True)
        std = hpreact.std(0, keepdim=True)
        h = torch.tanh(c.bngain * (hpreact - mean) / (std + 1e-5) + c.bnbias)
        with torch.no_grad():
            c.bnmean_running = 0.999 * c.bnmean_running + 0.001 * mean
            c.bnstd_running = 0.999 * c.bnstd_running + 0.001 * std
        loss = F.cross_entropy(h @ c.W2 + c.b2, Yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    split = []
    for s in ("train", "val", "test"):
        c.split_loss(s, 11, split)
    return {"steps": steps, "lr": lr, "betas": [0.9, 0.99], "eps": 1e-8, "weight_decay": weight_decay, "losses": losses,
            "split_loss": dict(zip(("train", "val", "test"), split))}


def main():
    torch.set_num_threads(1)
    doc = {
        "generator": "tools/optim_reference.py",
        "environment": {"torch_version": torch.__version__, "python": platform.python_version(), "machine": platform.machine()},
        "cases": [run_case(case, 1000 + i) for i, case in enumerate(CASES)],
        "mlp": mlp_adamw(300, 5e-3, 0.01),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
