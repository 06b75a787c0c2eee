// What the benchmark ran on: CPU model, cores, clock, Node version, load, and which WebAssembly
// features this engine offers; the peak GFLOP/s the "of peak" column divides by.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { enableRelaxedSimd, fusedFmaSupported } from '../src/kernels/index.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  mhz: number;
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
  const flopsPerCycle = 8;
  const peakGflopsPerCore = (flopsPerCycle * mhz) / 1000;
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const peakNote = `GFLOP/s ÷ ${peakGflopsPerCore.toFixed(1)} GFLOP/s per core used (128-bit SIMD without FMA: ${flopsPerCycle} FLOP/cycle at ${mhz} MHz; PyTorch* rows: × ${cores} cores)`;
  const line = `machine: ${cpu}, ${cores} cores at ${mhz} MHz; Node ${process.version}; load average ${loadAverage.join(' ')}; ` +
    `relaxed SIMD ${relaxedSimdAvailable ? `available, used in the wasm-fast rows (fast mode) and ${exactFma ? 'in the exact rows for the multiply-adds PyTorch fuses (relaxed_madd rounds once here)' : 'not in the exact rows (relaxed_madd does not round once here)'}` : 'not available (no fast-mode rows)'}; threads used: training 1 (exact, wasm-fast), every core for the notebook model's step in fast mode (wasm-fast*), evaluation ${cores} (worker threads: the "eval on all cores" table; the other eval columns: 1)`;
  return { cpu, cores, mhz, node: process.version, loadAverage, relaxedSimdAvailable, relaxedSimdUsed: relaxedSimdAvailable, exactFma, threadsUsed: 1, peakGflopsPerCore, peakNote, line };
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
