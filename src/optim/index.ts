export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { AdamW, ADAMW_DEFAULTS, type AdamWOptions } from './adamw.js';
export { clipGradNorm } from './clip.js';
export { learningRate, SCHEDULES, type Schedule, type ScheduleConfig } from './schedule.js';
