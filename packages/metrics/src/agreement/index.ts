export * from './cohen-kappa.js';
export {
  type AgreementValue,
  type AlphaData,
  type Coincidences,
  krippendorffCoincidences,
  type MissingValue,
  type ReliabilityData,
  type ValueCountsData,
  type ValueDomainOptions,
} from './coincidences.js';
export type { DistanceContext, DistanceFunction, LevelOfMeasurement } from './distance.js';
export { LEVELS_OF_MEASUREMENT } from './distance.js';
export * from './fleiss-kappa.js';
export * from './kendall-tau.js';
export { alphaFromCoincidences, type AlphaMetricOptions, krippendorffAlpha, type KrippendorffAlphaOptions } from './krippendorff-alpha.js';
export * from './krippendorff-bootstrap.js';
export { pearsonCorrelation } from './pearson.js';
export { averageRanks } from './ranks.js';
export * from './spearman-rho.js';
