// Micro-benchmark of tanh over one WaveNet step's hidden activations (28,672 floats, N(0, 1.7²)
// as after batch norm with gain 5/3): the wasm backend's unary tanh kernel in both exact builds
// (SLEEF's fused multiply-adds emulated; the CPU's FMA where relaxed_madd rounds once), and the
// JS backend's tanh, the SLEEF port against Math.tanh.
// µs per call, the fastest of 9 timed batches. Run: npm run build && node dist/bench/sleef.js
import { tanhf } from '../src/kernels/js/sleef.js';
import v8 from 'node:v8';
import { createWasmBackend, fusedFmaSupported, wasmSupported } from '../src/kernels/wasm/index.js';
import { enableRelaxedSimd } from '../src/kernels/wasm/relaxedSimd.js';
import { fastestUsPerCall } from './timing.js';

if (!wasmSupported()) {
  console.log('WebAssembly SIMD is not available here');
  process.exit(0);
}
const N = 28672;
enableRelaxedSimd(v8);
const wasm = createWasmBackend({ fma: false });
const x = wasm.allocFloat32(N);
const y = wasm.allocFloat32(N);
let seed = 7;
function normal(): number {
  const u = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed + 1) / 4294967297; };
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}
for (let i = 0; i < N; i++) x[i] = normal() * 5 / 3;
const xj = Float32Array.from(x);
const yj = new Float32Array(N);

const rows: [string, number][] = [['wasm unary tanh, FMAs emulated', fastestUsPerCall(() => wasm.unary('tanh', y, x))]];
if (fusedFmaSupported()) {
  const fma = createWasmBackend({ fma: true });
  const xf = fma.allocFloat32(N), yf = fma.allocFloat32(N);
  xf.set(x);
  rows.push(["wasm unary tanh, the CPU's FMA", fastestUsPerCall(() => fma.unary('tanh', yf, xf))]);
  wasm.unary('tanh', y, x);
  fma.unary('tanh', yf, xf);
  for (let i = 0; i < N; i++) if (!Object.is(y[i], yf[i])) throw new Error(`the two builds differ at tanh(${x[i]}): ${y[i]} vs ${yf[i]}`);
}
rows.push(['js Math.tanh', fastestUsPerCall(() => { for (let i = 0; i < N; i++) yj[i] = Math.tanh(xj[i]); })]);
rows.push(['js SLEEF port (tanhf)', fastestUsPerCall(() => { for (let i = 0; i < N; i++) yj[i] = tanhf(xj[i]); })]);
console.log(`tanh of ${N} floats, µs per call`);
for (const [name, us] of rows) console.log(`${name.padEnd(40)} ${us.toFixed(1).padStart(8)}  (${(us * 1e3 / N).toFixed(2)} ns/float)`);
