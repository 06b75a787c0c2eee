// `makemore sample`: load a model file and print sampled words.
import { loadModel } from '../model/file.js';
import { Generator } from '../random/index.js';
import { sampleWords } from '../sample/index.js';

export interface SampleFlags {
  model: string;
  count: number;
  seed: number;
  temperature: number;
}

export function runSample(flags: SampleFlags): void {
  const { model, vocab } = loadModel(flags.model);
  const words = sampleWords(model, vocab, { count: flags.count, generator: new Generator(flags.seed), temperature: flags.temperature });
  for (const w of words) console.log(w);
}
