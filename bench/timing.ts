// The benches' clock: µs per call of a step, the median of 3 timed runs after a warm-up.

/** Median over 3 runs of `steps` calls of µs per call, after `warmup` untimed calls. */
export function medianUsPerStep(step: () => void, steps: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) step();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) step();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / steps);
  }
  return runs.sort((a, b) => a - b)[1];
}

/** µs per call: the fastest of 9 timed batches (the least disturbed by other load on the machine). */
export function fastestUsPerCall(fn: () => void, warmup = 200): number {
  for (let i = 0; i < warmup; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    if (Number(process.hrtime.bigint() - t0) > 2e7) break;
    reps *= 2;
  }
  const samples: number[] = [];
  for (let s = 0; s < 9; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / reps);
  }
  samples.sort((x, y) => x - y);
  return samples[0];
}
