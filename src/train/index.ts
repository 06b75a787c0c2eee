export { train, trainAsync, Trainer, type StepInfo, type TrainHooks, type TrainOptions, type TrainResult } from './trainer.js';
export { evalChunkRows, evalChunks, EVAL_CHUNK_BYTES, meanLoss, splitLoss, splitRowLosses, wholeSplit, type RowLosses } from './evaluate.js';
export { lossLine, pyFloat } from './format.js';
export { createOptimizer } from './optimizer.js';
export { batchGenerator, modelDatasets, runSplits, runWordSplit } from './data.js';
export { countedTargets, modelLoss, trainingLoss } from './loss.js';
