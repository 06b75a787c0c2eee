// The backward kernels of the smaller ops (softmax, log-softmax, unary functions, pow, var/std,
// transpose, eval-mode batch norm), checked kernel by kernel against float64 central finite
// differences of their forward kernels:
//   - JS backend on Float64Array: h = 1e-6, tolerance 1e-6;
//   - JS and wasm backends on Float32Array (the wasm arrays in wasm memory, no copies): the same
//     finite differences, tolerance 2e-3 relative to the gradient's scale (float32 rounding);
//   - wasm against JS on the same Float32Array inputs: within 1e-5 of the gradient's scale.
// The wasm backend has no float64 kernels: Float64Array arguments are handed to the JS kernels
// (checked at the end). Also: runningAverage, bit for bit, against its formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Backend, FloatArray, UnaryGradOp } from '../src/kernels/types.js';
import { createWasmBackend, wasmSupported, type WasmBackend } from '../src/kernels/wasm/index.js';
import { lcg } from './helpers/gradcheck.js';

const wasm: WasmBackend | null = wasmSupported() ? createWasmBackend({ initialMiB: 8 }) : null;

/** A kernel under test: inputs (float64 values), the forward as a function of them, the backward. */
interface Case {
  name: string;
  inputs: Float64Array[];
  /** Which inputs to differentiate (default: all). */
  wrt?: number[];
  /** The forward pass on the JS backend in float64: the output. */
  forward(xs: Float64Array[]): Float64Array;
  /** Accumulates dL/dxs[i] into grads[i] (null where not wanted) given dy and the forward's output y. */
  backward(k: Backend, xs: FloatArray[], y: FloatArray, dy: FloatArray, grads: (FloatArray | null)[]): void;
}

function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const r = lcg(seed);
  return Float64Array.from({ length: n }, () => lo + ((r() + 1) / 2) * (hi - lo));
}

/** Σ w·forward(xs) with fixed weights w: its gradient with respect to the output is w. */
function numericGrads(c: Case, w: Float64Array, h = 1e-6): Float64Array[] {
  const loss = (xs: Float64Array[]): number => c.forward(xs).reduce((s, v, i) => s + v * w[i], 0);
  return c.inputs.map((x, i) => {
    const g = new Float64Array(x.length);
    if (!(c.wrt ?? c.inputs.map((_, j) => j)).includes(i)) return g;
    for (let k = 0; k < x.length; k++) {
      const xs = c.inputs.map((a) => a.slice());
      xs[i][k] = x[k] + h; const up = loss(xs);
      xs[i][k] = x[k] - h; const down = loss(xs);
      g[k] = (up - down) / (2 * h);
    }
    return g;
  });
}

type Make = (src: ArrayLike<number>) => FloatArray;
const f64: Make = (s) => Float64Array.from(s);
const f32: Make = (s) => Float32Array.from(s);
const inWasm: Make = (s) => { const a = wasm!.allocFloat32(s.length); a.set(s); return a; };

/** Runs the backward on `k` with arrays from `make`; returns the gradients as float64. */
function analytic(c: Case, k: Backend, make: Make, w: Float64Array): Float64Array[] {
  const xs = c.inputs.map(make);
  const y = make(c.forward(xs.map((x) => Float64Array.from(x))));
  const wrt = c.wrt ?? c.inputs.map((_, j) => j);
  const grads = c.inputs.map((x, i) => (wrt.includes(i) ? make(new Float64Array(x.length)) : null));
  c.backward(k, xs, y, make(w), grads);
  return grads.map((g, i) => (g === null ? new Float64Array(c.inputs[i].length) : Float64Array.from(g)));
}

function assertClose(actual: Float64Array[], expected: Float64Array[], rel: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1e-3, ...expected[i].map(Math.abs));
    for (let k = 0; k < expected[i].length; k++) {
      const d = Math.abs(actual[i][k] - expected[i][k]);
      if (!(d <= rel * scale)) assert.fail(`${what}: input ${i} [${k}] = ${actual[i][k]}, expected ${expected[i][k]} (|diff| ${d} > ${rel * scale})`);
    }
  }
}

const R = 3, C = 7; // rows × cols: odd sizes exercise the kernels' vector tails
const cases: Case[] = [
  {
    name: 'softmaxBackward',
    inputs: [values(R * C, 1, -3, 3)],
    forward: ([x]) => { const y = new Float64Array(x.length); jsBackend.softmaxRows(y, x, R, C); return y; },
    backward: (k, _xs, y, dy, [dx]) => k.softmaxBackward(dx!, dy, y, R, C),
  },
  {
    name: 'logSoftmaxBackward',
    inputs: [values(R * C, 2, -3, 3)],
    forward: ([x]) => { const y = new Float64Array(x.length); jsBackend.logSoftmaxRows(y, x, R, C); return y; },
    backward: (k, _xs, y, dy, [dx]) => k.logSoftmaxBackward(dx!, dy, y, R, C),
  },
  ...(['exp', 'log', 'log10', 'tanh', 'sqrt', 'abs'] as UnaryGradOp[]).map((op): Case => ({
    name: `unaryBackward ${op}`,
    // log, log10, sqrt need x > 0; abs is checked away from its kink at 0
    inputs: [op === 'abs' ? values(11, 3).map((v) => v + Math.sign(v) * 0.1) : ['log', 'log10', 'sqrt'].includes(op) ? values(11, 3, 0.3, 2) : values(11, 3)],
    forward: ([x]) => { const y = new Float64Array(x.length); jsBackend.unary(op, y, x); return y; },
    backward: (k, [x], y, dy, [dx]) => k.unaryBackward(op, dx!, dy, x, y),
  })),
  ...[2, 3, 0.5, -1.5].map((p): Case => ({
    name: `powBackward p=${p}`,
    inputs: [values(9, 4, 0.4, 2)],
    forward: ([x]) => { const y = new Float64Array(x.length); jsBackend.powScalar(y, x, p); return y; },
    backward: (k, [x], _y, dy, [dx]) => k.powBackward(dx!, dy, x, p),
  })),
  ...[[0, false], [1, false], [1, true], [0, true]].map(([corr, root]): Case => {
    const O = 2, D = 5, I = 3;
    const spread = (x: Float64Array): [Float64Array, Float64Array] => {
      const v = new Float64Array(O * I), m = new Float64Array(O * I);
      jsBackend.varAxis(v, m, x, O, D, I, corr as number);
      if (root) jsBackend.unary('sqrt', v, v);
      return [v, m];
    };
    return {
      name: `varBackward (${root ? 'std' : 'var'}, correction ${corr}) over the middle of ${O}×${D}×${I}`,
      inputs: [values(O * D * I, 5)],
      forward: ([x]) => spread(x)[0],
      backward: (k, [x], y, dy, [dx]) => {
        const [, m] = spread(Float64Array.from(x));
        const mean = x instanceof Float32Array ? (k === jsBackend || !wasm ? f32(m) : inWasm(m)) : f64(m);
        k.varBackward(dx!, dy, x, mean, root ? y : null, O, D, I, corr as number);
      },
    };
  }),
  {
    name: 'transpose (+=)',
    inputs: [values(R * C, 6)],
    forward: ([x]) => { const y = new Float64Array(x.length); jsBackend.transpose(y, x, R, C, false); return y; },
    // y is C×R: its gradient goes back through a transpose of the other way round
    backward: (k, _xs, _y, dy, [dx]) => k.transpose(dx!, dy, C, R, true),
  },
  ...[false, true].map((isStd): Case => {
    const N = 5, F = 6;
    return {
      name: `batchNormEvalBackward (${isStd ? 'std' : 'var + eps'})`,
      // x, mean, var or std (> 0), gain, bias; mean and var/std are statistics, not differentiated
      inputs: [values(N * F, 7, -2, 2), values(F, 8), values(F, 9, 0.5, 2), values(F, 10), values(F, 11)],
      wrt: [0, 3, 4],
      forward: ([x, m, v, g, b]) => { const y = new Float64Array(x.length); jsBackend.batchNormEval(y, x, m, v, isStd, g, b, N, F, 1e-3); return y; },
      backward: (k, [x, m, v, g], _y, dy, [dx, , , dg, db]) => k.batchNormEvalBackward(dx, dg, db, dy, x, m, v, isStd, g, N, F, 1e-3),
    };
  }),
];

for (const c of cases) {
  test(`${c.name}: float64 finite differences, JS and wasm in float32, wasm = JS`, () => {
    const w = values(c.forward(c.inputs).length, 99, -1.5, 1.5);
    const numeric = numericGrads(c, w);
    assertClose(analytic(c, jsBackend, f64, w), numeric, 1e-6, 'JS float64 vs finite differences');
    const js32 = analytic(c, jsBackend, f32, w);
    assertClose(js32, numeric, 2e-3, 'JS float32 vs finite differences');
    if (wasm === null) return;
    const wasm32 = analytic(c, wasm, inWasm, w);
    assertClose(wasm32, numeric, 2e-3, 'wasm float32 vs finite differences');
    assertClose(wasm32, js32, 1e-5, 'wasm vs JS (float32)');
    // Float64Array arguments: the wasm backend hands the call to the JS kernels.
    assertClose(analytic(c, wasm, f64, w), numeric, 1e-6, 'wasm backend on Float64Array vs finite differences');
  });
}

test('runningAverage: (1 − m)·running + m·scale·batch, in double rounded once; wasm bit-identical to JS', () => {
  const run0 = Float32Array.from(values(13, 20)), batch = Float32Array.from(values(13, 21));
  for (const [m, scale] of [[0.1, 1], [0.1, 32 / 31], [1 / 7, 1], [1, 1]]) {
    const expected = run0.map((r, j) => (1 - m) * r + m * batch[j] * scale);
    const js = run0.slice();
    jsBackend.runningAverage(js, batch, m, scale);
    assert.deepEqual([...js], [...expected]);
    if (wasm === null) continue;
    const wr = inWasm(run0) as Float32Array;
    wasm.runningAverage(wr, inWasm(batch), m, scale);
    assert.deepEqual([...wr], [...expected], `wasm, momentum ${m}, scale ${scale}`);
  }
});

test('transpose moves int32 values exactly, on both backends', () => {
  const a = Int32Array.from({ length: R * C }, (_, i) => (i * 2654435761) | 0);
  for (const k of wasm === null ? [jsBackend] : [jsBackend, wasm as Backend]) {
    const out = new Int32Array(R * C);
    k.transpose(out, a, R, C, false);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) assert.equal(out[j * R + i], a[i * C + j], `${k.name} [${j}, ${i}]`);
  }
});
