"""Reference numbers of one of makemore.py's model types (its vendored classes, PyTorch 1.13 CPU)
for test/family-<type>.test.ts: the parameters torch.manual_seed(seed) + the constructor draw,
the state_dict names and shapes at makemore.py's defaults, and on a fixed batch of padded words
(targets -1 included) the logits, the masked loss and every parameter's gradient.

  /usr/bin/python3 tools/family_reference.py --type bigram   # writes test/fixtures/family-bigram.json
Types: bigram, mlp, rnn, gru, bow, transformer (makemore.py's --type)."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from makemore_family import build, makemore  # noqa: E402

WORDS = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'ab', 'zoe']
CHARS = sorted(set(''.join(WORDS)))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def named(model):
    return {name: {'shape': list(p.shape), 'values': flat(p)} for name, p in model.state_dict().items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--type', required=True)
    ap.add_argument('--seed', type=int, default=1337)
    ap.add_argument('--out', default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ds = makemore.CharDataset(WORDS, CHARS, max(len(w) for w in WORDS))
    tiny = dict(vocab_size=ds.get_vocab_size(), block_size=ds.get_output_length(), n_layer=2, n_head=2, n_embd=8, n_embd2=12)
    config = makemore.ModelConfig(**tiny)

    torch.manual_seed(args.seed)
    model = build(args.type, config)
    init = named(model)

    # The forward/gradient check starts from random parameters (makemore.py's bigram starts at zeros).
    torch.manual_seed(args.seed + 1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)
    params = named(model)
    rows = [ds[i] for i in range(len(WORDS))]
    X = torch.stack([r[0] for r in rows])
    Y = torch.stack([r[1] for r in rows])
    model.train()
    logits, loss = model(X, Y)
    model.zero_grad(set_to_none=True)
    loss.backward()
    grads = {name: flat(p.grad) for name, p in model.named_parameters()}

    # state_dict names and shapes at makemore.py's defaults on names.txt (vocab 27, block 16)
    full = makemore.ModelConfig(vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=64, n_embd2=64)
    torch.manual_seed(0)
    default_model = build(args.type, full)
    out = {
        'torch': torch.__version__,
        'type': args.type,
        'seed': args.seed,
        'config': tiny,
        'words': WORDS,
        'init': init,
        'params': params,
        'X': X.tolist(),
        'Y': Y.tolist(),
        'logits': flat(logits),
        'logitsShape': list(logits.shape),
        'loss': loss.item(),
        'grads': grads,
        'defaultConfig': dict(vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=64, n_embd2=64),
        'stateDict': [[name, list(t.shape)] for name, t in default_model.state_dict().items()],
        'numParameters': sum(p.numel() for p in default_model.parameters()),
    }
    path = args.out or os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', f'family-{args.type}.json')
    with open(path, 'w') as f:
        json.dump(out, f)
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
