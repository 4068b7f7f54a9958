export * from './rankers/types.js';
export { linearRanker, type LinearRankerOptions } from './rankers/linear.js';
export { mlpRanker, type Activation, type MlpRankerOptions } from './rankers/mlp.js';
export { glorotUniform } from './rankers/init.js';
export * from './losses/click-weighted-softmax.js';
export * from './losses/position-weights.js';
export * from './propensity/propensity-model.js';
export * from './propensity/fit-exponent.js';
export * from './optim/adagrad.js';
export * from './algorithms/types.js';
export { ParameterGroup, optimizeGroups } from './algorithms/trainer.js';
export { naiveLearner } from './algorithms/naive.js';
export { ipwLearner, type IpwOptions } from './algorithms/ipw.js';
export { dlaLearner, type DlaLearner, type DlaOptions } from './algorithms/dual-learning.js';
export { irwEstimator, type IrwBatch, type IrwEstimator, type IrwOptions } from './algorithms/irw.js';
export { regressionEmLearner, type RegressionEmOptions } from './algorithms/regression-em.js';
export { pairwiseDebiasLearner, type PairwiseDebiasOptions } from './algorithms/pairwise-debias.js';
export { oracleLearner, type OracleOptions } from './algorithms/oracle.js';
export { generateToyLtrData, meanNdcg, productionNdcg, type ToyLtrData, type ToyLtrOptions, type ToySplit } from './experiments/toy-data.js';
export {
  DLA_MAX_GAP_TO_ORACLE,
  DLA_MIN_GAIN_OVER_NAIVE,
  DLA_SYNTHETIC_SCALES,
  type DlaSyntheticConfig,
  dlaSyntheticExperiment,
  runDlaSynthetic,
} from './experiments/dla-synthetic.js';
export {
  DLA_ETA_RANGE,
  irwTolerance,
  PROPENSITY_RECOVERY_SCALES,
  type PropensityRecoveryConfig,
  propensityRecoveryExperiment,
  runPropensityRecovery,
} from './experiments/propensity-recovery.js';
export { dlaPerfSuite, PERF_LISTS_PER_STEP } from './perf/dla-suite.js';
export { hash32, PERF_METRIC_LISTS, rankingMetricsPerfSuite, syntheticRankingBatch } from './perf/ranking-metrics-suite.js';
