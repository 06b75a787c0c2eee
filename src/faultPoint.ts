// Fault injection for tests: MAKEMORE_FAULT="<point>:<file>:<hit>:<signal>" makes the process send
// itself <signal> the <hit>-th time it reaches <point> (for writes, of a file named <file>; "*":
// any), e.g. "write-before-rename:m.safetensors:1:SIGKILL" kills the first checkpoint between
// its temporary file and the rename. test/faults.test.ts lands kills in every phase this way.
// Unset (always, outside tests) it costs one comparison per call.
import { basename } from 'node:path';
import { MakemoreError } from './errors.js';

/** Where a fault can be injected: inside an atomic write, and the phases of `train` after the steps. */
export type FaultPoint = 'step' | 'write-partial' | 'write-before-rename' | 'write-after-rename' | 'evaluate' | 'report';

interface Plan { point: string; file: string; hit: number; signal: NodeJS.Signals; seen: number }

let plan: Plan | null | undefined;

function parse(): Plan | null {
  const spec = typeof process === 'undefined' ? undefined : process.env.MAKEMORE_FAULT;
  if (spec === undefined || spec === '') return null;
  const [point, file, hit, signal] = spec.split(':');
  if (signal === undefined || !/^[1-9][0-9]*$/.test(hit) || !/^SIG[A-Z]+$/.test(signal)) throw new MakemoreError(`MAKEMORE_FAULT must be <point>:<file>:<hit>:<signal>, got "${spec}"`);
  return { point, file, hit: Number(hit), signal: signal as NodeJS.Signals, seen: 0 };
}

/** The process signals itself here when MAKEMORE_FAULT names this point (and file) and hit. */
export function faultPoint(point: FaultPoint, file?: string): void {
  if (plan === undefined) plan = parse();
  if (plan === null || plan.point !== point) return;
  if (plan.file !== '*' && (file === undefined || basename(file) !== plan.file)) return;
  if (++plan.seen === plan.hit) process.kill(process.pid, plan.signal);
}
