#!/usr/bin/env python3
"""PyTorch 1.13 reference values for the sequence models' ops: writes test/fixtures/ops-reference.json.

Run with Debian's python3-torch: /usr/bin/python3 tools/ops_reference.py
For each case: random float32 inputs, the forward output y and the gradients of sum(y * dy)
(dy random) with respect to every input, all float32. The ops as makemore.py uses them:
torch.matmul (@) with batch broadcasting, permute/transpose, masked_fill(tril == 0, -inf) then
softmax, NewGELU, sigmoid, cat/stack, narrow/select/split, F.cross_entropy(ignore_index=-1); and
makemore.py's transformer Block (LayerNorm, CausalSelfAttention, MLP with NewGELU) on (B, T, C).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from makemore_block import block, causal_softmax, new_gelu

torch.manual_seed(4321)
torch.set_num_threads(1)


def flat(t):
    # 9 significant digits identify a float32 exactly
    return [float('%.9g' % v) for v in t.detach().reshape(-1).tolist()]


def rand(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).requires_grad_(True)


cases = []


def case(op, fn, inputs, **args):
    y = fn(*inputs)
    ys = y if isinstance(y, (list, tuple)) else [y]
    dys = [torch.randn(*t.shape) for t in ys]
    torch.autograd.backward(ys, dys)
    cases.append({
        'op': op,
        'args': args,
        'inputs': [{'shape': list(x.shape), 'data': flat(x)} for x in inputs],
        'outputs': [{'shape': list(t.shape), 'y': flat(t), 'dy': flat(d)} for t, d in zip(ys, dys)],
        'grads': [flat(x.grad) for x in inputs],
    })


# batched matmul: equal batches (attention's q @ kᵀ and att @ v), a 2-D right side (Linear on
# (B, T, C)), a 2-D left side, and batch dims that broadcast on both sides
case('matmul', lambda a, b: a @ b, [rand(2, 3, 4, 5), rand(2, 3, 5, 6)])
case('matmul', lambda a, b: a @ b, [rand(3, 4, 9), rand(9, 6)])
case('matmul', lambda a, b: a @ b, [rand(4, 5), rand(2, 5, 3)])
case('matmul', lambda a, b: a @ b, [rand(2, 1, 4, 5), rand(3, 5, 2)])
case('matmul', lambda a, b: a @ b, [rand(3, 7, 16), rand(3, 16, 7)])
# permute / transpose
case('permute', lambda a: a.permute(0, 2, 1, 3), [rand(2, 3, 4, 5)], dims=[0, 2, 1, 3])
case('permute', lambda a: a.permute(2, 0, 1), [rand(3, 4, 5)], dims=[2, 0, 1])
case('transpose', lambda a: a.transpose(-2, -1), [rand(2, 3, 4, 5)], dim0=-2, dim1=-1)
case('transpose', lambda a: a.transpose(1, 2), [rand(2, 5, 3, 4)], dim0=1, dim1=2)
# causal softmax on (B, nh, T, T) and (B, T, T) (bag of words)
case('causalSoftmax', causal_softmax, [rand(2, 3, 6, 6, scale=2.0)])
case('causalSoftmax', causal_softmax, [rand(3, 5, 5, scale=2.0)])
# elementwise
case('gelu', new_gelu, [rand(4, 37, scale=3.0)])
case('sigmoid', torch.sigmoid, [rand(4, 37, scale=5.0)])
# joining and slicing
case('cat', lambda a, b, c: torch.cat([a, b, c], dim=1), [rand(2, 3, 4), rand(2, 1, 4), rand(2, 2, 4)], dim=1)
case('cat', lambda a, b: torch.cat([a, b], dim=-1), [rand(3, 5), rand(3, 2)], dim=-1)
case('cat', lambda a, b: torch.cat([a, b], dim=0), [rand(2, 3, 2), rand(1, 3, 2)], dim=0)
case('stack', lambda a, b, c: torch.stack([a, b, c], dim=1), [rand(2, 4), rand(2, 4), rand(2, 4)], dim=1)
case('narrow', lambda a: a.narrow(1, 2, 3), [rand(3, 7, 5)], dim=1, start=2, length=3)
case('narrow', lambda a: a.narrow(-1, 1, 2), [rand(4, 6)], dim=-1, start=1, length=2)
case('select', lambda a: a[:, 4], [rand(3, 7, 5)], dim=1, index=4)
case('select', lambda a: a[-1], [rand(3, 7)], dim=0, index=-1)
case('split', lambda a: a.split(4, dim=2), [rand(2, 3, 12)], size=4, dim=2)


# cross-entropy with ignore_index=-1 on (B·T, V) logits, as makemore.py's padded targets
def cross_entropy_case(targets, ignore):
    logits = rand(len(targets), 27, scale=2.0)
    t = torch.tensor(targets)
    kw = {'ignore_index': -1} if ignore else {}
    loss = F.cross_entropy(logits, t, **kw)
    loss.backward()
    cases.append({
        'op': 'crossEntropy',
        'args': {'targets': targets, 'ignoreIndex': -1 if ignore else None},
        'inputs': [{'shape': list(logits.shape), 'data': flat(logits)}],
        'outputs': [{'shape': [], 'y': [float('%.9g' % loss.item())], 'dy': [1.0]}],
        'grads': [flat(logits.grad)],
    })


cross_entropy_case([3, 0, -1, -1, 5, 26, 1, -1, 0, 12, 8, -1], True)
cross_entropy_case([3, 0, 7, 19, 5, 26, 1, 2, 0, 12], True)
cross_entropy_case([3, 0, 7, 19, 5, 26, 1, 2, 0, 12], False)


# makemore.py's transformer Block on (B, T, C): x + attn(ln_1(x)), then x + mlp(ln_2(x))
B, T, C, H = 2, 5, 8, 2
x = rand(B, T, C)
p = {
    'ln1.weight': 1 + 0.2 * torch.randn(C), 'ln1.bias': 0.2 * torch.randn(C),
    'c_attn.weight': torch.randn(3 * C, C) / math.sqrt(C), 'c_attn.bias': 0.1 * torch.randn(3 * C),
    'attn.c_proj.weight': torch.randn(C, C) / math.sqrt(C), 'attn.c_proj.bias': 0.1 * torch.randn(C),
    'ln2.weight': 1 + 0.2 * torch.randn(C), 'ln2.bias': 0.2 * torch.randn(C),
    'c_fc.weight': torch.randn(4 * C, C) / math.sqrt(C), 'c_fc.bias': 0.1 * torch.randn(4 * C),
    'mlp.c_proj.weight': torch.randn(C, 4 * C) / math.sqrt(4 * C), 'mlp.c_proj.bias': 0.1 * torch.randn(C),
}
for t in p.values():
    t.requires_grad_(True)


y = block(x, p, H)
dy = torch.randn(B, T, C)
y.backward(dy)
blk = {
    'B': B, 'T': T, 'C': C, 'nHead': H,
    'x': flat(x), 'dy': flat(dy), 'y': flat(y), 'dx': flat(x.grad),
    'params': {k: {'shape': list(t.shape), 'data': flat(t), 'grad': flat(t.grad)} for k, t in p.items()},
}

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops-reference.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases, 'block': blk}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} op cases and the block to {os.path.relpath(out)}')
