// Micro-benchmark of tanh over one WaveNet step's hidden activations (28,672 floats, N(0, 1.7²)
// as after batch norm with gain 5/3): the wasm backend's unary tanh kernel, the SLEEF port on its own
// (the module's sleefMap export), and the JS backend's tanh, the SLEEF port against Math.tanh.
// µs per call, the fastest of 9 timed batches. Run: npm run build && node dist/bench/sleef.js
import { tanhf } from '../src/kernels/js/sleef.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { fastestUsPerCall } from './timing.js';

if (!wasmSupported()) {
  console.log('WebAssembly SIMD is not available here');
  process.exit(0);
}
const N = 28672;
const wasm = createWasmBackend();
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

const rows: [string, number][] = [['wasm unary tanh (the backend kernel)', fastestUsPerCall(() => wasm.unary('tanh', y, x))]];
const map = wasm.exportFn('sleefMap');
if (map) rows.push(['wasm SLEEF port (sleefMap)', fastestUsPerCall(() => { map(0, y.byteOffset, x.byteOffset, N); })]);
rows.push(['js Math.tanh', fastestUsPerCall(() => { for (let i = 0; i < N; i++) yj[i] = Math.tanh(xj[i]); })]);
rows.push(['js SLEEF port (tanhf)', fastestUsPerCall(() => { for (let i = 0; i < N; i++) yj[i] = tanhf(xj[i]); })]);
console.log(`tanh of ${N} floats, µs per call`);
for (const [name, us] of rows) console.log(`${name.padEnd(40)} ${us.toFixed(1).padStart(8)}  (${(us * 1e3 / N).toFixed(2)} ns/float)`);
