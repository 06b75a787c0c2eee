"""makemore.py's transformer Block as functions of a parameter dict (no nn.Module), shared by
tools/ops_reference.py (the fixture) and tools/bench_ops_torch.py (npm run bench:ops). Parameter
names as test/helpers/block.ts: ln1/ln2 for ln_1/ln_2, attn.c_proj and mlp.c_proj."""
import math

import torch
import torch.nn.functional as F


def new_gelu(x):
    # makemore.py's NewGELU
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def causal_softmax(att):
    # makemore.py: att.masked_fill(bias[:, :, :T, :T] == 0, float('-inf')) then F.softmax
    T = att.size(-1)
    bias = torch.tril(torch.ones(T, T)).view(1, 1, T, T) if att.dim() == 4 else torch.tril(torch.ones(T, T))
    return F.softmax(att.masked_fill(bias[..., :T, :T] == 0, float('-inf')), dim=-1)


def block(x, p, n_head):
    """x + attn(ln_1(x)), then x + mlp(ln_2(x)), on x (B, T, C)."""
    B, T, C = x.size()
    h = F.layer_norm(x, (C,), p['ln1.weight'], p['ln1.bias'])
    q, k, v = F.linear(h, p['c_attn.weight'], p['c_attn.bias']).split(C, dim=2)
    k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
    q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
    v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
    att = causal_softmax((q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1))))
    y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    x = x + F.linear(y, p['attn.c_proj.weight'], p['attn.c_proj.bias'])
    h = F.layer_norm(x, (C,), p['ln2.weight'], p['ln2.bias'])
    return x + F.linear(new_gelu(F.linear(h, p['c_fc.weight'], p['c_fc.bias'])), p['mlp.c_proj.weight'], p['mlp.c_proj.bias'])
