export * from './data/batches.js';
export * from './data/interactions.js';
export * from './data/loaders/index.js';
export * from './data/ml100k-protocol.js';
export * from './data/negative-sampling.js';
export * from './data/propensity.js';
export * from './data/semi-synthetic.js';
export * from './estimators/index.js';
export { RELMF_MNAR_CONFIGS, RELMF_MNAR_MARGIN, relMfMnarExperiment, runRelMfMnar, type RelMfMnarConfig } from './experiments/relmf-mnar.js';
export {
  MF_GRADIENTS_KERNEL,
  mfGradientsFused,
  registerMfGradientKernels,
  rowIndex,
  type MfGradientAttrs,
  type MfGradientInputs,
  type MfGradientOutputs,
} from './kernels/mf-gradients.js';
export * from './losses/local-loss.js';
export * from './model/matrix-factorization.js';
export * from './model/mf-objective.js';
export { RECSYS_PERF_SHAPE, recsysPerfSuite } from './perf/recsys-suite.js';
export { type LoopParams, sgdLoopStep } from './perf/sgd-loop.js';
export * from './training/loss-monitor.js';
export * from './training/train.js';
