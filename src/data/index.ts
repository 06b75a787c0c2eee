export { parseWords, readWords, SEPARATOR } from './words.js';
export { Vocab } from './vocab.js';
export { buildDataset, buildSplits, splitWords, type Dataset, type SplitName, type Splits, type WordSplit } from './dataset.js';
