"""makemore.py's model family for the reference tools: the vendored module (tools/makemore_py) and
its model of a --type, as its main block builds it. Used by family_reference.py,
makemore_reference.py, makemore_data_reference.py, pytorch_interop.py and bench_torch.py."""
import os
import sys

import torch

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


def stacked(dataset):
    """A CharDataset's rows as two tensors X, Y (n × T)."""
    rows = [dataset[i] for i in range(len(dataset))]
    return torch.stack([r[0] for r in rows]), torch.stack([r[1] for r in rows])
