// PyTorch interop: model files written by PyTorch load here with the same losses, and model
// files written here load in PyTorch with the same losses. The committed fixtures
// (test/fixtures/interop/, made by tools/pytorch_interop.py fixtures) run everywhere; the live
// round trip runs where a Python with torch is present (Debian's python3-torch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSplits, buildWordDataset, makemoreBlockSize, readWords, Vocab } from '../src/data/index.js';
import { archOfType, createModel, DEFAULT_TRAIN, familyTypes, modelKind, modelKindNames, PRESETS, type ModelConfig, type PresetName, type TrainConfig } from '../src/model/index.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { Generator } from '../src/random/index.js';
import { Tensor } from '../src/tensor/index.js';
import { runSplits, splitLoss, train } from '../src/train/index.js';

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

/** The model fields of a preset (its sampling generator is a train setting). */
function presetModel(name: PresetName): Partial<ModelConfig> {
  const { init, bnEps, bias1, bnEval } = PRESETS[name];
  return { init, bnEps, bias1, bnEval };
}

function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}

const py = torchPython();
if (py === null) console.log('# interop: the live PyTorch round trip is skipped: no python3 with torch (apt-get install python3-torch)');

test('live: a model trained and saved here (every preset and option) has the same val loss in PyTorch (1e-4)', { skip: py === null && 'no python3 with torch' }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'makemore-interop-'));
  try {
    const setups: [string, Partial<ModelConfig>][] = [
      ['notebook', { norm: 'notebook' }], ['batchnorm1d', { norm: 'batchnorm1d', layers: 2 }],
      ['seed', { norm: 'notebook', ...presetModel('seed') }], ['lecture', { norm: 'notebook', ...presetModel('lecture') }],
      ['seed-cell7', { norm: 'notebook', init: 'seed', bias1: true, bnEps: 0, bnEval: 'batch' }], ['seed-cell4', { norm: 'none', init: 'seed' }],
      ['layernorm', { norm: 'layernorm', layers: 2 }], ['groupnorm', { norm: 'groupnorm', layers: 2, groups: 6 }], ['rmsnorm', { norm: 'rmsnorm', layers: 2 }],
      // makemore part 5's tree: its channels-last batch norm, and a per-position norm
      ['wavenet', { arch: 'wavenet', blockSize: 8, layers: 3, norm: 'batchnorm1d' }], ['wavenet-layernorm', { arch: 'wavenet', blockSize: 8, layers: 2, norm: 'layernorm' }],
    ];
    for (const [norm, setup] of setups) {
      const g = new Generator(99);
      const model = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 48, layers: 1, norm: 'notebook', ...setup }, g);
      const trainCfg = { ...DEFAULT_TRAIN, steps: 400, lrDecayStep: 200 };
      const splits = buildSplits(words, vocab, model.config.blockSize, trainCfg.splitSeed);
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

// makemore.py's family: a file written here loads into makemore.py's own class (tools/makemore_py)
// with the same logits, and one makemore.py's class trained and wrote loads here with the same
// logits and test loss; for every registered family kind.
for (const type of familyTypes()) {
  const arch = archOfType(type);
  test(`live: makemore.py's ${type}: a file written here gives the same logits in makemore.py's class, and back`, { skip: py === null && 'no python3 with torch' }, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'makemore-interop-family-'));
    try {
      // here → PyTorch: trained a little (the bigram starts at zeros)
      const some = words.slice(0, 200);
      const blockSize = makemoreBlockSize(some);
      const norm = modelKindNames(arch)[0];
      const config: ModelConfig = { arch, vocabSize: vocab.size, blockSize, embedDim: 8, hidden: 12, layers: 2, norm };
      if (modelKind(config).options.includes('heads')) config.heads = 2;
      const g = new Generator(5);
      const model = createModel(config, g);
      const data = buildWordDataset(some, vocab, blockSize);
      const trainCfg: TrainConfig = { batchSize: 16, steps: 30, lr: 5e-3, lrFinal: 5e-3, lrDecayStep: 30, seed: 5, splitSeed: 42, optimizer: 'adamw', split: 'makemore' };
      train(model, data, trainCfg, g);
      const path = join(tmp, `${type}.safetensors`);
      saveModel(path, model, vocab, { step: 30, train: trainCfg });
      const rowsPath = join(tmp, 'rows.json');
      const rows = Array.from({ length: 4 }, (_, r) => [...data.X.intData.subarray(r * blockSize, (r + 1) * blockSize)]);
      writeFileSync(rowsPath, JSON.stringify(rows));
      const r = spawnSync(py!, [join(root, 'tools/pytorch_interop.py'), 'family-eval', path, '--rows', rowsPath], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const theirs = (JSON.parse(r.stdout) as { logits: number[] }).logits;
      model.eval();
      const ours = model.forward(new Tensor(Int32Array.from(rows.flat()), [4, blockSize], 'int32')).floatData;
      assert.equal(ours.length, theirs.length);
      theirs.forEach((x, i) => assert.ok(Math.abs(ours[i] - x) <= 1e-5 * Math.abs(x) + 1e-5, `logit ${i}: makemore-ts ${ours[i]}, PyTorch ${x}`));

      // PyTorch → here
      const back = join(tmp, `${type}-torch.safetensors`);
      const w = spawnSync(py!, [join(root, 'tools/pytorch_interop.py'), 'family-write', back, '--type', type, '--steps', '30', '--data', NAMES], { encoding: 'utf8' });
      assert.equal(w.status, 0, w.stderr);
      const written = JSON.parse(w.stdout) as { rows: number[][]; logits: number[]; test: number };
      const loaded = loadModel(back);
      const X = new Tensor(Int32Array.from(written.rows.flat()), [written.rows.length, written.rows[0].length], 'int32');
      const logits = loaded.model.forward(X).floatData;
      written.logits.forEach((x, i) => assert.ok(Math.abs(logits[i] - x) <= 1e-5 * Math.abs(x) + 1e-5, `logit ${i}: makemore-ts ${logits[i]}, PyTorch ${x}`));
      const splits = runSplits(words, loaded.vocab, loaded.model, loaded.info.train!);
      const test = splitLoss(loaded.model, splits.test);
      assert.ok(Math.abs(test - written.test) < 1e-5, `test loss: makemore-ts ${test}, PyTorch ${written.test}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
