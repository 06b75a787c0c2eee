export { sampleWords, type SampleOptions } from './sampler.js';
