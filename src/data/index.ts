export { decodeWords, parseWords, previewWord, SEPARATOR } from './words.js';
export { readWords } from './readWords.js';
export { Vocab } from './vocab.js';
export { buildDataset, buildSplits, datasetRows, datasetsOf, splitWords, type Dataset, type SplitName, type Splits, type WordSplit } from './dataset.js';
export { buildWordDataset, makemoreBlockSize, maxWordLength, splitWordsMakemore } from './makemore.js';
