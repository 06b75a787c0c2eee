// Micro-benchmark of the kernels of one notebook training step (batch 32, block 3, embed 10,
// hidden 200, vocab 27): µs per call, wasm (arrays in wasm memory, no copies) vs js, GFLOP/s of the
// matmuls, and the sum over one step's kernel calls.
// Run: npm run bench:kernels [-- --fast]   (--fast: fast mode's build; default: exact mode's, as the CLI picks it)
import v8 from 'node:v8';
import { enableRelaxedSimd } from '../src/kernels/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Backend, FloatArray } from '../src/kernels/types.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { fastestUsPerCall as time } from './timing.js';

if (!wasmSupported()) {
  console.log('WebAssembly SIMD is not available here');
  process.exit(0);
}

const B = 32, T = 3, E = 10, H = 200, V = 27, BT = B * T, F = T * E;
// As the CLI: relaxed SIMD switched on (Node 20), so exact mode runs the exactFma build where it applies.
enableRelaxedSimd(v8);
const fast = process.argv.includes('--fast');
const wasm = createWasmBackend({ fast });
console.log(`wasm build: ${wasm.variant}`);

let seed = 42;
function rnd(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296 - 0.5;
}

interface Arrays {
  C: Float32Array; W1: Float32Array; W2: Float32Array; b2: Float32Array; gain: Float32Array; bias: Float32Array;
  dC: Float32Array; dW1: Float32Array; dW2: Float32Array; db2: Float32Array; dgain: Float32Array; dbias: Float32Array;
  X: Int32Array; Y: Int32Array;
  emb: Float32Array; hpre: Float32Array; hbn: Float32Array; xhat: Float32Array; mean: Float32Array; vr: Float32Array;
  inv: FloatArray; h: Float32Array; logits0: Float32Array; logits: Float32Array; probs: Float32Array;
  dlogits: Float32Array; dh: Float32Array; dhbn: Float32Array; dhpre: Float32Array; demb: Float32Array;
}

function arrays(inWasm: boolean): Arrays {
  const f = (n: number, scale = 1): Float32Array => {
    const a = inWasm ? wasm.allocFloat32(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rnd() * scale;
    return a;
  };
  const ints = (n: number, bound: number): Int32Array => {
    const a = inWasm ? wasm.allocInt32(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.floor((rnd() + 0.5) * bound);
    return a;
  };
  return {
    C: f(V * E), W1: f(F * H, 0.3), W2: f(H * V, 0.1), b2: f(V), gain: f(H), bias: f(H),
    dC: f(V * E), dW1: f(F * H), dW2: f(H * V), db2: f(V), dgain: f(H), dbias: f(H),
    X: ints(BT, V), Y: ints(B, V),
    emb: f(BT * E), hpre: f(B * H), hbn: f(B * H), xhat: f(B * H), mean: f(H), vr: f(H),
    inv: inWasm ? wasm.allocFloat64(H) : new Float64Array(H),
    h: f(B * H), logits0: f(B * V), logits: f(B * V), probs: f(B * V),
    dlogits: f(B * V), dh: f(B * H), dhbn: f(B * H), dhpre: f(B * H), demb: f(BT * E),
  };
}

interface Kernel { name: string; flops?: number; run: (k: Backend, a: Arrays) => void }

// One training step, as the notebook model calls the kernels (forward, backward, SGD).
const KERNELS: Kernel[] = [
  { name: 'gatherRows 96×10', run: (k, a) => k.gatherRows(a.emb, a.C, a.X, E) },
  { name: 'matmul 32×30·30×200', flops: 2 * B * F * H, run: (k, a) => k.matmul(a.hpre, a.emb, a.W1, B, F, H, false) },
  { name: 'batchNormTrain 32×200', run: (k, a) => k.batchNormTrain(a.hbn, a.xhat, a.mean, a.vr, a.inv, a.hpre, a.gain, a.bias, B, H, 0, 1) },
  { name: 'tanh 6400', run: (k, a) => k.unary('tanh', a.h, a.hbn) },
  { name: 'matmul 32×200·200×27', flops: 2 * B * H * V, run: (k, a) => k.matmul(a.logits0, a.h, a.W2, B, H, V, false) },
  { name: 'binary add 32×27 + 27', run: (k, a) => k.binary('add', a.logits, a.logits0, [V, 1], a.b2, [0, 1], [B, V]) },
  { name: 'crossEntropyForward 32×27', run: (k, a) => { k.crossEntropyForward(a.probs, a.logits, a.Y, B, V); } },
  { name: 'crossEntropyBackward 32×27', run: (k, a) => k.crossEntropyBackward(a.dlogits, a.probs, a.Y, B, V, 1) },
  { name: 'sumAxis 32×27 → 27 (db2)', run: (k, a) => k.sumAxis(a.db2, a.dlogits, 1, B, V, true) },
  { name: 'matmulTransB 32×27·(200×27)ᵀ', flops: 2 * B * H * V, run: (k, a) => k.matmulTransB(a.dh, a.dlogits, a.W2, B, H, V, true) },
  { name: 'matmulTransA (32×200)ᵀ·32×27', flops: 2 * B * H * V, run: (k, a) => k.matmulTransA(a.dW2, a.h, a.dlogits, B, H, V, true) },
  { name: 'tanhBackward 6400', run: (k, a) => k.tanhBackward(a.dhbn, a.dh, a.h) },
  { name: 'batchNormBackward 32×200', run: (k, a) => k.batchNormBackward(a.dhpre, a.dgain, a.dbias, a.dhbn, a.xhat, a.inv, a.gain, B, H, 1) },
  { name: 'matmulTransB 32×200·(30×200)ᵀ', flops: 2 * B * F * H, run: (k, a) => k.matmulTransB(a.demb, a.dhpre, a.W1, B, F, H, true) },
  { name: 'matmulTransA (32×30)ᵀ·32×200', flops: 2 * B * F * H, run: (k, a) => k.matmulTransA(a.dW1, a.emb, a.dhpre, B, F, H, true) },
  { name: 'scatterAddRows 96×10', run: (k, a) => k.scatterAddRows(a.dC, a.demb, a.X, E) },
  {
    name: 'sgdStep ×6 (12097 params)', run: (k, a) => {
      k.sgdStep(a.C, a.dC, 1e-6); k.sgdStep(a.W1, a.dW1, 1e-6); k.sgdStep(a.W2, a.dW2, 1e-6);
      k.sgdStep(a.b2, a.db2, 1e-6); k.sgdStep(a.gain, a.dgain, 1e-6); k.sgdStep(a.bias, a.dbias, 1e-6);
    },
  },
];

const aw = arrays(true);
const aj = arrays(false);
const rows: string[][] = [['kernel', 'wasm µs', 'js µs', 'speed-up', 'wasm GFLOP/s', 'js GFLOP/s']];
let totalW = 0, totalJ = 0;
for (const kern of KERNELS) {
  const tw = time(() => kern.run(wasm, aw));
  const tj = time(() => kern.run(jsBackend, aj));
  totalW += tw; totalJ += tj;
  const gf = (t: number) => (kern.flops ? (kern.flops / (t * 1e3)).toFixed(1) : '');
  rows.push([kern.name, tw.toFixed(2), tj.toFixed(2), `${(tj / tw).toFixed(1)}×`, gf(tw), gf(tj)]);
}
rows.push(['sum over one step', totalW.toFixed(1), totalJ.toFixed(1), `${(totalJ / totalW).toFixed(1)}×`, '', '']);
// The whole sequence back to back (caches and call overhead as in a real step).
const stepW = time(() => { for (const k of KERNELS) k.run(wasm, aw); });
const stepJ = time(() => { for (const k of KERNELS) k.run(jsBackend, aj); });
rows.push(['step, back to back', stepW.toFixed(1), stepJ.toFixed(1), `${(stepJ / stepW).toFixed(1)}×`, '', '']);
// The JS-heap fallback of the wasm backend (copies in and out), for scale.
const stepFallback = time(() => { for (const k of KERNELS) k.run(wasm, aj); });
rows.push(['step, wasm on JS-heap arrays (copies)', stepFallback.toFixed(1), '', '', '', '']);

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  '));
