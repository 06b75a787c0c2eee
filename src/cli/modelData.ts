// The word list a command on a saved model reads (eval, report, train --resume), and the check
// that it can serve that model.
import { readWords, Vocab } from '../data/index.js';
import type { ModelFileInfo } from '../model/file.js';
import { BUNDLED_DATA, resolveData } from './paths.js';

/** The word list recorded in a model file, or the bundled one when none is. */
export function recordedData(info: ModelFileInfo): string {
  return info.data !== undefined ? resolveData(info.data) : BUNDLED_DATA;
}

/** The words of `data`, and why they cannot serve a model of `vocab` (null when they can). */
export function readWordsFor(data: string, vocab: Vocab): { words: string[]; mismatch: string | null } {
  const words = readWords(data);
  const dataVocab = Vocab.fromWords(words);
  const mismatch = dataVocab.equals(vocab) ? null : `${data}: its vocabulary "${dataVocab.toString()}" differs from the model's "${vocab.toString()}"`;
  return { words, mismatch };
}
