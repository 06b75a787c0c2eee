// The contract tests of one of makemore.py's model types (kinds/sequence.ts) against its fixture
// (tools/family_reference.py --type <type> → test/fixtures/family-<type>.json):
//  1. torch.manual_seed(seed) + makemore.py's constructor and create(config, Generator(seed))
//     give bit-identical parameters;
//  2. forward logits, the masked loss and every parameter's gradient equal PyTorch's on a fixed
//     batch of padded words (targets −1 included), float32 tolerance;
//  3. every parameter's gradient against float64 finite differences (the model's own forward,
//     float64 parameters swapped in);
//  4. the state_dict names and shapes (and parameter count) at makemore.py's defaults.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, modelKind, modelKindNames, type LanguageModel, type ModelConfig } from '../../src/model/index.js';
import type { Module } from '../../src/nn/index.js';
import { Generator } from '../../src/random/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { modelLoss } from '../../src/train/index.js';
import { gradcheck } from './gradcheck.js';
import { ROOT } from './cli.js';

interface Named { shape: number[]; values: number[] }
interface MakemoreConfig { vocab_size: number; block_size: number; n_layer: number; n_head: number; n_embd: number; n_embd2: number }
export interface FamilyFixture {
  type: string; seed: number; config: MakemoreConfig; init: Record<string, Named>; params: Record<string, Named>;
  X: number[][]; Y: number[][]; logits: number[]; logitsShape: number[]; loss: number; grads: Record<string, number[]>;
  defaultConfig: MakemoreConfig; stateDict: [string, number[]][]; numParameters: number;
}

export function loadFamilyFixture(type: string): FamilyFixture {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', `family-${type}.json`), 'utf8')) as FamilyFixture;
}

/** Our config of makemore.py's ModelConfig (the contract's mapping), for the kind of `arch`. */
export function configOf(arch: string, c: MakemoreConfig): ModelConfig {
  const norm = modelKindNames(arch)[0];
  const config: ModelConfig = { arch, vocabSize: c.vocab_size, blockSize: c.block_size, embedDim: c.n_embd, hidden: c.n_embd2, layers: c.n_layer, norm };
  if (modelKind(config).options.includes('heads')) config.heads = c.n_head;
  return config;
}

function ints(rows: number[][]): Tensor {
  return new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length], 'int32');
}

function close(actual: ArrayLike<number>, expected: readonly number[], what: string, rel = 1e-5, abs = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + abs;
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
  }
}

function loadParams(model: LanguageModel, params: Record<string, Named>): void {
  model.loadStateDict(new Map(Object.entries(params).map(([name, p]) => [name, new Tensor(Float32Array.from(p.values), p.shape, 'float32')])));
}

/** Replace every parameter field of the model's modules by a float64 leaf holding its value. */
function swapInFloat64(model: LanguageModel): [string, Tensor][] {
  const modules = new Map<string, Module>(model.namedModules());
  return model.namedParameters().map(([name, p]) => {
    const dot = name.lastIndexOf('.');
    const owner = (dot < 0 ? model : modules.get(name.slice(0, dot))) as unknown as Record<string, Tensor>;
    const key = name.slice(dot + 1);
    assert.ok(owner !== undefined && owner[key] === p, `${name}: its module holds it as field "${key}"`);
    const t = new Tensor(Float64Array.from(p.floatData), p.shape, 'float64', true);
    owner[key] = t;
    return [name, t];
  });
}

/** The four contract tests of `type` (makemore.py's --type), built as config.arch `arch`. */
export function familyContractTests(type: string, arch: string): void {
  const ref = loadFamilyFixture(type);
  const config = configOf(arch, ref.config);
  describe(`makemore.py's ${type} (${arch}) against PyTorch`, () => {
    test('init: create(config, Generator(seed)) draws makemore.py\'s parameters bit for bit', () => {
      const model = createModel(config, new Generator(ref.seed));
      const sd = model.stateDict();
      assert.deepEqual([...sd.keys()], Object.keys(ref.init));
      for (const [name, p] of Object.entries(ref.init)) {
        const t = sd.get(name)!;
        assert.deepEqual([...t.shape], p.shape, `${name}: shape`);
        const exact = Float32Array.from(p.values);
        const got = t.floatData;
        for (let i = 0; i < exact.length; i++) assert.ok(Object.is(got[i], exact[i]), `${name}[${i}]: ${got[i]} vs PyTorch ${exact[i]}`);
      }
    });

    test('forward logits, masked loss and every gradient on a batch of padded words', () => {
      const model = createModel(config, new Generator(0));
      loadParams(model, ref.params);
      model.train();
      const logits = model.forward(ints(ref.X));
      assert.deepEqual([...logits.shape], ref.logitsShape);
      close(logits.floatData, ref.logits, 'logits');
      assert.ok(ref.Y.flat().includes(-1), 'the batch has padded (ignored) targets');
      const loss = modelLoss(model, logits, ints(ref.Y));
      close([loss.item()], [ref.loss], 'loss');
      model.zeroGrad();
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        assert.ok(p.grad !== null, `${name} has a gradient`);
        close(p.grad.floatData, ref.grads[name], `grad ${name}`, 1e-4, 1e-6);
      }
    });

    test('every parameter\'s gradient against float64 finite differences', () => {
      const model = createModel(config, new Generator(0));
      loadParams(model, ref.params);
      const leaves = swapInFloat64(model);
      const X = ints(ref.X);
      const Y = ints(ref.Y);
      gradcheck(() => modelLoss(model, model.forward(X), Y), leaves.map(([, t]) => t), {
        names: leaves.map(([n]) => n), rtol: 1e-5, atol: 1e-7,
        // a spread of elements of each parameter keeps the check quick
        sample: (_i, numel) => Array.from({ length: Math.min(numel, 24) }, (_, k) => Math.floor((k * numel) / Math.min(numel, 24))),
      });
    });

    test('state_dict names and shapes at makemore.py\'s defaults', () => {
      const model = createModel(configOf(arch, ref.defaultConfig), new Generator(0));
      assert.deepEqual([...model.stateDict()].map(([n, t]) => [n, [...t.shape]]), ref.stateDict);
      assert.equal(model.numParameters(), ref.numParameters);
      assert.equal(model.output, 'sequence');
    });
  });
}
