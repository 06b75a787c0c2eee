// `makemore notebook`: replay the seed notebook's cells (src/experiments/seedNotebook.ts) and show
// each printed line beside the line the seed itself printed on Apple's MPS device.
import type { Command } from 'commander';
import { readWords } from '../data/index.js';
import { DECAY_STEP, replaySeedNotebook, type ReplayCell } from '../experiments/seedNotebook.js';
import { SEED_PRINTED } from '../experiments/seedPrinted.js';
import { MakemoreError } from '../errors.js';
import { BUNDLED_DATA } from './paths.js';
import { positiveInt } from './parse.js';
import { createProgress } from './progress.js';
import { MAX_STEPS } from './train.js';

export interface NotebookFlags {
  data: string;
  steps: number;
  json?: boolean;
}

const LEFT = 44;

/** `[8]  line                         seed (MPS): line` */
function row(cell: number, line: string, seed: string | undefined): string {
  const left = `${`[${cell}]`.padEnd(5)} ${line}`;
  return seed === undefined ? left : `${left.padEnd(LEFT)}  │ ${seed}`;
}

export async function runNotebook(flags: NotebookFlags): Promise<number> {
  if (flags.steps > MAX_STEPS) throw new MakemoreError(`--steps ${flags.steps} is more than the ${MAX_STEPS} steps makemore-ts runs in one go`);
  const words = readWords(flags.data);
  const json = flags.json === true;
  const say = (line: string): void => { if (!json) progress.log(line); };
  let interrupted = false;
  const onSigint = (): void => { interrupted = true; };
  process.on('SIGINT', onSigint);
  const progress = createProgress(2 * flags.steps, json ? Object.assign(Object.create(process.stdout) as NodeJS.WriteStream, { isTTY: false, write: () => true }) : process.stdout);
  if (!json) {
    say(`The seed notebook, cell by cell, on this CPU: one generator (seed 2147483647), max_steps ${flags.steps} for cells 8 and 13, learning-rate decay at step ${DECAY_STEP}.`);
    say('Right: what the seed printed. It ran on Apple\'s MPS device, whose random streams differ from the CPU\'s, so its numbers differ from these (and from PyTorch\'s on a CPU).');
  }
  const printed = new Map<number, number>(); // lines of a cell already shown (loss lines stream)
  const seedLine = (cell: number, i: number): string | undefined => SEED_PRINTED[cell]?.[i] ?? (SEED_PRINTED[cell] !== undefined ? '' : undefined);
  const t0 = performance.now();
  let cells: ReplayCell[];
  try {
    cells = await replaySeedNotebook(words, {
      maxSteps: flags.steps,
      onLine: (cell, line) => {
        const i = printed.get(cell) ?? 0;
        say(row(cell, line, seedLine(cell, i)));
        printed.set(cell, i + 1);
      },
      onCell: (c) => {
        for (let i = printed.get(c.cell) ?? 0; i < c.lines.length; i++) say(row(c.cell, c.lines[i], seedLine(c.cell, i)));
        // the seed's remaining lines (its loss lines for steps this replay did not run)
        const seed = SEED_PRINTED[c.cell] ?? [];
        for (let i = c.lines.length; i < seed.length; i++) say(row(c.cell, '', seed[i]));
        printed.set(c.cell, c.lines.length);
      },
      onStep: (cell, step) => progress.update((cell === 13 ? flags.steps : 0) + step + 1),
      shouldStop: () => interrupted,
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  if (interrupted) {
    if (!json) console.log('interrupted');
    return 130;
  }
  if (json) {
    console.log(JSON.stringify({ maxSteps: flags.steps, decayStep: DECAY_STEP, cells: cells.map((c) => ({ ...c, seedMps: SEED_PRINTED[c.cell] ?? [] })) }));
  } else {
    console.log(`replayed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return 0;
}

export function registerNotebook(program: Command, setExitCode: (code: number) => void = () => {}): void {
  program.command('notebook')
    .description('replay the seed notebook cell by cell on the CPU, beside what the seed printed on MPS')
    .option('--data <file>', 'word list (the seed used names.txt)', BUNDLED_DATA)
    .option('--steps <n>', 'max_steps of both trainings (cells 8 and 13); the decay stays at step 100000', positiveInt, 200_000)
    .option('--json', 'print one JSON object (cells, their lines and numbers, the seed\'s lines) instead')
    .action(async (flags: NotebookFlags) => { setExitCode(await runNotebook(flags)); });
}
