// Putting a run's diagnostics together, and carrying them in a model file's metadata.
import { jsonDepth, MAX_JSON_DEPTH } from '../model/jsonDepth.js';
import { modelKind, type LanguageModel, type TrainConfig } from '../model/index.js';
import type { Histogram } from './stats.js';
import type { DiagnosticsRecord, LossCurve, StepStats } from './types.js';

/** The model file metadata key holding the diagnostics (JSON). */
export const DIAGNOSTICS_METADATA_KEY = 'diagnostics';
export const DIAGNOSTICS_METADATA_VERSION = 1;

/** Model config and train config as report rows. */
export function configRows(model: LanguageModel, train?: TrainConfig): Record<string, string | number> {
  const c = model.config;
  const rows: Record<string, string | number> = {
    norm: c.norm,
    ...modelKind(c).configRows?.(c),
    vocabulary: c.vocabSize,
    'block size': c.blockSize,
    embedding: c.embedDim,
    hidden: c.hidden,
    layers: c.layers,
  };
  if (train) {
    Object.assign(rows, {
      steps: train.steps,
      'batch size': train.batchSize,
      lr: train.lr,
      'lr final': train.lrFinal,
      'lr decay step': train.lrDecayStep,
      seed: train.seed,
      'split seed': train.splitSeed,
    });
  }
  return rows;
}

const EMPTY: Histogram = { lo: 0, width: 0, counts: [], density: [] };

function withoutHistograms(s: StepStats): StepStats {
  return {
    ...s,
    activations: s.activations.map((a) => ({ ...a, hist: EMPTY })),
    outputGrads: s.outputGrads.map((g) => ({ ...g, hist: EMPTY })),
    weightGrads: s.weightGrads.map((w) => ({ ...w, hist: EMPTY })),
  };
}

function thin(curve: LossCurve, max: number): LossCurve {
  const k = Math.max(1, Math.ceil(curve.lossLog10.length / max));
  if (k === 1) return curve;
  return { ...curve, stride: curve.stride * k, lossLog10: curve.lossLog10.filter((_, i) => i % k === 0) };
}

/**
 * What a model file keeps of a run for `makemore report --model`: the loss curves (per-step
 * loss thinned to at most 2,000 points), the validation losses, the final losses, and the
 * statistics steps (histograms of the first and the last only). Key: "diagnostics", JSON.
 */
export function diagnosticsMetadata(r: DiagnosticsRecord): Record<string, string> {
  const n = r.stats.length;
  const payload = {
    version: DIAGNOSTICS_METADATA_VERSION,
    title: r.title,
    loss: r.loss ? thin(r.loss, 2000) : undefined,
    val: r.val,
    final: r.final,
    stats: r.stats.map((s, i) => (i === 0 || i === n - 1 ? s : withoutHistograms(s))),
  };
  return { [DIAGNOSTICS_METADATA_KEY]: JSON.stringify(payload) };
}

/** The run's diagnostics stored in a model file's metadata, or null if it has none (or unreadable ones). */
export function diagnosticsFromMetadata(metadata: Record<string, string>): Pick<DiagnosticsRecord, 'loss' | 'val' | 'final' | 'stats'> | null {
  const text = metadata[DIAGNOSTICS_METADATA_KEY];
  if (text === undefined || jsonDepth(text) > MAX_JSON_DEPTH) return null;
  try {
    const p = JSON.parse(text) as { version?: number; loss?: LossCurve; val?: DiagnosticsRecord['val']; final?: DiagnosticsRecord['final']; stats?: StepStats[] };
    if (p.version !== DIAGNOSTICS_METADATA_VERSION) return null;
    // JSON turns NaN/Infinity into null: back to NaN.
    const num = (x: unknown): number => (typeof x === 'number' ? x : Number.NaN);
    const stats = (p.stats ?? []).map((s) => ({ ...s, updates: s.updates.map((u) => ({ ...u, log10: num(u.log10) })) }));
    return { loss: p.loss, val: p.val ?? [], final: p.final, stats };
  } catch {
    return null;
  }
}
