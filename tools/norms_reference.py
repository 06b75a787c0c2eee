#!/usr/bin/env python3
"""PyTorch 1.13 reference values for the norm layers: writes test/fixtures/norms-reference.json.

Run with Debian's python3-torch: /usr/bin/python3 tools/norms_reference.py
For each case: a random float32 input x, random affine weight/bias (not the ones/zeros init, so
the affine part is exercised), an upstream gradient dy; the forward output y = norm(x) and the
gradients of Σ y·dy with respect to x, weight and bias, all float32. RMSNorm is absent from 1.13:
its test checks the formula instead.
"""
import json
import os

import torch

torch.manual_seed(1234)
torch.set_num_threads(1)


def rand(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale + shift)


def flat(t):
    # 9 significant digits identify a float32 exactly (Math.fround of the parsed value is it)
    return [float('%.9g' % v) for v in t.detach().reshape(-1).tolist()]


def run(module, shape, scale, shift):
    x = rand(*shape, scale=scale, shift=shift).requires_grad_(True)
    params = {}
    if getattr(module, 'weight', None) is not None:
        with torch.no_grad():
            module.weight.copy_(rand(*module.weight.shape, scale=0.5, shift=1.0))
            module.bias.copy_(rand(*module.bias.shape, scale=0.5))
        params = {'weight': module.weight, 'bias': module.bias}
    y = module(x)
    dy = rand(*y.shape)
    y.backward(dy)
    case = {
        'shape': list(shape),
        'x': flat(x),
        'dy': flat(dy),
        'y': flat(y),
        'dx': flat(x.grad),
    }
    for name, p in params.items():
        case[name] = flat(p)
        case['d' + name] = flat(p.grad)
    return case


cases = []
# LayerNorm on (N, C) and (N, L, C), over the last one or two dims
for shape, normalized, affine, eps in [
    ((8, 12), [12], True, 1e-5),
    ((8, 12), [12], False, 1e-5),
    ((3, 5, 6), [6], True, 1e-5),
    ((3, 5, 6), [5, 6], True, 1e-3),
    ((4, 200), [200], True, 1e-5),
]:
    m = torch.nn.LayerNorm(normalized, eps=eps, elementwise_affine=affine)
    c = run(m, shape, 2.0, 0.5)
    c.update(layer='LayerNorm', normalizedShape=normalized, eps=eps, affine=affine)
    cases.append(c)

# GroupNorm on (N, C) and (N, C, L), several group counts. No groups of 1 or 2 values on (N, C):
# there PyTorch 1.13's float32 kernel, which takes the variance as E[x²] − E[x]², is itself up to
# 3e-5 from the float64 value (makemore-ts takes two passes in double), so it is no reference.
for shape, groups, affine, eps in [
    ((6, 12), 1, True, 1e-5),
    ((6, 12), 3, True, 1e-5),
    ((6, 12), 4, True, 1e-5),
    ((6, 12), 2, True, 1e-5),
    ((6, 12), 4, False, 1e-5),
    ((4, 12, 5), 1, True, 1e-5),
    ((4, 12, 5), 2, True, 1e-5),
    ((4, 12, 5), 6, True, 1e-3),
    ((4, 12, 5), 12, True, 1e-5),
    ((4, 12, 5), 3, False, 1e-5),
    ((8, 200), 8, True, 1e-5),
]:
    m = torch.nn.GroupNorm(groups, shape[1], eps=eps, affine=affine)
    c = run(m, shape, 2.0, -0.5)
    c.update(layer='GroupNorm', numGroups=groups, eps=eps, affine=affine)
    cases.append(c)

# InstanceNorm1d on (N, C, L), affine on and off
for shape, affine, eps in [
    ((4, 6, 7), False, 1e-5),
    ((4, 6, 7), True, 1e-5),
    ((2, 3, 16), True, 1e-3),
]:
    m = torch.nn.InstanceNorm1d(shape[1], eps=eps, affine=affine)
    c = run(m, shape, 1.5, 1.0)
    c.update(layer='InstanceNorm1d', eps=eps, affine=affine)
    cases.append(c)

# InstanceNorm1d with running statistics: two training forwards move them, then an eval forward
# (normalised by the running estimates) and its gradients
for shape, affine, momentum in [((4, 6, 7), True, 0.1), ((3, 5, 9), False, 0.3)]:
    m = torch.nn.InstanceNorm1d(shape[1], affine=affine, track_running_stats=True, momentum=momentum)
    train_inputs = [rand(*shape, scale=1.5, shift=1.0) for _ in range(2)]
    for t in train_inputs:
        m(t)
    m.eval()
    c = run(m, shape, 1.5, 0.5)
    c.update(layer='InstanceNorm1d', eps=1e-5, affine=affine, trackRunningStats=True, momentum=momentum,
             trainInputs=[flat(t) for t in train_inputs],
             runningMean=flat(m.running_mean), runningVar=flat(m.running_var))
    cases.append(c)

out = {
    'torch': torch.__version__,
    'note': 'written by tools/norms_reference.py; dx/dweight/dbias are gradients of sum(y * dy)',
    'cases': cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'norms-reference.json')
tmp = path + '.tmp'
with open(tmp, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
os.replace(tmp, path)
print(f'wrote {os.path.relpath(path)}: {len(cases)} cases, torch {torch.__version__}')
