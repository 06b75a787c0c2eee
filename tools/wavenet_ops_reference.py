#!/usr/bin/python3
"""Bit-exact reference for the WaveNet step's Linear and batch norm ops, PyTorch 1.13 on the CPU.

    /usr/bin/python3 tools/wavenet_ops_reference.py    # writes test/fixtures/wavenet-ops.json

One level of the lecture's tree (makemore part 5) on a small channels-last batch, with the
lecture's own classes' arithmetic: h = x @ W; h += b; the lecture's BatchNorm1d over dims (0, 1)
(mean, unbiased var, (h - mean) / sqrt(var + eps), gamma * xhat + beta, running averages with
momentum 0.1); y.backward(dy) gives every gradient; then eval mode with the running statistics.
Also tanh forward (SLEEF's tanhf: on z and on the batch norm's output) and its backward
(aten::tanh_backward) on PyTorch's own tanh output. 64 rows (B 16, T 4: the
cascade sum's levels of 16 rows) and 40 channels (a block of 32 columns and 8 left over) exercise
both of ATen's column-sum orders. Every tensor is float32, stored as base64 little-endian bytes.
"""
import base64
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "wavenet-ops.json")
B, T, CIN, C = 16, 4, 48, 40


def enc(t):
    return base64.b64encode(t.detach().contiguous().float().numpy().tobytes()).decode()


def main():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(5)
    x = torch.randn((B, T, CIN), generator=g).requires_grad_()
    W = (torch.randn((CIN, C), generator=g) / CIN**0.5).requires_grad_()  # the lecture's (fan_in, fan_out)
    b = (0.1 * torch.randn(C, generator=g)).requires_grad_()
    gamma = (1 + 0.1 * torch.randn(C, generator=g)).requires_grad_()
    beta = (0.1 * torch.randn(C, generator=g)).requires_grad_()
    dy = torch.randn((B, T, C), generator=g)
    running_mean, running_var = torch.zeros(C), torch.ones(C)
    eps, momentum = 1e-5, 0.1

    h = x @ W
    h += b
    h.retain_grad()
    xmean = h.mean((0, 1), keepdim=True)
    xvar = h.var((0, 1), keepdim=True)
    xhat = (h - xmean) / torch.sqrt(xvar + eps)
    y = gamma * xhat + beta
    with torch.no_grad():
        running_mean = (1 - momentum) * running_mean + momentum * xmean
        running_var = (1 - momentum) * running_var + momentum * xvar
    y.backward(dy)
    with torch.no_grad():
        y_eval = gamma * ((h - running_mean) / torch.sqrt(running_var + eps)) + beta

    z = torch.randn((B, T, C), generator=g) * 2
    t = torch.tanh(z)
    dt = torch.randn((B, T, C), generator=g)
    dz = torch.ops.aten.tanh_backward(dt, t)

    doc = {
        "generator": "tools/wavenet_ops_reference.py",
        "torch_version": torch.__version__,
        "shape": {"B": B, "T": T, "in": CIN, "out": C},
        "inputs": {"x": enc(x), "W": enc(W), "b": enc(b), "gamma": enc(gamma), "beta": enc(beta), "dy": enc(dy), "tanh_y": enc(t), "tanh_dy": enc(dt), "tanh_x": enc(z)},
        "outputs": {
            "h": enc(h), "y": enc(y), "running_mean": enc(running_mean), "running_var": enc(running_var), "y_eval": enc(y_eval),
            "dx": enc(x.grad), "dW": enc(W.grad), "db": enc(b.grad), "dgamma": enc(gamma.grad), "dbeta": enc(beta.grad), "dh": enc(h.grad),
            "tanh_dx": enc(dz),
            # tanh forward (SLEEF's tanhf) on the batch norm's output: the level's hidden activations
            "tanh_bn": enc(torch.tanh(y.detach())),
        },
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
