// Reading a word-list file (Node): strict UTF-8, errors that name the file and line.
import { readFileSync, statSync } from 'node:fs';
import { MakemoreError } from '../errors.js';
import { decodeWords } from './words.js';

/** Read and parse a word-list file. */
export function readWords(path: string): string[] {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new MakemoreError(`${path}: is a directory, not a word list file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof MakemoreError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MakemoreError(`${path}: no such file`);
    if (code === 'ENOTDIR') throw new MakemoreError(`${path}: no such file (a folder on the path is a file)`);
    if (code === 'EACCES' || code === 'EPERM') throw new MakemoreError(`${path}: permission denied`);
    if (code === 'ERR_FS_FILE_TOO_LARGE' || e instanceof RangeError) throw new MakemoreError(`${path}: too large to read into memory`);
    throw new MakemoreError(`${path}: cannot read (${oneLine((e as Error).message)})`);
  }
  return decodeWords(bytes, path);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
