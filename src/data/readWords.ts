// Reading a word-list file (Node): strict UTF-8, errors that name the file and line.
import { readFileLimited } from '../readFile.js';
import { decodeWords } from './words.js';

/**
 * The most bytes a word list may have: its text must fit in one JavaScript string (V8's limit is
 * 2^29 - 24 UTF-16 units), so a larger file would fail in the middle with a misleading message.
 */
export const MAX_WORDS_BYTES = 500 * 2 ** 20;

/** Read and parse a word-list file (a regular file of at most MAX_WORDS_BYTES). */
export function readWords(path: string): string[] {
  return decodeWords(readFileLimited(path, { what: 'word list file', maxBytes: MAX_WORDS_BYTES }), path);
}
