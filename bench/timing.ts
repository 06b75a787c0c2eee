// Timing shared by the small benches (ops.ts, rnn.ts): µs per call of a step.

/** Median µs per call of `step` over 3 repeats of `steps` calls, after 5 warm-up calls. */
export function medianUsPerStep(step: () => void, steps: number): number {
  for (let i = 0; i < 5; i++) step();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) step();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / steps);
  }
  return runs.sort((a, b) => a - b)[1];
}
