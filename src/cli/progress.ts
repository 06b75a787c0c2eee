// Training output: the notebook's loss lines, plus a progress bar (steps/s, ETA) only when
// stdout is a terminal.
import cliProgress from 'cli-progress';

export { lossLine } from '../train/format.js';

export interface Progress {
  log(line: string): void;
  update(step: number): void;
  stop(): void;
}

export function createProgress(total: number, out: NodeJS.WriteStream = process.stdout): Progress {
  if (!out.isTTY) {
    return { log: (line) => { out.write(`${line}\n`); }, update: () => {}, stop: () => {} };
  }
  const multi = new cliProgress.MultiBar({
    format: ' {bar} {percentage}% | {value}/{total} steps | {rate} steps/s | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
    stream: out,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  const bar = multi.create(total, 0, { rate: '0' });
  const t0 = performance.now();
  let last = 0;
  return {
    log: (line) => { multi.log(`${line}\n`); },
    update: (step) => {
      const now = performance.now();
      if (now - last < 100 && step < total) return; // redraw at most 10×/s: the loop is hot
      last = now;
      bar.update(step, { rate: ((step * 1000) / Math.max(now - t0, 1)).toFixed(0) });
    },
    stop: () => { bar.update(total); multi.stop(); },
  };
}
