#!/usr/bin/env node
// Compares the SLEEF ports with torch on a file of float32 bit patterns written by
// tools/sleef_reference.py --sweep: the JS port (src/kernels/js/sleef.ts) and, for tanh, the wasm
// backend's unary kernel and the wasm port (the module's test-only export sleefMap). Usage: node tools/sleef_sweep.mjs tanh|exp|log FILE (after `npm run build`).
import { readFileSync } from 'node:fs';
import { expf, logf, tanhf } from '../dist/src/kernels/js/sleef.js';
import { createWasmBackend } from '../dist/src/kernels/wasm/index.js';

const [op, file] = process.argv.slice(2);
const fn = { tanh: tanhf, exp: expf, log: logf }[op];
if (!fn || !file) { console.error('usage: node tools/sleef_sweep.mjs tanh|exp|log FILE'); process.exit(2); }
const buf = readFileSync(file);
const all = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const n = all.length / 2;
const xBits = all.subarray(0, n);
const yBits = all.subarray(n);
const x = new Float32Array(xBits.buffer, xBits.byteOffset, n);
const want = new Float32Array(yBits.buffer, yBits.byteOffset, n);
function report(name, got) {
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, n);
  let bad = 0;
  const shown = [];
  for (let i = 0; i < n; i++) {
    if (gotBits[i] === yBits[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    bad++;
    if (shown.length < 5) shown.push(`x=${x[i]} torch=${want[i]} ours=${got[i]}`);
  }
  console.log(`${op} ${name}: ${bad} mismatches of ${n}${shown.length ? ' e.g. ' + shown.join('; ') : ''}`);
}
const js = new Float32Array(n);
for (let i = 0; i < n; i++) js[i] = fn(x[i]);
report('js port', js);
const wasm = createWasmBackend({ initialMiB: Math.ceil((8 * n * 4) / 2 ** 20) + 16 });
const map = wasm.exportFn('sleefMap');
if (map) {
  const a = wasm.allocFloat32(n + 4);
  const o = wasm.allocFloat32(n + 4);
  a.set(x);
  map({ tanh: 0, exp: 1, log: 2 }[op], o.byteOffset, a.byteOffset, n);
  report('wasm port', o.subarray(0, n));
}
if (op === 'tanh') {
  const out = new Float32Array(n);
  wasm.unary('tanh', out, x);
  report('wasm unary', out);
}
