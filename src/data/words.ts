// Parsing a word list: one word per line, CRLF tolerated, surrounding whitespace trimmed, blank
// lines skipped. Anything that cannot be a word list is refused with its source and line.
// (Reading files is in readWords.ts, the one part that needs Node.)
//
// Character policy: a word is kept exactly as written (no case folding, no Unicode
// normalisation); every Unicode code point is one vocabulary character (é, ß, an emoji...).
// Refused: '.', the start/end token; control characters (C0, DEL, C1: a NUL is reported as a
// binary file) and the Unicode line/paragraph separators, which no word list means as letters.
import { MakemoreError } from '../errors.js';

/** The separator token: it marks the start and end of every word, so no word may contain it. */
export const SEPARATOR = '.';

/** How model files name the bundled word list (data/names.txt): portable across clones, installs and the browser. */
export const BUNDLED_LABEL = 'bundled:names.txt';

/** Characters no word may hold: C0 controls, DEL, C1 controls, U+2028/U+2029. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** A control character or the separator: one scan per word finds either. */
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029.]/;

/** U+XXXX of a character. */
export function codePointName(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A word as error messages show it: at most 40 characters, control characters as <U+XXXX>, so a
 * message stays one printable line whatever the input was.
 */
export function previewWord(w: string): string {
  const chars = Array.from(w);
  const short = chars.length > 40 ? `${chars.slice(0, 40).join('')}… (${chars.length} characters)` : w;
  return short.replace(CONTROL_ALL, (c) => `<${codePointName(c)}>`);
}

/** Parse word-list text; `source` names it in errors (a file path). */
export function parseWords(text: string, source: string): string[] {
  const words: string[] = [];
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const w = lines[i].trim();
    if (w === '') continue;
    if (!SUSPECT.test(w)) { words.push(w); continue; }
    const line = i + 1;
    if (w.includes('\u0000')) throw new MakemoreError(`${source}:${line}: contains a NUL byte; this looks like a binary file, not a word list`);
    const control = CONTROL.exec(w);
    if (control !== null) throw new MakemoreError(`${source}:${line}: word "${previewWord(w)}" contains the control character ${codePointName(control[0])}; a word list has one word per line and no control characters`);
    if (w.includes(SEPARATOR)) throw new MakemoreError(`${source}:${line}: word "${previewWord(w)}" contains "${SEPARATOR}", which is reserved as the start/end token`);
    words.push(w);
  }
  if (words.length === 0) throw new MakemoreError(`${source}: no words found (the file is empty or has only blank lines)`);
  return words;
}

/**
 * Parse the bytes of a word-list file: strict UTF-8 (an invalid sequence is refused with its
 * line), an optional byte-order mark, then parseWords. Browser-safe (TextDecoder only).
 */
export function decodeWords(bytes: Uint8Array, source: string): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A UTF-16 byte-order mark (FF FE, FE FF): text, in an encoding this reader does not take.
    const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    throw new MakemoreError(`${source}:${lineOfInvalidUtf8(bytes)}: is not valid UTF-8${utf16 ? ` (the file starts with a UTF-16 ${bytes[0] === 0xff ? 'little' : 'big'}-endian byte-order mark: save it as UTF-8)` : ''}`);
  }
  return parseWords(text.replace(/^\uFEFF/, ''), source);
}

/** The 1-based line of the first invalid UTF-8 sequence. */
function lineOfInvalidUtf8(bytes: Uint8Array): number {
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
