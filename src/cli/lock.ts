// A lock file beside an output (`.<name>.lock`, holding the writer's pid), so that two runs
// writing the same --out refuse instead of replacing each other's checkpoints in turn. A lock
// left by a killed process (its pid is gone) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { lockPathFor, processAlive, writeTarget } from '../model/fileio.js';
import { MakemoreError } from '../errors.js';

export interface OutputLock {
  release(): void;
}

/** Take the lock of `path` for this process; throws when another live process holds it. */
export function lockOutput(path: string, flag = '--out'): OutputLock {
  const lock = lockPathFor(writeTarget(path));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        process.off('exit', release);
        try { unlinkSync(lock); } catch { /* already gone */ }
      };
      process.on('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { release: () => {} }; // a folder without locks: the atomic write still holds
      let pid = NaN;
      try { pid = Number(readFileSync(lock, 'utf8').trim()); } catch { /* removed meanwhile */ }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new MakemoreError(`${path} is being written by another makemore process (pid ${pid}); choose another ${flag} or wait for it to finish`);
      }
      try { unlinkSync(lock); } catch { /* removed meanwhile */ }
    }
  }
  throw new MakemoreError(`${path}: cannot take its lock file ${lock}`);
}
