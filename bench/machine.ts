// What the benchmark ran on: CPU model, cores, clock, Node version, load, and which WebAssembly
// features this engine offers; the peak GFLOP/s the "of peak" column divides by.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { enableRelaxedSimd, fusedFmaSupported } from '../src/kernels/index.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** The clock the OS reports (os.cpus, /proc/cpuinfo): under a hypervisor often the base clock. */
  mhz: number;
  /** The clock a dependent chain of one-cycle integer ops runs at here and now (see measureMhz). */
  measuredMhz: number;
  node: string;
  loadAverage: number[];
  /** The engine accepts relaxed SIMD (after V8's flag on Node 20). */
  relaxedSimdAvailable: boolean;
  /** Relaxed SIMD is used in the wasm-fast rows (fast mode) when available. */
  relaxedSimdUsed: boolean;
  /** The exact rows use relaxed_madd for the multiply-adds PyTorch fuses (it rounds once here). */
  exactFma: boolean;
  threadsUsed: number;
  /** 128-bit SIMD with separate multiply and add: 4 multiplies + 4 adds per cycle per core. */
  peakGflopsPerCore: number;
  peakNote: string;
  line: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  const cpu = cpus[0]?.model.trim() ?? 'unknown CPU';
  const mhz = cpus[0]?.speed || cpuinfoMhz();
  const cores = os.availableParallelism();
  const relaxedSimdAvailable = enableRelaxedSimd(v8);
  const exactFma = fusedFmaSupported();
  const measuredMhz = measureMhz();
  const flopsPerCycle = 8;
  // the higher clock: a core measured while another process held it would understate the peak
  const peakMhz = Math.max(mhz, measuredMhz);
  const peakGflopsPerCore = (flopsPerCycle * peakMhz) / 1000;
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const peakNote = `GFLOP/s ÷ ${peakGflopsPerCore.toFixed(1)} GFLOP/s per core used (128-bit SIMD without FMA: ${flopsPerCycle} FLOP/cycle at ${peakMhz} MHz, the higher of the reported and the measured clock; PyTorch* rows: × ${cores} cores)`;
  const line = `machine: ${cpu}, ${cores} cores at ${mhz} MHz reported, ${measuredMhz} MHz measured; Node ${process.version}; load average ${loadAverage.join(' ')}; ` +
    `relaxed SIMD ${relaxedSimdAvailable ? `available, used in the wasm-fast rows (fast mode) and ${exactFma ? 'in the exact rows for the multiply-adds PyTorch fuses (relaxed_madd rounds once here)' : 'not in the exact rows (relaxed_madd does not round once here)'}` : 'not available (no fast-mode rows)'}; threads used: training 1 (exact, wasm-fast), every core for the notebook model's step in fast mode (wasm-fast*), evaluation ${cores} (worker threads: the "eval on all cores" table; the other eval columns: 1)`;
  return { cpu, cores, mhz, measuredMhz, node: process.version, loadAverage, relaxedSimdAvailable, relaxedSimdUsed: relaxedSimdAvailable, exactFma, threadsUsed: 1, peakGflopsPerCore, peakNote, line };
}

/** Under some hypervisors os.cpus() reports 0 MHz; Linux's /proc/cpuinfo still has the clock. */
function cpuinfoMhz(): number {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m === null ? 0 : Math.round(Number(m[1]));
  } catch {
    return 0;
  }
}

/**
 * The clock this core runs at now, in MHz: a chain of dependent integer adds and xors (one cycle
 * each on every x86 and ARM core; the loop's own counter runs beside it) timed for about 20 ms, the
 * best of 5 runs. The reported clock is often the base clock: the 2-core AMD EPYC VM reports
 * 2,096 MHz and this measures 3,100-3,300 there.
 */
export function measureMhz(): number {
  const chain = (n: number, a: number, b: number): number => {
    let x = 0;
    for (let i = 0; i < n; i++) {
      x = (x + a) | 0; x ^= b; x = (x + a) | 0; x ^= b;
      x = (x + a) | 0; x ^= b; x = (x + a) | 0; x ^= b;
    }
    return x;
  };
  // a and b unknown to the compiler (it would fold a chain of constants)
  const a = 3 + (os.loadavg().length & 1), b = 5 + (process.pid & 2);
  let sink = 0;
  for (let i = 0; i < 20; i++) sink ^= chain(10_000, a, b); // optimized before it is timed
  let best = 0;
  const n = 6_000_000; // 48 M ops: about 15 ms at 3 GHz
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    sink ^= chain(n, a, b);
    const ms = performance.now() - t0;
    best = Math.max(best, (8 * n) / ms / 1000);
  }
  if (sink === 0x7fffffff) console.error(''); // keeps the chains' results live
  return Math.round(best);
}
