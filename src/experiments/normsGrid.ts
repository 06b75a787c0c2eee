// The norms lab's grid and one cell of it: a norm × a batch size × a seed, trained on the same
// budget of training examples as every other cell, then measured (val loss, µs per step, tanh
// saturation, batch coupling). Learning rate across batch sizes: linear scaling (the GroupNorm
// paper's rule), lr = 0.1 · B / 32 (the notebook's 0.1 at batch 32), capped at `lrCap`; a tenth
// of it for the second half of the steps, as the notebook's schedule.
import type { Splits } from '../data/index.js';
import { saturationPercent } from '../diagnostics/index.js';
import { DEFAULT_TRAIN, PRESETS, createModel, type ModelConfig, type NormKind, type TrainConfig } from '../model/index.js';
import { Generator } from '../random/index.js';
import { Tensor, noGrad, tidy } from '../tensor/index.js';
import { splitLoss, train } from '../train/index.js';
import { MakemoreError } from '../errors.js';
import { measureCoupling, type CouplingResult } from './coupling.js';

export interface NormVariant {
  name: string;
  description: string;
  model: Pick<ModelConfig, 'norm' | 'groups' | 'init' | 'bnEps' | 'bias1' | 'bnEval'>;
}

const seed = PRESETS.seed;

export const NORM_VARIANTS: readonly NormVariant[] = [
  { name: 'none', description: 'no norm, Kaiming init (the lecture)', model: { norm: 'none', init: 'kaiming' } },
  { name: 'seed-batchnorm', description: "the seed notebook's batch norm", model: { norm: 'notebook', init: seed.init, bnEps: seed.bnEps, bias1: seed.bias1, bnEval: seed.bnEval } },
  { name: 'batchnorm1d', description: 'nn.BatchNorm1d', model: { norm: 'batchnorm1d' } },
  { name: 'layernorm', description: 'nn.LayerNorm', model: { norm: 'layernorm' } },
  { name: 'groupnorm-4', description: 'nn.GroupNorm, 4 groups of 50', model: { norm: 'groupnorm', groups: 4 } },
  { name: 'groupnorm-20', description: 'nn.GroupNorm, 20 groups of 10', model: { norm: 'groupnorm', groups: 20 } },
  { name: 'groupnorm-50', description: 'nn.GroupNorm, 50 groups of 4', model: { norm: 'groupnorm', groups: 50 } },
  { name: 'rmsnorm', description: 'nn.RMSNorm', model: { norm: 'rmsnorm' } },
];

export const BATCH_SIZES: readonly number[] = [2, 4, 8, 16, 32, 64, 128];

export interface GridSpec {
  variants: readonly string[];
  batchSizes: readonly number[];
  seeds: readonly number[];
  /** Training examples per run: steps = examples / batch size. */
  examples: number;
  lrCap: number;
  /** Examples the coupling measurement draws from the val split. */
  couplingExamples: number;
}

export interface Cell {
  variant: string;
  batchSize: number;
  seed: number;
}

export interface CellResult extends Cell {
  steps: number;
  lr: number;
  /** Eval-mode loss on the whole val split; NaN when training diverged. */
  val: number;
  diverged: boolean;
  usPerStep: number;
  /** % of the first hidden tanh's outputs with |t| > 0.97 on val rows, eval mode. */
  saturation: number;
  coupling: CouplingResult | null;
  /** Why training stopped early (the trainer's message), when it did. */
  stopped?: string;
}

export function cellKey(c: Cell): string {
  return `${c.variant}/b${c.batchSize}/s${c.seed}`;
}

/** Linear scaling from the notebook's lr 0.1 at batch 32, capped. */
export function gridLr(batchSize: number, lrCap: number): number {
  return Math.min(DEFAULT_TRAIN.lr * batchSize / DEFAULT_TRAIN.batchSize, lrCap);
}

export function gridCells(spec: GridSpec): Cell[] {
  const cells: Cell[] = [];
  // Seed by seed: a grid stopped early has whole seeds done.
  for (const s of spec.seeds) for (const variant of spec.variants) for (const batchSize of spec.batchSizes) cells.push({ variant, batchSize, seed: s });
  return cells;
}

export function variantByName(name: string): NormVariant {
  const v = NORM_VARIANTS.find((x) => x.name === name);
  if (v === undefined) throw new MakemoreError(`unknown norm variant "${name}"; choose from ${NORM_VARIANTS.map((x) => x.name).join(', ')}`);
  return v;
}

/** Saturation of the first hidden tanh on the first `n` val rows, eval mode. */
function tanhSaturation(model: ReturnType<typeof createModel>, d: Splits['val'], n: number): number {
  const probe = model.activationProbes()[0];
  if (probe === undefined) return Number.NaN;
  const rows = Math.min(n, d.Y.numel), w = d.X.shape[1];
  const X = new Tensor(d.X.intData.subarray(0, rows * w), [rows, w], 'int32');
  model.eval();
  let saturation = Number.NaN;
  const handle = probe.watch((out) => { saturation = saturationPercent(out.floatData); });
  try {
    noGrad(() => tidy(() => { model.forward(X); }));
    return saturation;
  } finally {
    handle.remove();
    model.train();
  }
}

export function runCell(cell: Cell, spec: GridSpec, splits: Splits, vocabSize: number): CellResult {
  const v = variantByName(cell.variant);
  const cfg: ModelConfig = { vocabSize, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, ...v.model };
  const steps = Math.max(1, Math.round(spec.examples / cell.batchSize));
  const lr = gridLr(cell.batchSize, spec.lrCap);
  const tc: TrainConfig = { ...DEFAULT_TRAIN, batchSize: cell.batchSize, steps, lr, lrFinal: lr / 10, lrDecayStep: Math.floor(steps / 2), seed: cell.seed };
  const g = new Generator(cell.seed);
  const model = createModel(cfg, g);
  const t0 = performance.now();
  try {
    train(model, splits.train, tc, g);
  } catch (e) {
    if (!(e instanceof MakemoreError) || !/diverged|stopped/.test(e.message)) throw e;
    return { ...cell, steps, lr, val: Number.NaN, diverged: true, usPerStep: Number.NaN, saturation: Number.NaN, coupling: null, stopped: e.message };
  }
  const usPerStep = (performance.now() - t0) * 1000 / steps;
  const val = splitLoss(model, splits.val);
  const saturation = tanhSaturation(model, splits.val, 4096);
  const coupling = measureCoupling(model, splits.val, { batchSize: cell.batchSize, examples: spec.couplingExamples });
  return { ...cell, steps, lr, val, diverged: !Number.isFinite(val), usPerStep, saturation, coupling };
}
