// makemore.py's work directory (`--work-dir`): the model with the best validation loss so far
// (model.safetensors, written atomically) and a JSONL log of scalars (log.jsonl) that any
// plotting tool reads: one object per line, {"step": updates done, "loss", "lr"} per step and
// {"step", "train_loss", "val_loss", "best_val_loss"} per evaluation.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWritablePath, MODEL_KIND, readHead, reason, writeFileAtomic, type OutputKind } from '../model/fileio.js';
import { MakemoreError } from '../errors.js';
import { checkPlotsDir } from './outputs.js';

export const WORK_MODEL = 'model.safetensors';
export const WORK_LOG = 'log.jsonl';

/** A log makemore wrote: empty, or JSON objects one a line. */
const LOG_KIND: OutputKind = { name: 'JSONL log', recognizes: (path, size) => size === 0 || new TextDecoder().decode(readHead(path, 1)) === '{' };

/** The work directory can be created (or is a folder) and its two files can be written. */
export function checkWorkDir(dir: string): void {
  checkPlotsDir(dir, '--work-dir', 'the work directory\'s files');
  checkWritablePath(join(dir, WORK_MODEL), '--work-dir', MODEL_KIND);
  checkWritablePath(join(dir, WORK_LOG), '--work-dir', LOG_KIND);
}

export type LogRecord = { step: number } & Record<string, number>;

/**
 * The scalar log. Lines are buffered and appended whole (a flush per second and at every
 * evaluation); a resumed run keeps the rows of the steps before it and drops the rest (those
 * of an interrupted run past its checkpoint, or a line a kill cut short), rewriting atomically.
 */
export class WorkLog {
  private pending: string[] = [];
  private lastFlush = Date.now();

  constructor(readonly path: string, startStep: number) {
    let kept = '';
    if (startStep > 0 && existsSync(path)) {
      let text: string;
      try { text = readFileSync(path, 'utf8'); } catch (e) { throw new MakemoreError(`cannot read ${path}: ${reason(e)}`); }
      const rows = text.split('\n').filter((line) => {
        try {
          const step = (JSON.parse(line) as { step?: unknown }).step;
          return typeof step === 'number' && step <= startStep;
        } catch { return false; }
      });
      kept = rows.map((r) => `${r}\n`).join('');
    }
    writeFileAtomic(path, new TextEncoder().encode(kept));
  }

  /** Adds one row (numbers; non-finite ones are written as null, as JSON has no NaN). */
  add(record: LogRecord): void {
    this.pending.push(JSON.stringify(record));
    if (Date.now() - this.lastFlush > 1000) this.flush();
  }

  flush(): void {
    this.lastFlush = Date.now();
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    try { appendFileSync(this.path, text); } catch (e) { throw new MakemoreError(`cannot write ${this.path}: ${reason(e)}`); }
  }
}
