// Batch-independent norms as fused autograd ops: every statistic is taken within one example,
// so an example's output never depends on the rest of its batch. All four reduce to one kernel
// that normalises the rows of a (rows × cols) view (see kernels/js/norms.ts):
//   layerNorm    (…, *normalizedShape): rows = the leading elements, cols = ∏ normalizedShape
//   groupNorm    (N, C, *): rows = N·G groups of C/G channels × L positions
//   instanceNorm (N, C, L): groupNorm with one group per channel
//   rmsNorm      like layerNorm, not centered: x / sqrt(mean(x²) + eps)
// Variances are biased (÷ cols) and eps sits inside the square root, as PyTorch.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { numelOf, shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';
import { add, mul } from './elementwise.js';
import { reshape } from './shape.js';

/** float32's machine epsilon (torch.finfo(torch.float32).eps): RMSNorm's default eps. */
export const FLOAT32_EPS = 2 ** -23;

/**
 * Normalises each row of x viewed as (rows × cols); weight/bias (period·cols values) are applied
 * in the kernel, row r using slot r mod period. Output has x's shape.
 */
function rowNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, rows: number, cols: number, period: number,
  eps: number, centered: boolean, name: string): Tensor {
  const dtype = requireFloat(x, name);
  const out = outputFloat(dtype, x.shape);
  const xhat = outputFloat(dtype, x.shape); // saved for backward
  const invStd = outputFloat(dtype, [rows]);
  const k = kernels();
  k.rowNormForward(out.floatData, xhat.floatData, invStd.floatData, x.floatData, weight?.floatData ?? null, bias?.floatData ?? null, rows, cols, period, eps, centered);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(out, `${name}Backward`, inputs, (g) => {
    const gx = gradOf(x);
    const gw = weight === null ? null : gradOf(weight);
    const gb = bias === null ? null : gradOf(bias);
    k.rowNormBackward(gx?.floatData ?? null, gw?.floatData ?? null, gb?.floatData ?? null, g.floatData, xhat.floatData, invStd.floatData, weight?.floatData ?? null, rows, cols, period, centered);
  });
}

function checkParam(p: Tensor | null, shape: readonly number[], what: string, name: string): void {
  if (p !== null && shapeString(p.shape) !== shapeString(shape)) {
    throw new RangeError(`${name} ${what} has shape ${shapeString(p.shape)}, expected ${shapeString(shape)}`);
  }
}

/** Rows × cols of x whose trailing dimensions must be `normalizedShape`. */
function trailing(x: Tensor, normalizedShape: readonly number[], name: string): [number, number] {
  const d = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - d);
  if (d === 0 || x.ndim < d || shapeString(tail) !== shapeString(normalizedShape)) {
    throw new RangeError(`${name} over ${shapeString(normalizedShape)} needs an input ending in those dimensions, got ${shapeString(x.shape)}`);
  }
  const cols = numelOf(normalizedShape);
  return [cols === 0 ? 0 : x.numel / cols, cols];
}

/** torch.nn.functional.layer_norm: normalise over the trailing `normalizedShape` dimensions. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null,
  eps = 1e-5): Tensor {
  const [rows, cols] = trailing(x, normalizedShape, 'layerNorm');
  checkParam(weight, normalizedShape, 'weight', 'layerNorm');
  checkParam(bias, normalizedShape, 'bias', 'layerNorm');
  return rowNorm(x, weight, bias, rows, cols, 1, eps, true, 'LayerNorm');
}

/**
 * RMSNorm (PyTorch 2.4's torch.nn.functional.rms_norm): x / sqrt(mean(x²) + eps) · weight over
 * the trailing `normalizedShape` dimensions; eps defaults to the machine epsilon of x's dtype.
 */
export function rmsNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, eps?: number): Tensor {
  const [rows, cols] = trailing(x, normalizedShape, 'rmsNorm');
  checkParam(weight, normalizedShape, 'weight', 'rmsNorm');
  const e = eps ?? (x.dtype === 'float64' ? Number.EPSILON : FLOAT32_EPS);
  return rowNorm(x, weight, null, rows, cols, 1, e, false, 'RMSNorm');
}

/**
 * torch.nn.functional.group_norm on (N, C, *): the C channels form numGroups groups, each
 * normalised over its channels and positions within one example; weight/bias are per channel.
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (x.ndim < 2) throw new RangeError(`groupNorm needs an input (N, C, *), got ${shapeString(x.shape)}`);
  const [n, c] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new RangeError(`groupNorm: ${c} channels cannot be split into ${numGroups} groups (the group count must divide the channels)`);
  }
  checkParam(weight, [c], 'weight', 'groupNorm');
  checkParam(bias, [c], 'bias', 'groupNorm');
  const len = numelOf(x.shape.slice(2));
  const rows = n * numGroups, cols = (c / numGroups) * len;
  // (N, C): one row per group, and the per-channel affine is slot (r mod G) — fused in the kernel
  if (len === 1) return rowNorm(x, weight, bias, rows, cols, numGroups, eps, true, 'GroupNorm');
  // (N, C, L): normalise, then scale and shift each channel by broadcasting over (1, C, 1)
  let y = rowNorm(x, null, null, rows, cols, 1, eps, true, 'GroupNorm');
  const bshape = [1, c, ...x.shape.slice(2).map(() => 1)];
  if (weight !== null) y = mul(y, reshape(weight, bshape));
  if (bias !== null) y = add(y, reshape(bias, bshape));
  return y;
}

/**
 * torch.nn.functional.instance_norm (input statistics) on (N, C, L): each channel of each
 * example normalised over its L positions. A 2-D (N, C) input has no length axis: an error.
 */
export function instanceNorm(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5, name = 'instanceNorm'): Tensor {
  if (x.ndim !== 3) {
    const why = x.ndim === 2
      ? `a 2-D (N, C) input has no length axis to normalize over (each feature would be normalized over 1 value); use LayerNorm or GroupNorm for (N, C) features, or pass one unbatched (C, L) input as (1, C, L)`
      : 'it needs (N, C, L)';
    throw new RangeError(`${name} got input of shape ${shapeString(x.shape)}: ${why}`);
  }
  return groupNorm(x, x.shape[1], weight, bias, eps);
}
