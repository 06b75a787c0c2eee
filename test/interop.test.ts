// PyTorch interop: model files written by PyTorch load here with the same losses, and model
// files written here load in PyTorch with the same losses. The committed fixtures
// (test/fixtures/interop/, made by tools/pytorch_interop.py fixtures) run everywhere; the live
// round trip runs where a Python with torch is present (Debian's python3-torch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { createModel, DEFAULT_TRAIN } from '../src/model/index.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { Generator } from '../src/random/index.js';
import { splitLoss, train } from '../src/train/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const NAMES = join(root, 'data/names.txt');
const dir = join(root, 'test/fixtures/interop');
const words = readWords(NAMES);
const vocab = Vocab.fromWords(words);

interface Losses { train: number; val: number; test: number }
const fixture = JSON.parse(readFileSync(join(dir, 'pytorch-losses.json'), 'utf8')) as { torch_written: Record<string, Losses>; ts_written: Record<string, Losses> };

function lossesOf(path: string): Losses {
  const { model, info } = loadModel(path);
  const splits = buildSplits(words, vocab, model.config.blockSize, info.train?.splitSeed ?? 42);
  return { train: splitLoss(model, splits.train), val: splitLoss(model, splits.val), test: splitLoss(model, splits.test) };
}

for (const group of ['torch_written', 'ts_written'] as const) {
  for (const [file, torchLosses] of Object.entries(fixture[group])) {
    test(`${group === 'torch_written' ? 'PyTorch-written' : 'makemore-ts-written'} ${file}: losses equal PyTorch's within 1e-4`, () => {
      const ours = lossesOf(join(dir, file));
      for (const s of ['train', 'val', 'test'] as const) {
        assert.ok(Math.abs(ours[s] - torchLosses[s]) < 1e-4, `${s}: makemore-ts ${ours[s]}, PyTorch ${torchLosses[s]}`);
      }
    });
  }
}

function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}

const py = torchPython();
if (py === null) console.log('# interop: the live PyTorch round trip is skipped: no python3 with torch (apt-get install python3-torch)');

test('live: a model trained and saved here has the same val loss in PyTorch (1e-4)', { skip: py === null && 'no python3 with torch' }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'makemore-interop-'));
  try {
    for (const [norm, layers] of [['notebook', 1], ['batchnorm1d', 2], ['layernorm', 2], ['groupnorm', 2], ['rmsnorm', 2]] as const) {
      const g = new Generator(99);
      const model = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 48, layers, norm, ...(norm === 'groupnorm' ? { groups: 6 } : {}) }, g);
      const trainCfg = { ...DEFAULT_TRAIN, steps: 400, lrDecayStep: 200 };
      const splits = buildSplits(words, vocab, 3, trainCfg.splitSeed);
      train(model, splits.train, trainCfg, g);
      const path = join(tmp, `${norm}.safetensors`);
      saveModel(path, model, vocab, { step: 400, train: trainCfg });
      const r = spawnSync(py!, [join(root, 'tools/pytorch_interop.py'), 'eval', path, '--data', NAMES], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const torchLosses = JSON.parse(r.stdout) as Losses;
      const ours = splitLoss(model, splits.val);
      assert.ok(Math.abs(ours - torchLosses.val) < 1e-4, `${norm}: val makemore-ts ${ours}, PyTorch ${torchLosses.val}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
