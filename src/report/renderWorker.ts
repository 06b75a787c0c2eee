// Child process of writePlotsSync: reads {plots, dir, scale} as JSON on stdin, writes the files,
// prints the written list as JSON on stdout.
import { readFileSync } from 'node:fs';
import { writePlots } from './render.js';
import type { Plot } from './specs.js';

const input = JSON.parse(readFileSync(0, 'utf8')) as { plots: Plot[]; dir: string; scale: number };
writePlots(input.plots, input.dir, input.scale).then(
  (written) => { process.stdout.write(JSON.stringify(written)); },
  (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; },
);
