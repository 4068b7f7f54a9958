export { type UnMixMomentumOptions, unmixMomentum } from './norm/momentum.js';
export {
  type InitialComponentsOptions,
  initialComponents,
  instanceStatistics,
  type UnMixComponents,
  type UnMixNormalizeOptions,
  type UnMixNormalizeResult,
  unmixTnsNormalize,
} from './norm/unmix-statistics.js';
export {
  type BatchStatistics,
  TestTimeBatchNormalization,
  type TestTimeBatchNormArgs,
  testTimeBatchNormalization,
  UnMixTnsNormalization,
  type UnMixTnsLayerArgs,
  type UnMixTnsOptions,
  unmixTnsNormalization,
} from './norm/unmixtns-layer.js';
export { type ConvertBatchNormOptions, convertBatchNorm, type NormalizationKind, normalizationLayers } from './convert/convert-batch-norm.js';
export { createTent, meanEntropy, type Tent, type TentOptions, tentParameters } from './tent/tent.js';
export { type DirichletStreamOptions, dirichletStream, iidStream, sampleDirichlet, sampleGamma } from './streams/label-streams.js';
export { formatMeanSd, type LabelledSet, type MethodSpec, meanSd, streamError } from './experiments/evaluate.js';
export {
  SHIFTED_DOMAIN,
  SIGNAL_LENGTH,
  SINUSOID_CLASSES,
  SOURCE_DOMAIN,
  type SinusoidDomain,
  sinusoidData,
  sinusoidNet,
} from './experiments/sinusoids.js';
export { type LayerInitializer, layerInitializers, MODEL_INITS, type ModelInit, pytorchInitBound } from './experiments/init.js';
export { type TrainClassifierOptions, trainClassifier } from './experiments/train.js';
export { NONIID_SCALES, NONIID_THRESHOLDS, type NoniidConfig, runUnmixtnsNoniid, unmixtnsNoniidExperiment } from './experiments/unmixtns-noniid.js';
export { CORRUPTION_SEVERITY, CORRUPTIONS, type Corruption, type CorruptionLevel, corruptImages, MILD_CORRUPTION_SEVERITY } from './experiments/corruptions.js';
export {
  DIGIT_FIXTURE_TRAINING,
  DIGIT_SIDE,
  DIGIT_TEST_PER_CLASS,
  digitNet,
  digitSplit,
  exportWeights,
  importWeights,
  type WeightFixture,
} from './experiments/digits.js';
export { MNIST_C_RULE, MNIST_C_SCALES, type MnistCConfig, runUnmixtnsMnistC, unmixtnsMnistCExperiment } from './experiments/unmixtns-mnist-c.js';
export { TTA_PERF_SHAPE, ttaPerfSuite } from './perf/tta-suite.js';
export { DIGIT_NET_WEIGHTS } from './fixtures/digit-net-weights.js';
