"""makemore.py's model family for the reference tools: the vendored module (tools/makemore_py) and
its model of a --type, as its main block builds it. Used by family_reference.py,
makemore_reference.py, makemore_data_reference.py, pytorch_interop.py, bench_torch.py and
dropout_reference.py."""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'makemore_py'))
import makemore  # noqa: E402,F401

TYPES = ['bigram', 'mlp', 'rnn', 'gru', 'bow', 'transformer']


def build(kind, config):
    """makemore.py's model of a --type."""
    return {
        'transformer': lambda: makemore.Transformer(config),
        'bigram': lambda: makemore.Bigram(config),
        'mlp': lambda: makemore.MLP(config),
        'rnn': lambda: makemore.RNN(config, cell_type='rnn'),
        'gru': lambda: makemore.RNN(config, cell_type='gru'),
        'bow': lambda: makemore.BoW(config),
    }[kind]()


def add_dropout(model, p):
    """minGPT's dropouts that makemore.py's Transformer leaves out, put back (makemore-ts's --dropout p):
    nn.Dropout(p) after tok_emb + pos_emb (transformer.drop), after each block's attn.c_proj
    (attn.resid_dropout) and after its mlp.c_proj (mlp.dropout), drawing from PyTorch's default
    generator in that forward order. Registered under minGPT's names (no parameters: the state_dict is
    unchanged) and applied by hooks, so makemore.py's code stays as it is. No dropout of the attention
    weights (minGPT's attn_dropout). Returns the model."""
    if p == 0:
        return model
    model.transformer.drop = nn.Dropout(p)
    # makemore.py's forward hands tok_emb + pos_emb to the first block: drop it there
    model.transformer.h[0].register_forward_pre_hook(lambda _m, args: (model.transformer.drop(args[0]),))
    for block in model.transformer.h:
        block.attn.resid_dropout = nn.Dropout(p)
        block.attn.c_proj.register_forward_hook(lambda _m, _x, y, d=block.attn.resid_dropout: d(y))
        block.mlp['dropout'] = nn.Dropout(p)
        block.mlp.c_proj.register_forward_hook(lambda _m, _x, y, d=block.mlp['dropout']: d(y))
    return model


def stacked(dataset):
    """A CharDataset's rows as two tensors X, Y (n × T)."""
    rows = [dataset[i] for i in range(len(dataset))]
    return torch.stack([r[0] for r in rows]), torch.stack([r[1] for r in rows])
