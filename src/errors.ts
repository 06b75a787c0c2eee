// Errors a user can act on: the CLI prints their message as one line (no stack) and exits 1.
// The message is kept to one printable line whatever went into it (a word from a binary file, a
// JSON parser's excerpt of a corrupt header): control characters become <U+XXXX>.
export class MakemoreError extends Error {
  constructor(message: string) {
    super(shortened(oneLine(message), MAX_MESSAGE));
    this.name = 'MakemoreError';
  }
}

/** `s` as one printable line: line breaks and other control characters shown as <U+XXXX>. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** A path for a message: a very long one keeps its start and end, so the reason after it still shows. */
export function shownPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 120)}…${path.slice(-60)} (${path.length} characters)`;
}

/** The longest message printed: a megabyte value from a file must not become a megabyte line. */
const MAX_MESSAGE = 1000;

/** `s` cut to `max` characters, saying how long it was. */
export function shortened(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
}
