// Reading a word list: UTF-8, one word per line, CRLF tolerated, surrounding whitespace trimmed,
// blank lines skipped. Anything that cannot be a word list is refused with its file and line.
import { readFileSync, statSync } from 'node:fs';
import { MakemoreError } from '../errors.js';

/** The separator token: it marks the start and end of every word, so no word may contain it. */
export const SEPARATOR = '.';

/** Parse word-list text; `source` names it in errors (a file path). */
export function parseWords(text: string, source: string): string[] {
  const words: string[] = [];
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const w = lines[i].trim();
    if (w === '') continue;
    const line = i + 1;
    if (w.includes('\u0000')) throw new MakemoreError(`${source}:${line}: contains a NUL byte; this looks like a binary file, not a word list`);
    if (w.includes(SEPARATOR)) throw new MakemoreError(`${source}:${line}: word "${preview(w)}" contains "${SEPARATOR}", which is reserved as the start/end token`);
    words.push(w);
  }
  if (words.length === 0) throw new MakemoreError(`${source}: no words found (the file is empty or has only blank lines)`);
  return words;
}

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

function preview(w: string): string {
  return w.length > 40 ? `${w.slice(0, 40)}…` : w;
}
