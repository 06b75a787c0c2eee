// Every file a command will write, checked before any work: a typo in --report or --plots must
// not cost a finished training run, and no output replaces a file of another kind (the word
// list, the model) with HTML.
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkWritablePath, MODEL_KIND, readHead, reason, type OutputKind } from '../model/fileio.js';
import { MakemoreError } from '../errors.js';

/** An HTML report makemore wrote: it may be replaced by a new one. */
export const REPORT_KIND: OutputKind = {
  name: 'makemore report',
  recognizes: (path, size) => {
    if (size === 0) return true;
    const head = new TextDecoder().decode(readHead(path, 1024));
    return /^<!DOCTYPE html>/i.test(head) && head.includes('makemore');
  },
};

/** Create the folders above `path` (as the writers do), naming a file in the way. */
function ensureFolder(dir: string, path: string): void {
  if (dir === '' || existsSync(dir)) return;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : reason(e);
    throw new MakemoreError(`cannot write ${path}: ${why}`);
  }
}

/** An HTML report path (`--report`, `report --out`): a new file or a report makemore wrote. */
export function checkReportPath(path: string, flag: string): void {
  if (path !== '' && !/[\\/]$/.test(path)) ensureFolder(dirname(path), path);
  checkWritablePath(path, flag, REPORT_KIND);
}

/** A plots folder (`--plots`; `what` names its files in messages): a folder, or a name where one can be created. */
export function checkPlotsDir(dir: string, flag = '--plots', what = 'plots'): void {
  if (dir === '') throw new MakemoreError(`${flag} '' is not a folder name`);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
    if (!isDir) throw new MakemoreError(`cannot write ${what} into ${dir}: it is a file, not a folder; give ${flag} a folder name`);
  } catch (e) {
    if (e instanceof MakemoreError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new MakemoreError(`cannot write ${what} into ${dir}: ${reason(e)}`);
  }
  if (!isDir) ensureFolder(dir, dir);
  // The folder takes files: the same probe as for a file in it.
  checkWritablePath(`${dir.replace(/[\\/]+$/, '')}/loss.png`, flag, { name: 'plot', recognizes: () => true });
}

export interface TrainOutputs {
  out?: string;
  report?: string;
  plots?: string;
  data: string;
  /** Where an interruption saves when there is no --out. */
  interruptFile: string;
}

/** Whether two paths name one file (through symbolic links where they exist). */
export function samePath(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  const real = (p: string): string => { try { return realpathSync(p); } catch { return resolve(p); } };
  return resolve(a) === resolve(b) || real(a) === real(b);
}

/** --plots on the path of another output: the folder it makes would block that file's write after the work. */
export function checkPlotsApart(plots: string | undefined, others: [flag: string, path: string | undefined, what: string][]): void {
  if (plots === undefined) return;
  for (const [flag, path, what] of others) {
    if (path !== undefined && samePath(plots, path)) throw new MakemoreError(`--plots and ${flag} name the same path ${plots}; the plots folder would take the place of the ${what}`);
  }
}

/** Check every output of `makemore train` before the first step. */
export function checkTrainOutputs(o: TrainOutputs): void {
  // Two outputs on one path: the later write would replace the model with the report.
  if (o.out !== undefined && o.report !== undefined && samePath(o.out, o.report)) {
    throw new MakemoreError(`--out and --report name the same file ${o.out}; the report would replace the model`);
  }
  checkPlotsApart(o.plots, [['--out', o.out, 'model'], ['--report', o.report, 'report']]);
  if (o.out !== undefined) checkWritablePath(o.out, '--out', MODEL_KIND);
  else {
    // Written only if the run is interrupted: a folder that takes no files costs a warning.
    try {
      checkWritablePath(o.interruptFile, '--out', MODEL_KIND);
    } catch (e) {
      if (!(e instanceof MakemoreError) || /exists and is not/.test(e.message)) throw e;
      process.stderr.write(`makemore: warning: an interrupted run could not save its checkpoint (${e.message}); pass --out\n`);
    }
  }
  if (o.report !== undefined) checkReportPath(o.report, '--report');
  if (o.plots !== undefined) checkPlotsDir(o.plots);
}
