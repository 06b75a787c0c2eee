"""makemore.py's data pipeline on PyTorch 1.13 CPU, for test/makemore-data.test.ts:
torch.randperm bit for bit, create_datasets on data/names.txt after torch.manual_seed(3407), the
MLP's parameters drawn next from the same generator, and the first minibatches of its
InfiniteDataLoader (RandomSampler(replacement=True) with its own generator seeded from the global one).

  /usr/bin/python3 tools/makemore_data_reference.py   # writes test/fixtures/makemore-data.json"""
import hashlib
import io
import json
import os
import sys
from contextlib import redirect_stdout

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from makemore_family import makemore  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..')


def sha(ints):
    return hashlib.sha256(','.join(str(i) for i in ints).encode()).hexdigest()


def main():
    torch.set_num_threads(1)
    perms = []
    for n, seed in [(1, 0), (2, 1), (10, 3407), (97, 42), (1000, 2147483647)]:
        g = torch.Generator().manual_seed(seed)
        perms.append({'n': n, 'seed': seed, 'perm': torch.randperm(n, generator=g).tolist()})
    g = torch.Generator().manual_seed(3407)
    big = torch.randperm(32033, generator=g).tolist()
    perms_big = {'n': 32033, 'seed': 3407, 'sha256': sha(big), 'first': big[:20], 'last': big[-20:]}

    seed = 3407
    torch.manual_seed(seed)
    with redirect_stdout(io.StringIO()):
        train, test = makemore.create_datasets(os.path.join(ROOT, 'data', 'names.txt'))
    config = makemore.ModelConfig(vocab_size=train.get_vocab_size(), block_size=train.get_output_length(), n_layer=4, n_head=4, n_embd=64, n_embd2=64)
    model = makemore.MLP(config)
    loader = makemore.InfiniteDataLoader(train, batch_size=32, pin_memory=False, num_workers=0)
    batches = []
    for _ in range(2):
        X, Y = loader.next()
        batches.append({'X': X.tolist(), 'Y': Y.tolist()})
    x0, y0 = train[0]
    out = {
        'torch': torch.__version__,
        'randperm': perms,
        'randpermBig': perms_big,
        'pipeline': {
            'seed': seed,
            'vocabSize': train.get_vocab_size(),
            'blockSize': train.get_output_length(),
            'trainCount': len(train.words),
            'testCount': len(test.words),
            'trainFirst': train.words[:5],
            'testFirst': test.words[:5],
            'trainSha256': hashlib.sha256('\n'.join(train.words).encode()).hexdigest(),
            'testSha256': hashlib.sha256('\n'.join(test.words).encode()).hexdigest(),
            'row0': {'word': train.words[0], 'X': x0.tolist(), 'Y': y0.tolist()},
            'mlp': {'wte.weight.first': model.wte.weight.reshape(-1)[:8].tolist(), 'mlp.2.bias.last': model.mlp[2].bias[-8:].tolist()},
            'batches': batches,
        },
    }
    path = os.path.join(ROOT, 'test', 'fixtures', 'makemore-data.json')
    with open(path, 'w') as f:
        json.dump(out, f)
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
