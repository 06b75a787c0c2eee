// Terminal tables in the lecture's style (its Python %-formats):
//   layer 2 (Tanh): mean -0.00, std 0.63, saturated: 2.78%
//   layer 2 (Tanh): mean +0.000000, std 3.682960e-03
//   weight   (30, 200) | mean +0.000246 | std 9.241077e-03 | grad:data ratio 4.881091e-02 | W1
import type { BatchNormCalibration, StepStats } from './types.js';

/** Python's "%e": 6 decimals, exponent with sign and at least two digits. */
export function fmtE(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [m, e] = x.toExponential(digits).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python's "%+.{digits}f" (and "%.{digits}f" with sign = false); -0.00 stays "-0.00" as in Python. */
export function fmtF(x: number, digits = 6, sign = true): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? '+inf' : '-inf';
  const s = Math.abs(x).toFixed(digits);
  const negative = x < 0 || Object.is(x, -0);
  if (negative) return `-${s}`;
  return sign ? `+${s}` : s;
}

/** PyTorch's shape tuple: "(30, 200)". */
export function fmtShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function activationTable(s: StepStats): string[] {
  return s.activations.map((a) => `${a.layer}: mean ${fmtF(a.mean, 2)}, std ${fmtF(a.std, 2, false)}, saturated: ${fmtF(a.saturation, 2, false)}%`);
}

export function outputGradTable(s: StepStats): string[] {
  return s.outputGrads.map((g) => `${g.layer}: mean ${fmtF(g.mean)}, std ${fmtE(g.std)}`);
}

export function weightGradTable(s: StepStats): string[] {
  const w = Math.max(10, ...s.weightGrads.map((g) => fmtShape(g.shape).length));
  return s.weightGrads.map((g) => `weight ${fmtShape(g.shape).padStart(w)} | mean ${fmtF(g.mean)} | std ${fmtE(g.std)} | grad:data ratio ${fmtE(g.gradData)} | ${g.name}`);
}

export function updateRatioTable(s: StepStats): string[] {
  const w = Math.max(...s.updates.map((u) => u.name.length), 4);
  return s.updates.map((u) => `${u.name.padEnd(w)} ${fmtShape(u.shape).padStart(10)} update:data log10 ${Number.isFinite(u.log10) ? fmtF(u.log10, 2) : 'n/a'}`);
}

/** All the tables of one statistics step, with headings. */
export function statsReport(s: StepStats): string {
  const lines = [
    `step ${s.step} (lr ${s.lr}, loss ${s.loss.toFixed(4)})`,
    'activations (tanh outputs):', ...activationTable(s).map((l) => `  ${l}`),
  ];
  if (s.outputGrads.length > 0) lines.push('gradients of the tanh outputs:', ...outputGradTable(s).map((l) => `  ${l}`));
  lines.push('weight gradients:', ...weightGradTable(s).map((l) => `  ${l}`));
  lines.push('update:data ratio (guide: -3):', ...updateRatioTable(s).map((l) => `  ${l}`));
  return lines.join('\n');
}

export function batchNormTable(c: BatchNormCalibration): string[] {
  const lines = c.layers.map((l) => `${l.name}: running mean vs full-batch mean: max |diff| ${fmtE(l.meanDiff.max, 3)}, mean |diff| ${fmtE(l.meanDiff.mean, 3)}; running ${l.kind} vs full-batch ${l.kind}: max |diff| ${fmtE(l.spreadDiff.max, 3)}, mean |diff| ${fmtE(l.spreadDiff.mean, 3)}`);
  if (c.valRunning !== undefined && c.valCalibrated !== undefined) {
    lines.push(`val loss with running statistics ${c.valRunning.toFixed(4)}, with full-batch statistics ${c.valCalibrated.toFixed(4)}`);
  }
  return lines;
}
