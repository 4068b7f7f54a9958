import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@unbiased/core';
import { checkChoice, checkNumber, checkPositiveInteger, checkSeed, UnbiasedError } from '@unbiased/core/errors';
import { unmixMomentum } from './momentum.js';
import { initialComponents, unmixTnsNormalize } from './unmix-statistics.js';

type Kwargs = Record<string, unknown>;
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Options of an {@link UnMixTnsNormalization} layer (all serialised with the model). */
export interface UnMixTnsOptions {
  /** Number of statistics components K (≥ 1). Default 16, the paper's default for single-domain shift. */
  components?: number;
  /** Added to the variance before the square root. Default 1e-5 (PyTorch BatchNorm's default). */
  epsilon?: number;
  /** Softmax temperature τ of the component assignment. Default 0.07, the released code's constant. */
  temperature?: number;
  /** BatchNorm momentum m_bn in PyTorch's convention (see `unmixMomentum`). Default 0.1. */
  bnMomentum?: number;
  /** B_max of the momentum rule. Default 64 (the released code's CIFAR setting). */
  maxBatchSize?: number;
  /**
   * The batch size B the momentum rule uses. Default: each call's own batch size. Inferred: the released code
   * takes B from the configured test batch size; set this to reproduce that when some calls are smaller.
   */
  batchSize?: number;
  /** Share α of the source variance turned into spread of the component means at init. Default 0.5 (released code). */
  alpha?: number;
  /** Seed of the component-initialisation noise. Default 0. */
  seed?: number;
}

export interface UnMixTnsLayerArgs extends LayerArgs, UnMixTnsOptions {}

function resolveUnMixOptions(options: UnMixTnsOptions): Required<Omit<UnMixTnsOptions, 'batchSize'>> & { batchSize: number | undefined } {
  const components = checkPositiveInteger('components', options.components ?? 16);
  const epsilon = checkNumber('epsilon', options.epsilon ?? 1e-5, { min: 0, minInclusive: false });
  const temperature = checkNumber('temperature', options.temperature ?? 0.07, { min: 0, minInclusive: false });
  const bnMomentum = checkNumber('bnMomentum', options.bnMomentum ?? 0.1, { min: 0, max: 1 });
  const maxBatchSize = checkPositiveInteger('maxBatchSize', options.maxBatchSize ?? 64);
  const batchSize = options.batchSize === undefined || options.batchSize === null ? undefined : checkPositiveInteger('batchSize', options.batchSize);
  const alpha = checkNumber('alpha', options.alpha ?? 0.5, { min: 0, max: 1, maxInclusive: false });
  const seed = checkSeed('seed', options.seed ?? 0);
  return { components, epsilon, temperature, bnMomentum, maxBatchSize, batchSize, alpha, seed };
}

function channelsOf(inputShape: tfl.Shape | tfl.Shape[]): number {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number' || shape.length < 2) {
    throw new UnbiasedError('SHAPE_MISMATCH', `the channel (last) axis must have a known size; got input shape [${shape.join(', ')}]`, { field: 'inputShape' });
  }
  return channels;
}

function checkChannels(layer: string, x: tf.Tensor, channels: number): void {
  if (x.shape[x.rank - 1] !== channels) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${layer} was built for ${channels} channels; got an input of shape [${x.shape.join(', ')}]`, { field: 'inputs' });
  }
}

/**
 * UnMix-TNS, a test-time replacement for BatchNormalization in tfjs-layers models (channels last): Tomar et al.
 * 2024, "Un-Mixing Test-Time Normalization Statistics: Combatting Label Temporal Correlation", ICLR 2024,
 * section 3. It keeps K statistics components `(μ_k, σ²_k)` initialised from the source statistics, normalises
 * every instance with the mixture of the components and its own statistics (see `unmixTnsNormalize`), and
 * moves the components towards the instance statistics on **every** forward call (train or inference), with
 * momentum `1 − (1 − m_bn)^(B / B_max)`.
 *
 * Inputs of rank 2 (dense features, where instance variance is 0) are normalised with the frozen source
 * statistics, as the released code's `UnMixTNS1d` does. Weights, in order: `gamma`, `beta` (trainable, so TENT
 * can adapt them), `moving_mean`, `moving_variance` (the source statistics, frozen), `component_means`,
 * `component_variances` (`[K, C]`, the online state).
 */
export class UnMixTnsNormalization extends tfl.layers.Layer {
  static className = 'UnMixTnsNormalization';
  readonly options: ReturnType<typeof resolveUnMixOptions>;
  private gamma!: tfl.LayerVariable;
  private beta!: tfl.LayerVariable;
  private sourceMean!: tfl.LayerVariable;
  private sourceVariance!: tfl.LayerVariable;
  private componentMeans!: tfl.LayerVariable;
  private componentVariances!: tfl.LayerVariable;
  private channels = 0;

  constructor(args: UnMixTnsLayerArgs = {}) {
    super(args);
    this.options = resolveUnMixOptions(args);
    this.supportsMasking = true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const channels = channelsOf(inputShape);
    const k = this.options.components;
    this.channels = channels;
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros(), undefined, true);
    this.sourceMean = this.addWeight('moving_mean', [channels], 'float32', tfl.initializers.zeros(), undefined, false);
    this.sourceVariance = this.addWeight('moving_variance', [channels], 'float32', tfl.initializers.ones(), undefined, false);
    this.componentMeans = this.addWeight('component_means', [k, channels], 'float32', tfl.initializers.zeros(), undefined, false);
    this.componentVariances = this.addWeight('component_variances', [k, channels], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
    this.resetComponents();
  }

  /**
   * Re-initialises the K components from the current source statistics (`moving_mean`, `moving_variance`) with
   * the layer's seeded noise: call it after setting the source statistics, or to restart adaptation.
   */
  resetComponents(): void {
    if (!this.built) throw new UnbiasedError('BAD_STATE', `${this.name} is not built yet`, { field: this.name });
    const { components: k, alpha, seed } = this.options;
    const noise = k === 1 ? new Float64Array(0) : Rng.fromSeed(seed).fold('unmixtns-components').normal(k * this.channels);
    tf.tidy(() => {
      const { means, variances } = initialComponents(this.sourceMean.read() as tf.Tensor1D, this.sourceVariance.read() as tf.Tensor1D, {
        components: k,
        noise,
        alpha,
      });
      this.componentMeans.write(means);
      this.componentVariances.write(variances);
    });
  }

  /** The trainable affine parameters `[gamma, beta]` (what TENT adapts). */
  affineVariables(): tf.Variable[] {
    // LayerVariable.read() returns the backing tf.Variable (tfjs-layers training relies on the same).
    return [this.gamma.read() as tf.Variable, this.beta.read() as tf.Variable];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      checkChannels(this.name, x, this.channels);
      const gamma = this.gamma.read() as tf.Tensor1D;
      const beta = this.beta.read() as tf.Tensor1D;
      const { epsilon, temperature } = this.options;
      if (x.rank === 2) {
        return tf.add(tf.mul(tf.sub(x, this.sourceMean.read()), tf.mul(gamma, tf.rsqrt(tf.add(this.sourceVariance.read(), epsilon)))), beta);
      }
      // Copies of the pre-update state: the tape keeps them while the variables move on.
      const components = { means: tf.clone(this.componentMeans.read()) as tf.Tensor2D, variances: tf.clone(this.componentVariances.read()) as tf.Tensor2D };
      const momentum = unmixMomentum({
        batchSize: this.options.batchSize ?? (x.shape[0] as number),
        bnMomentum: this.options.bnMomentum,
        maxBatchSize: this.options.maxBatchSize,
      });
      const result = unmixTnsNormalize(x, components, { gamma, beta, epsilon, temperature, momentum });
      tf.dispose([result.assignment, result.mean, result.variance]);
      this.componentMeans.write(result.components.means);
      this.componentVariances.write(result.components.variances);
      return result.output;
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { batchSize, ...rest } = this.options;
    return { ...super.getConfig(), ...rest, ...(batchSize === undefined ? {} : { batchSize }) };
  }
}
tf.serialization.registerClass(UnMixTnsNormalization);

/** Which statistics a {@link TestTimeBatchNormalization} layer normalises with. */
export type BatchStatistics = 'batch' | 'source';

export interface TestTimeBatchNormArgs extends LayerArgs {
  /** `batch`: the current test batch's statistics (TBN); `source`: the frozen training statistics. Default `batch`. */
  statistics?: BatchStatistics;
  /** Added to the variance before the square root. Default 1e-5. */
  epsilon?: number;
}

/**
 * The two baselines UnMix-TNS is compared against (Tomar et al. 2024, ICLR, section 4): test-time batch
 * normalisation (`statistics: 'batch'`, Nado et al. 2020, "Evaluating Prediction-Time Batch Normalization for
 * Robustness under Covariate Shift"; Schneider et al. 2020), which normalises with the mean and biased
 * variance of the current test batch over all axes but the channels, and the source model
 * (`statistics: 'source'`), eval-mode BatchNorm with the training running statistics. Weights: `gamma`,
 * `beta` (trainable), `moving_mean`, `moving_variance` (frozen). Nothing is updated at test time.
 */
export class TestTimeBatchNormalization extends tfl.layers.Layer {
  static className = 'TestTimeBatchNormalization';
  readonly statistics: BatchStatistics;
  readonly epsilon: number;
  private gamma!: tfl.LayerVariable;
  private beta!: tfl.LayerVariable;
  private sourceMean!: tfl.LayerVariable;
  private sourceVariance!: tfl.LayerVariable;
  private channels = 0;

  constructor(args: TestTimeBatchNormArgs = {}) {
    super(args);
    this.statistics = checkChoice('statistics', args.statistics, ['batch', 'source'] as const, 'batch');
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-5, { min: 0, minInclusive: false });
    this.supportsMasking = true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const channels = channelsOf(inputShape);
    this.channels = channels;
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros(), undefined, true);
    this.sourceMean = this.addWeight('moving_mean', [channels], 'float32', tfl.initializers.zeros(), undefined, false);
    this.sourceVariance = this.addWeight('moving_variance', [channels], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  /** The trainable affine parameters `[gamma, beta]` (what TENT adapts). */
  affineVariables(): tf.Variable[] {
    // LayerVariable.read() returns the backing tf.Variable (tfjs-layers training relies on the same).
    return [this.gamma.read() as tf.Variable, this.beta.read() as tf.Variable];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      checkChannels(this.name, x, this.channels);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (this.statistics === 'batch') {
        const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
        ({ mean, variance } = tf.moments(x, axes));
      } else {
        mean = this.sourceMean.read();
        variance = this.sourceVariance.read();
      }
      return tf.add(tf.mul(tf.sub(x, mean), tf.mul(this.gamma.read(), tf.rsqrt(tf.add(variance, this.epsilon)))), this.beta.read());
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), statistics: this.statistics, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(TestTimeBatchNormalization);

/** A UnMix-TNS layer (see {@link UnMixTnsNormalization}); `components` ≤ 0 throws `INVALID_HYPERPARAMETER`. */
export function unmixTnsNormalization(args: UnMixTnsLayerArgs = {}): UnMixTnsNormalization {
  return new UnMixTnsNormalization(args);
}

/** A test-time BN layer with batch (TBN) or source statistics (see {@link TestTimeBatchNormalization}). */
export function testTimeBatchNormalization(args: TestTimeBatchNormArgs = {}): TestTimeBatchNormalization {
  return new TestTimeBatchNormalization(args);
}
