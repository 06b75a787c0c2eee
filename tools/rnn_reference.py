#!/usr/bin/python3
"""Reference numbers for makemore.py's RNN and GRU (`--type rnn|gru`) from its own classes on
PyTorch 1.13's CPU → test/fixtures/rnn.json (test/family-rnn.test.ts).

    /usr/bin/python3 tools/rnn_reference.py

For each cell type:
- `default`: makemore.py's default shape on names (vocab 27, block 16, n_embd 64, n_embd2 64)
  built after torch.manual_seed(3407): every state_dict name with its shape, sum and sum of
  squares (float64 of the float32 values).
- `small`: a small config built after torch.manual_seed(1337): every parameter's values, then
  a fixed batch of 4 names encoded as makemore.py's CharDataset does (x: 0 then the letters,
  y: the letters, 0, then -1), its logits, the loss F.cross_entropy(..., ignore_index=-1) and
  every parameter's gradient.
"""
import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'makemore_py'))
import makemore  # noqa: E402

OUT = os.path.join(ROOT, 'test', 'fixtures', 'rnn.json')
CHARS = 'abcdefghijklmnopqrstuvwxyz'
WORDS = ['emma', 'isabella', 'ava', 'zoe']
DEFAULT = dict(vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=64, n_embd2=64)
SMALL = dict(vocab_size=27, block_size=9, n_layer=4, n_head=4, n_embd=8, n_embd2=12)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def batch(words, block_size):
    """makemore.py's CharDataset.__getitem__, with max_word_length = block_size - 1."""
    stoi = {ch: i + 1 for i, ch in enumerate(CHARS)}
    xs, ys = [], []
    for w in words:
        ix = [stoi[c] for c in w]
        x = [0] * block_size
        y = [0] * block_size
        x[1:1 + len(ix)] = ix
        y[:len(ix)] = ix
        for j in range(len(ix) + 1, block_size):
            y[j] = -1
        xs.append(x)
        ys.append(y)
    return torch.tensor(xs, dtype=torch.long), torch.tensor(ys, dtype=torch.long)


def reference(cell_type):
    torch.manual_seed(3407)
    model = makemore.RNN(makemore.ModelConfig(**DEFAULT), cell_type=cell_type)
    default = {
        'config': DEFAULT, 'seed': 3407,
        'parameters': sum(p.numel() for p in model.parameters()),
        'state_dict': [
            {'name': k, 'shape': list(v.shape), 'sum': v.double().sum().item(), 'sumsq': (v.double() ** 2).sum().item()}
            for k, v in model.state_dict().items()
        ],
    }
    torch.manual_seed(1337)
    model = makemore.RNN(makemore.ModelConfig(**SMALL), cell_type=cell_type)
    init = {k: flat(v) for k, v in model.state_dict().items()}
    x, y = batch(WORDS, SMALL['block_size'])
    logits, loss = model(x, y)
    loss.backward()
    small = {
        'config': SMALL, 'seed': 1337, 'words': WORDS,
        'x': x.tolist(), 'y': y.tolist(), 'init': init,
        'logits_shape': list(logits.shape), 'logits': flat(logits), 'loss': loss.item(),
        'grads': {k: flat(p.grad) for k, p in model.named_parameters()},
    }
    return {'default': default, 'small': small}


def main():
    torch.set_num_threads(1)
    out = {'torch': torch.__version__, 'rnn': reference('rnn'), 'gru': reference('gru')}
    with open(OUT, 'w') as f:
        json.dump(out, f)
        f.write('\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
