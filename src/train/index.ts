export { train, type StepInfo, type TrainHooks, type TrainResult } from './trainer.js';
export { splitLoss } from './evaluate.js';
