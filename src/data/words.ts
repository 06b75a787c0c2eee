// Parsing a word list: one word per line, CRLF tolerated, surrounding whitespace trimmed, blank
// lines skipped. Anything that cannot be a word list is refused with its source and line.
// (Reading files is in readWords.ts, the one part that needs Node.)
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

function preview(w: string): string {
  return w.length > 40 ? `${w.slice(0, 40)}…` : w;
}
