// The configurations the benchmark measures, and their matmul work per training step.
import { archOfType, familyTypes, modelKind, modelKindNames, type ModelConfig } from '../src/model/index.js';

export const BENCH_CONFIGS = {
  notebook: { blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' },
  deep5x100: { blockSize: 3, embedDim: 10, hidden: 100, layers: 5, norm: 'batchnorm1d' },
  // the same network with each batch-independent norm in place of BatchNorm1d (head: Linear + bias)
  'deep5x100-layernorm': { blockSize: 3, embedDim: 10, hidden: 100, layers: 5, norm: 'layernorm' },
  'deep5x100-groupnorm': { blockSize: 3, embedDim: 10, hidden: 100, layers: 5, norm: 'groupnorm', groups: 4 },
  'deep5x100-rmsnorm': { blockSize: 3, embedDim: 10, hidden: 100, layers: 5, norm: 'rmsnorm' },
  // makemore part 5's hierarchical MLP (--preset wavenet); PyTorch runs the lecture's own classes
  wavenet: { arch: 'wavenet', blockSize: 8, embedDim: 24, hidden: 128, layers: 3, norm: 'batchnorm1d' },
} as const satisfies Record<string, Omit<ModelConfig, 'vocabSize'>>;

/** The configuration each norm variant is compared with (µs/step ratio in the bench table). */
export const NORM_BASELINE: Partial<Record<BenchConfigName, BenchConfigName>> = {
  'deep5x100-layernorm': 'deep5x100',
  'deep5x100-groupnorm': 'deep5x100',
  'deep5x100-rmsnorm': 'deep5x100',
};

/**
 * makemore.py's family: one config per registered --type (named by it), at makemore.py's defaults
 * on names.txt (block 16, n_embd 64, n_embd2 64, n_layer 4, n_head 4), trained with its pipeline
 * and AdamW (bench/worker.ts); PyTorch runs makemore.py's own classes (tools/bench_torch.py).
 */
export function familyBenchConfig(type: string): Omit<ModelConfig, 'vocabSize'> {
  const arch = archOfType(type);
  const c: Omit<ModelConfig, 'vocabSize'> = { arch, blockSize: 16, embedDim: 64, hidden: 64, layers: 4, norm: modelKindNames(arch)[0] };
  return modelKind(c).options.includes('heads') ? { ...c, heads: 4 } : c;
}

/** Every config by name: the context models' and one per family type. */
export function allBenchConfigs(): Record<string, Omit<ModelConfig, 'vocabSize'>> {
  return { ...BENCH_CONFIGS, ...Object.fromEntries(familyTypes().map((t) => [t, familyBenchConfig(t)])) };
}

export type BenchConfigName = keyof typeof BENCH_CONFIGS | (string & Record<never, never>);

/** Matmul FLOPs of one step (forward + input grad + weight grad = 3 × forward), batch 32; NaN for the family (not counted). */
export function stepFlops(name: BenchConfigName, vocab = 27, batch = 32): number {
  if (!(name in BENCH_CONFIGS)) return Number.NaN;
  const c: Omit<ModelConfig, 'vocabSize'> = BENCH_CONFIGS[name as keyof typeof BENCH_CONFIGS];
  let flops = 0;
  if (c.arch === 'wavenet') {
    // level l: rows = batch × the positions left after merging, fan-in = merged width
    let positions = c.blockSize;
    let width = c.embedDim;
    for (let l = 0; l < c.layers; l++) {
      const n = l === 0 ? c.blockSize / 2 ** (c.layers - 1) : 2;
      positions /= n;
      flops += 2 * batch * positions * width * n * c.hidden;
      width = c.hidden;
    }
    return 3 * (flops + 2 * batch * c.hidden * vocab);
  }
  let fanIn = c.blockSize * c.embedDim;
  for (let l = 0; l < c.layers; l++) { flops += 2 * batch * fanIn * c.hidden; fanIn = c.hidden; }
  flops += 2 * batch * fanIn * vocab;
  return 3 * flops;
}
