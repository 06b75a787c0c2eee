export { train, trainAsync, Trainer, type StepInfo, type TrainHooks, type TrainOptions, type TrainResult } from './trainer.js';
export { splitLoss } from './evaluate.js';
export { lossLine, pyFloat } from './format.js';
