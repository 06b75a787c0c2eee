// Model files on disk (Node): atomic save, load with one-line errors.
import type { Vocab } from '../data/index.js';
import { decodeModel, encodeModel, type ModelFileInfo, type SavedModel } from './file.js';
import { readFileBytes, writeFileAtomic } from './fileio.js';
import type { LanguageModel } from './index.js';

/** Write a model file atomically (temporary file, fsync, rename). */
export function saveModel(path: string, model: LanguageModel, vocab: Vocab, info: ModelFileInfo): void {
  writeFileAtomic(path, encodeModel(model, vocab, info));
}

/** Read a model file; every problem is a MakemoreError naming the file. */
export function loadModel(path: string): SavedModel {
  return decodeModel(readFileBytes(path), path);
}
