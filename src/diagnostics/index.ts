// Diagnostics: activation and gradient statistics, loss curves, batch-norm calibration, tables.
export * from './stats.js';
export type * from './types.js';
export { StatsCollector, isWeight, activationStats, outputGradStats, weightGradStats, parameterStats } from './collector.js';
export { batchNormCalibration, type CalibrationOptions } from './batchnorm.js';
export { TrainingDiagnostics, type TrainingDiagnosticsOptions } from './session.js';
export { configRows, diagnosticsMetadata, diagnosticsFromMetadata, DIAGNOSTICS_METADATA_KEY } from './record.js';
export { activationTable, outputGradTable, weightGradTable, updateRatioTable, statsReport, batchNormTable, fmtE, fmtF, fmtShape } from './tables.js';
export { embedding2d, type Embedding2d } from './embedding.js';
