#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/*.ts) to WebAssembly with SIMD and writes the
// module as a base64 string into src/kernels/wasm/binary.ts, a generated TypeScript module that
// works in Node and in browser bundlers alike (no fs, no fetch). Runs before tsc in `npm run build`.
//
// The generated file records a hash of the sources, the compiler flags and the compiler version;
// when that hash matches, compilation (several seconds at -O3) is skipped. `--force` rebuilds.
// Nothing is downloaded: the compiler is the `assemblyscript` devDependency.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outFile = join(root, 'src', 'kernels', 'wasm', 'binary.ts');
const flags = [
  '--enable', 'simd',
  '-O3',
  '--runtime', 'stub', // nothing is allocated by the module: JS manages all memory
  '--importMemory', // JS creates the memory (and decides its initial size)
  '--initialMemory', '1',
  '--noAssert',
  '--use', 'abort=', // no env.abort import
];
const force = process.argv.includes('--force');
process.chdir(root);

function sourceHash(flags) {
  const h = createHash('sha256');
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.ts') || f.endsWith('.json')).sort();
  for (const f of files) { h.update(f); h.update('\0'); h.update(readFileSync(join(srcDir, f))); h.update('\0'); }
  h.update(flags.join(' '));
  let version = 'unknown';
  try { version = JSON.parse(readFileSync(join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')).version; } catch { /* not installed */ }
  h.update(version);
  return h.digest('hex');
}

// Three modules from the same sources:
//   - exact: plain SIMD; PyTorch's numbers, its fused multiply-adds (SLEEF's) emulated in f64;
//   - exactFma: the same numbers, those fused multiply-adds done by f32x4.relaxed_madd (FUSED_FMA),
//     loaded only where a probe shows relaxed_madd is a true FMA (x86 with FMA3, ARM64);
//   - fast (FAST_MODE): also matmul's multiply-add fused and a rational tanh (Eigen's, not SLEEF's):
//     its last bits differ from PyTorch's;
//   - fastThreads: fast mode's kernels on a shared memory with atomics, only what the notebook
//     model's step split over threads needs (assembly/threadsIndex.ts; Node's worker threads).
const relaxed = [...flags, '--enable', 'relaxed-simd', '--use', 'FUSED_FMA=1'];
const variants = [
  { outFile, exportName: 'wasmBase64', flags, what: 'The kernel module (WebAssembly with SIMD)' },
  { outFile: join(root, 'src', 'kernels', 'wasm', 'binaryFma.ts'), exportName: 'wasmFmaBase64', flags: relaxed, what: "The exact kernel module with the CPU's fused multiply-add (WebAssembly with relaxed SIMD)" },
  { outFile: join(root, 'src', 'kernels', 'wasm', 'binaryFast.ts'), exportName: 'wasmFastBase64', flags: [...relaxed, '--use', 'FAST_MODE=1'], what: 'The fast kernel module (WebAssembly with relaxed SIMD: fused multiply-add in matmul too, a rational tanh)' },
  {
    outFile: join(root, 'src', 'kernels', 'wasm', 'binaryThreads.ts'), exportName: 'wasmThreadsBase64', entry: 'assembly/threadsIndex.ts',
    flags: [...relaxed, '--use', 'FAST_MODE=1', '--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'],
    what: "The fast kernel module's threaded training step (WebAssembly with relaxed SIMD, threads and a shared memory)",
  },
];
// Node 20 validates relaxed SIMD only behind V8's flag
(await import('node:v8')).default.setFlagsFromString('--experimental-wasm-relaxed-simd');
for (const v of variants) await buildVariant(v);

async function buildVariant({ outFile, exportName, flags, what, entry = 'assembly/index.ts' }) {
const rel = outFile.slice(root.length + 1);
const hash = sourceHash([entry, ...flags]);
if (!force && existsSync(outFile) && readFileSync(outFile, 'utf8').includes(`// source-hash: ${hash}\n`)) {
  console.log(`build-wasm: ${rel} is up to date`);
  return;
}

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  if (existsSync(outFile)) {
    console.warn(`build-wasm: assemblyscript is not installed (${e.message}); keeping the existing ${outFile}`);
    return;
  }
  console.error('build-wasm: assemblyscript is not installed; run `npm install` first');
  process.exit(1);
}

let binary = null;
const { error, stderr } = await asc.main([entry, ...flags, '--outFile', 'kernels.wasm'], {
  readFile: (name, baseDir) => {
    const p = join(baseDir, name);
    return existsSync(p) ? readFileSync(p, 'utf8') : null;
  },
  writeFile: (name, contents) => {
    if (name.endsWith('.wasm')) binary = contents;
  },
  listFiles: (dir, baseDir) => {
    const p = join(baseDir, dir);
    return existsSync(p) ? readdirSync(p).filter((f) => f.endsWith('.ts')) : null;
  },
  stdout: process.stdout,
  stderr: process.stderr,
});
if (error || binary === null) {
  console.error(`build-wasm: compilation failed${error ? `: ${error.message}` : ''}`);
  if (stderr) process.stderr.write(stderr.toString());
  process.exit(1);
}
if (!WebAssembly.validate(binary)) {
  console.error('build-wasm: the compiled module does not validate');
  process.exit(1);
}

const b64 = Buffer.from(binary).toString('base64');
const lines = [];
for (let i = 0; i < b64.length; i += 120) lines.push(`  '${b64.slice(i, i + 120)}'`);
const text = `// GENERATED by scripts/build-wasm.mjs from assembly/*.ts: do not edit, do not commit.
// source-hash: ${hash}
// ${binary.length} bytes; flags: ${flags.join(' ')}

/** ${what}, base64-encoded. */
export const ${exportName}: string =
${lines.join(' +\n')};
`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, text);
console.log(`build-wasm: wrote ${rel} (${binary.length} bytes of wasm)`);
}
