// The word list a command on a saved model reads (eval, report, train --resume), and the check
// that it can serve that model.
import { createHash } from 'node:crypto';
import { readWords, Vocab } from '../data/index.js';
import { MakemoreError } from '../errors.js';
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

/** The fingerprint of a word list recorded in model files (metadata "data_sha256"). */
export function wordsSha256(words: readonly string[]): string {
  return createHash('sha256').update(words.join('\n')).digest('hex');
}

/**
 * The words of the list a saved model is evaluated on, refused when they cannot serve it: another
 * vocabulary, or (for the recorded list, not one the user chose with --data) other words than
 * the model was trained on: its split would differ and the losses would be silently wrong.
 */
export function wordsForModel(info: ModelFileInfo, vocab: Vocab, model: string, given?: string): { data: string; words: string[] } {
  const data = given ?? recordedData(info);
  const { words, mismatch } = readWordsFor(data, vocab);
  if (mismatch !== null) throw new MakemoreError(mismatch);
  if (info.dataSha256 !== undefined && info.dataSha256 !== wordsSha256(words)) {
    if (given === undefined) throw new MakemoreError(`${data}: is not the word list ${model} was trained on (it changed since: its SHA-256 differs); pass --data to evaluate on another word list`);
    process.stderr.write(`makemore: warning: ${data} is not the word list ${model} was trained on; the train/val/test split differs from training's\n`);
  }
  return { data, words };
}
