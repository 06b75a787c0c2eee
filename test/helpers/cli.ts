// Running the `makemore` command from tests: as a child process, or through main() in this
// process (fast, for rows that fail before training).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

/** The repository root (tests run from dist/test/helpers/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'makemore.js');

export interface Run { status: number | null; stdout: string; stderr: string }

/** `node bin/makemore.js ...args` in `cwd`, without MAKEMORE_DEBUG (so no stack traces). */
export function makemore(cwd: string, ...args: string[]): Run {
  // 300 s: an evaluation of every split on the JS kernels runs SLEEF's exact tanh, about 1 µs each under load
  return makemoreWithin(300_000, cwd, ...args);
}

/** `makemore` with a longer time limit (runs that train thousands of steps on the JS kernels). */
export function makemoreWithin(timeoutMs: number, cwd: string, ...args: string[]): Run {
  const env = { ...process.env };
  delete env.MAKEMORE_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env, timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command through main() in this process, stderr captured. */
export async function inProcess(...args: string[]): Promise<Run> {
  const err: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: '', stderr: err.join('') };
  } finally {
    process.stderr.write = write;
  }
}
