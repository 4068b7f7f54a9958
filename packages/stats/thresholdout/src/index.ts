export * from './noise.js';
export * from './thresholdout.js';
export * from './query-matrix.js';
export * from './parameters.js';
export * from './model-selection.js';
export type { QueryRange } from './validate.js';
export { adaptiveAttackExperiment } from './experiments/adaptive-attack.js';
export { THRESHOLDOUT_PERF_QUERIES, THRESHOLDOUT_PERF_ROWS, thresholdoutPerfCases, thresholdoutPerfSuite } from './perf/thresholdout-suite.js';
