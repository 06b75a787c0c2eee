#!/usr/bin/env python3
"""makemore-ts model files in PyTorch, and PyTorch-written files for makemore-ts.

Run with Debian's PyTorch 1.13 (`apt-get install python3-torch`), i.e. /usr/bin/python3:

  /usr/bin/python3 tools/pytorch_interop.py eval MODEL.safetensors [--data data/names.txt]
      Loads a makemore-ts model file with nothing but json, struct and torch into the equivalent
      torch.nn model and prints {"train": .., "val": .., "test": ..} losses in eval mode (JSON).

  /usr/bin/python3 tools/pytorch_interop.py write OUT.safetensors [--norm batchnorm1d] [--steps 300]
      Trains a small torch.nn model (seeded) and writes it as a makemore-ts model file; prints its
      losses in eval mode (JSON), for makemore-ts to match.

  /usr/bin/python3 tools/pytorch_interop.py family-eval MODEL.safetensors --rows ROWS.json
      makemore.py's family: loads a makemore-ts file of one of its types (config.arch bigram,
      makemore-mlp, rnn, gru, bow, transformer) into makemore.py's own class (tools/makemore_py,
      strict load_state_dict) and prints its logits on the padded rows in ROWS.json (JSON).

  /usr/bin/python3 tools/pytorch_interop.py family-write OUT.safetensors --type mlp [--steps 30]
      Trains makemore.py's model of a --type (its pipeline, seed 3407, tiny shapes) and writes it as
      a makemore-ts file; prints its logits on the first test rows and its per-token test loss.

  /usr/bin/python3 tools/pytorch_interop.py fixtures
      Regenerates test/fixtures/interop/: a PyTorch-written model file per norm, the PyTorch
      losses of those files and of the makemore-ts-written files there.
"""
import argparse, contextlib, json, os, random, struct, sys

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}
NAMES = {torch.float32: 'F32', torch.float64: 'F64', torch.int32: 'I32', torch.int64: 'I64'}


def read_safetensors(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        s, t = e['data_offsets']
        buf = bytearray(data[base + s:base + t])
        tensors[name] = torch.frombuffer(buf, dtype=DTYPES[e['dtype']]).reshape(e['shape']).clone() if t > s else torch.zeros(e['shape'], dtype=DTYPES[e['dtype']])
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, blobs, off = {'__metadata__': meta}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


class NotebookBatchNorm(nn.BatchNorm1d):
    """The notebook's batch norm in eval mode: running statistics (BatchNorm1d, eps 0), or with
    bnEval "batch" each batch's own mean and unbiased std plus bnEps (the seed notebook's cell 9)."""

    def __init__(self, hidden, bn_eval, bn_eps):
        super().__init__(hidden, eps=0.0)
        self.bn_eval, self.bn_eps = bn_eval, bn_eps

    def forward(self, x):
        if self.training or self.bn_eval != 'batch':
            return super().forward(x)
        return self.weight * ((x - x.mean(0, keepdim=True)) / (x.std(0, keepdim=True) + self.bn_eps)) + self.bias


class RMSNorm(nn.Module):
    """PyTorch 2.4's nn.RMSNorm (absent from 1.13): x / sqrt(mean(x²) + eps) · weight, eps = finfo.eps."""

    def __init__(self, features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))

    def forward(self, x):
        eps = torch.finfo(x.dtype).eps
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.weight


def hidden_norm(norm, hidden, groups):
    """The norm after each hidden Linear of a module model (see src/nn/norms.ts createNorm)."""
    if norm == 'layernorm':
        return nn.LayerNorm(hidden)
    if norm == 'groupnorm':
        return nn.GroupNorm(groups, hidden)
    if norm == 'rmsnorm':
        return RMSNorm(hidden)
    # the notebook's batch norm has no eps; its running std is stored as running_var = std²
    return nn.BatchNorm1d(hidden, eps=0.0 if norm == 'notebook' else 1e-5)


class MLP(nn.Module):
    """The torch.nn equivalent of a makemore-ts model (names and layouts as in its files)."""

    def __init__(self, vocab, block, embed, hidden, layers, norm, bias1=False, bn_eval='running', bn_eps=0.0, groups=None):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        mods, fan_in = [], block * embed
        for _ in range(layers):
            if norm == 'none':
                mods += [nn.Linear(fan_in, hidden), nn.Tanh()]
            elif norm == 'notebook':
                # eval mode uses no eps; the running std is stored as running_var = std²; b1 (bias1) is layers.0.bias
                mods += [nn.Linear(fan_in, hidden, bias=bias1), NotebookBatchNorm(hidden, bn_eval, bn_eps), nn.Tanh()]
            else:
                mods += [nn.Linear(fan_in, hidden, bias=False), hidden_norm(norm, hidden, groups), nn.Tanh()]
            fan_in = hidden
        if norm == 'batchnorm1d':
            mods += [nn.Linear(fan_in, vocab, bias=False), nn.BatchNorm1d(vocab)]
        else:
            mods += [nn.Linear(fan_in, vocab)]
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        e = self.embedding(x)
        return self.layers(e.view(e.shape[0], -1))


class FlattenConsecutive(nn.Module):
    """makemore part 5's FlattenConsecutive(n): (B, T, C) → (B, T/n, C·n), T/n = 1 squeezed."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x


class ChannelsLastBatchNorm1d(nn.BatchNorm1d):
    """The part-5 lecture's batch norm in eval mode: (B, T, C) normalised per channel C (PyTorch's
    BatchNorm1d reads 3-D input as (N, C, L), so the length axis is moved behind the channels)."""

    def forward(self, x):
        return super().forward(x.transpose(1, 2)).transpose(1, 2).contiguous() if x.ndim == 3 else super().forward(x)


class WaveNet(nn.Module):
    """The torch.nn equivalent of a makemore-ts wavenet model file (src/model/kinds/wavenet.ts)."""

    def __init__(self, vocab, block, embed, hidden, levels, norm):
        super().__init__()
        mods, width = [nn.Embedding(vocab, embed)], embed
        for level in range(levels):
            n = block // 2 ** (levels - 1) if level == 0 else 2
            mods += [FlattenConsecutive(n), nn.Linear(width * n, hidden, bias=norm == 'none')]
            if norm == 'batchnorm1d':
                mods.append(ChannelsLastBatchNorm1d(hidden))
            elif norm != 'none':
                mods.append(hidden_norm(norm, hidden, None))
            mods.append(nn.Tanh())
            width = hidden
        mods.append(nn.Linear(hidden, vocab))
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)


def splits(words, stoi, block, seed):
    words = list(words)
    random.seed(seed)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))

    def build(ws):
        X, Y = [], []
        for w in ws:
            ctx = [0] * block
            for ch in w + '.':
                X.append(ctx)
                Y.append(stoi[ch])
                ctx = ctx[1:] + [stoi[ch]]
        return torch.tensor(X), torch.tensor(Y)
    return {'train': build(words[:n1]), 'val': build(words[n1:n2]), 'test': build(words[n2:])}


def read_words(path):
    return [w.strip() for w in open(path, encoding='utf-8').read().splitlines() if w.strip()]


def load_model(path):
    tensors, meta = read_safetensors(path)
    if meta.get('format') != 'makemore-ts':
        sys.exit(f'{path}: not a makemore-ts model file')
    cfg = json.loads(meta['config'])
    vocab = '.' + meta['vocab']
    if cfg.get('arch', 'mlp') == 'wavenet':
        model = WaveNet(len(vocab), cfg['blockSize'], cfg['embedDim'], cfg['hidden'], cfg['layers'], cfg['norm'])
    else:
        model = MLP(len(vocab), cfg['blockSize'], cfg['embedDim'], cfg['hidden'], cfg['layers'], cfg['norm'],
                    bias1=cfg.get('bias1', False), bn_eval=cfg.get('bnEval', 'running'), bn_eps=cfg.get('bnEps', 0.0), groups=cfg.get('groups'))
    # makemore-ts's exact copy of the std, and the optimizer's state (optimizer.state.<i>.exp_avg, ...)
    tensors = {k: v for k, v in tensors.items() if not k.endswith('running_std') and not k.startswith('optimizer.')}
    model.load_state_dict(tensors, strict=True)
    return model.eval(), cfg, vocab, meta


@torch.no_grad()
def losses(model, data):
    return {s: F.cross_entropy(model(X), Y).item() for s, (X, Y) in data.items()}


def eval_file(path, data_path):
    model, cfg, vocab, meta = load_model(path)
    words = read_words(data_path)
    stoi = {c: i for i, c in enumerate(vocab)}
    seed = json.loads(meta['train'])['splitSeed'] if 'train' in meta else 42
    return losses(model, splits(words, stoi, cfg['blockSize'], seed))


def write_file(path, data_path, norm, steps, hidden=32, layers=1):
    torch.manual_seed(1234)
    words = read_words(data_path)
    chars = sorted(set(''.join(words)))
    vocab = '.' + ''.join(chars)
    stoi = {c: i for i, c in enumerate(vocab)}
    data = splits(words, stoi, 3, 42)
    model = MLP(len(vocab), 3, 10, hidden, layers, norm)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    Xtr, Ytr = data['train']
    g = torch.Generator().manual_seed(7)
    model.train()
    for _ in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    state = {k: v for k, v in model.state_dict().items()}
    if norm == 'notebook':
        state['layers.1.running_std'] = state['layers.1.running_var'].sqrt()
    cfg = {'blockSize': 3, 'embedDim': 10, 'hidden': hidden, 'layers': layers, 'norm': norm}
    meta = {'format': 'makemore-ts', 'format_version': '1', 'config': json.dumps(cfg), 'vocab': vocab[1:], 'step': str(steps),
            'train': json.dumps({'batchSize': 32, 'steps': steps, 'lr': 0.1, 'lrFinal': 0.1, 'lrDecayStep': steps, 'seed': 7, 'splitSeed': 42}),
            'written_by': f'tools/pytorch_interop.py (torch {torch.__version__})'}
    write_safetensors(path, state, meta)
    return losses(model, data)


def makemore_py():
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from makemore_family import makemore
    return makemore


# config.arch of makemore-ts ↔ makemore.py's --type; the norm each kind is registered under
FAMILY = {'bigram': 'bigram', 'makemore-mlp': 'mlp', 'rnn': 'rnn', 'gru': 'gru', 'bow': 'bow', 'transformer': 'transformer'}
FAMILY_NORM = {'transformer': 'layernorm'}


def family_model(mm, kind, config):
    from makemore_family import build
    return build(kind, config)


def family_eval(path, rows_path):
    mm = makemore_py()
    tensors, meta = read_safetensors(path)
    cfg = json.loads(meta['config'])
    kind = FAMILY[cfg['arch']]
    config = mm.ModelConfig(vocab_size=len(meta['vocab']) + 1, block_size=cfg['blockSize'], n_layer=cfg['layers'],
                            n_head=cfg.get('heads', 4), n_embd=cfg['embedDim'], n_embd2=cfg['hidden'])
    model = family_model(mm, kind, config)
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith('optimizer.')}, strict=True)
    model.eval()
    X = torch.tensor(json.load(open(rows_path)), dtype=torch.long)
    with torch.no_grad():
        logits, _ = model(X)
    return {'logits': logits.reshape(-1).tolist()}


def family_write(path, data_path, kind, steps):
    mm = makemore_py()
    torch.manual_seed(3407)
    with open(os.devnull, 'w') as null:
        stdout, sys.stdout = sys.stdout, null
        try:
            train_ds, test_ds = mm.create_datasets(data_path)
        finally:
            sys.stdout = stdout
    config = mm.ModelConfig(vocab_size=train_ds.get_vocab_size(), block_size=train_ds.get_output_length(), n_layer=2, n_head=2, n_embd=8, n_embd2=12)
    model = family_model(mm, kind, config)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    loader = mm.InfiniteDataLoader(train_ds, batch_size=32, pin_memory=False, num_workers=0)
    for _ in range(steps):
        X, Y = loader.next()
        _, loss = model(X, Y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.eval()
    arch = [a for a, t in FAMILY.items() if t == kind][0]
    cfg = {'arch': arch, 'blockSize': config.block_size, 'embedDim': 8, 'hidden': 12, 'layers': 2, 'norm': FAMILY_NORM.get(arch, 'none')}
    if kind == 'transformer':
        cfg['heads'] = 2
    meta = {'format': 'makemore-ts', 'format_version': '1', 'config': json.dumps(cfg), 'vocab': ''.join(train_ds.chars), 'step': str(steps),
            'train': json.dumps({'batchSize': 32, 'steps': steps, 'lr': 5e-3, 'lrFinal': 5e-3, 'lrDecayStep': steps, 'seed': 3407, 'splitSeed': 42, 'split': 'makemore',
                                 'optimizer': 'adamw', 'betas': [0.9, 0.99], 'eps': 1e-8, 'weightDecay': 0.01}),
            'written_by': f'tools/pytorch_interop.py family-write (torch {torch.__version__})'}
    write_safetensors(path, {k: v for k, v in model.state_dict().items()}, meta)
    from makemore_family import stacked
    X, Y = stacked(test_ds)
    with torch.no_grad():
        logits, _ = model(X)
        y = Y.reshape(-1)
        test_loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y, ignore_index=-1, reduction='sum').item() / int((y != -1).sum())
    return {'rows': X[:4].tolist(), 'logits': logits[:4].reshape(-1).tolist(), 'test': test_loss}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['eval', 'write', 'fixtures', 'family-eval', 'family-write'])
    ap.add_argument('--rows', help='family-eval: a JSON file of padded rows (n × T)')
    ap.add_argument('--type', default='mlp', help="family-write: makemore.py's --type")
    ap.add_argument('path', nargs='?')
    ap.add_argument('--data', default=os.path.join(ROOT, 'data', 'names.txt'))
    ap.add_argument('--norm', default='batchnorm1d', choices=['notebook', 'batchnorm1d', 'none'])
    ap.add_argument('--steps', type=int, default=300)
    a = ap.parse_args()
    torch.set_num_threads(1)
    # stdout carries one JSON object: what makemore.py prints while building a model (its
    # Transformer's "number of parameters") goes to stderr
    run = {
        'family-eval': lambda: family_eval(a.path, a.rows),
        'family-write': lambda: family_write(a.path, a.data, a.type, a.steps),
        'eval': lambda: eval_file(a.path, a.data),
        'write': lambda: write_file(a.path, a.data, a.norm, a.steps),
    }.get(a.cmd)
    if run is not None:
        with contextlib.redirect_stdout(sys.stderr):
            out = run()
        print(json.dumps(out))
    else:
        d = os.path.join(ROOT, 'test', 'fixtures', 'interop')
        os.makedirs(d, exist_ok=True)
        out = {'torch_version': torch.__version__, 'torch_written': {}, 'ts_written': {}}
        for norm, layers in [('notebook', 1), ('batchnorm1d', 2), ('none', 1)]:
            f = os.path.join(d, f'torch-{norm}.safetensors')
            out['torch_written'][os.path.basename(f)] = write_file(f, a.data, norm, a.steps, layers=layers)
        for f in sorted(os.listdir(d)):
            if f.startswith('ts-') and f.endswith('.safetensors'):
                out['ts_written'][f] = eval_file(os.path.join(d, f), a.data)
        json.dump(out, open(os.path.join(d, 'pytorch-losses.json'), 'w'), indent=2)
        print(json.dumps(out, indent=2))


if __name__ == '__main__':
    main()
