// Learning-rate schedules: the notebooks' step decay, and cosine decay after a linear warm-up.

/** The fields of a training config a schedule reads. */
export interface ScheduleConfig {
  steps: number;
  /** Peak learning rate (step: before the decay step). */
  lr: number;
  /** step: the rate from the decay step on; cosine: the rate it decays to at the last step. */
  lrFinal: number;
  /** step: first step that uses lrFinal. */
  lrDecayStep: number;
  /** Default "step". */
  schedule?: Schedule;
  /** Steps of linear warm-up from lr/warmup to lr (default 0). */
  warmup?: number;
}

export type Schedule = 'step' | 'cosine';
export const SCHEDULES: readonly Schedule[] = ['step', 'cosine'];

/**
 * Learning rate at step i (from 0). Warm-up: lr·(i + 1)/warmup for i < warmup. Then "step": lr
 * before lrDecayStep, lrFinal from it on; "cosine": lrFinal + (lr − lrFinal)·(1 + cos(π·s/S))/2
 * with s = i − warmup of S = steps − warmup.
 */
export function learningRate(cfg: ScheduleConfig, i: number): number {
  const warmup = cfg.warmup ?? 0;
  if (i < warmup) return (cfg.lr * (i + 1)) / warmup;
  if ((cfg.schedule ?? 'step') === 'step') return i < cfg.lrDecayStep ? cfg.lr : cfg.lrFinal;
  const span = Math.max(cfg.steps - warmup, 1);
  const s = Math.min(i - warmup, span);
  return cfg.lrFinal + ((cfg.lr - cfg.lrFinal) * (1 + Math.cos((Math.PI * s) / span))) / 2;
}
