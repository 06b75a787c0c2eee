export { sampleWords, sampleWordsIter, type SampleOptions } from './sampler.js';
