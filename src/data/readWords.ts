// Reading a word-list file (Node): strict UTF-8, errors that name the file and line.
import { readFileSync, statSync } from 'node:fs';
import { MakemoreError } from '../errors.js';
import { parseWords } from './words.js';

/** Read and parse a word-list file. */
export function readWords(path: string): string[] {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new MakemoreError(`${path}: is a directory, not a word list file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof MakemoreError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MakemoreError(`${path}: no such file`);
    if (code === 'EACCES') throw new MakemoreError(`${path}: permission denied`);
    throw new MakemoreError(`${path}: cannot read (${(e as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MakemoreError(`${path}:${lineOfInvalidUtf8(bytes)}: is not valid UTF-8`);
  }
  return parseWords(text.replace(/^\uFEFF/, ''), path);
}

/** The 1-based line of the first invalid UTF-8 sequence. */
function lineOfInvalidUtf8(bytes: Buffer): number {
  let start = 0;
  let line = 1;
  const dec = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    // Line breaks as parseWords counts them: LF, CRLF, or a lone CR.
    if (i === bytes.length || bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) {
      try { dec.decode(bytes.subarray(start, i)); } catch { return line; }
      start = i + 1;
      line++;
    }
  }
  return line;
}
