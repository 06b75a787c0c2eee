export { nextCharProbs, sampleWords, sampleWordsIter, type SampleOptions } from './sampler.js';
