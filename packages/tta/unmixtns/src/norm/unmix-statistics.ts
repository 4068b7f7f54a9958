import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { stopGradient } from '@unbiased/core/tfjs';

/** The K statistics components of one UnMix-TNS layer: means and variances, each `[K, C]`. */
export interface UnMixComponents {
  means: tf.Tensor2D;
  variances: tf.Tensor2D;
}

/** Options of {@link unmixTnsNormalize}. */
export interface UnMixNormalizeOptions {
  /** Per-channel scale γ, `[C]`. */
  gamma: tf.Tensor1D;
  /** Per-channel shift β, `[C]`. */
  beta: tf.Tensor1D;
  /** Added to the variance before the square root. Default 1e-5 (PyTorch BatchNorm's default). */
  epsilon?: number;
  /** Softmax temperature τ of the component assignment. Default 0.07, the released code's constant. */
  temperature?: number;
  /** Momentum m of the component update (see `unmixMomentum`); 0 leaves the components unchanged. */
  momentum: number;
}

/** What {@link unmixTnsNormalize} returns: the normalised input and the updated components (all new tensors). */
export interface UnMixNormalizeResult {
  output: tf.Tensor;
  components: UnMixComponents;
  /** The assignment probabilities p, `[B, K]` (no gradient). */
  assignment: tf.Tensor2D;
  /** The mixed per-instance mean μ̄ and variance σ̄² used to normalise, `[B, C]`. */
  mean: tf.Tensor2D;
  variance: tf.Tensor2D;
}

/** Per-instance mean and biased variance over the spatial axes of a channels-last `[B, L, C]` tensor. */
export function instanceStatistics(x3: tf.Tensor3D): { mean: tf.Tensor2D; variance: tf.Tensor2D } {
  const { mean, variance } = tf.moments(x3, 1);
  return { mean: mean as tf.Tensor2D, variance: variance as tf.Tensor2D };
}

/** Rows divided by `max(‖row‖₂, 1e-12)` (PyTorch `F.normalize`). */
function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

/**
 * One UnMix-TNS normalisation step for a channels-last input `x` of shape `[B, spatial..., C]` (Tomar et al.
 * 2024, "Un-Mixing Test-Time Normalization Statistics: Combatting Label Temporal Correlation", ICLR 2024,
 * section 3, equations for mixing, normalisation and update):
 *
 * - instance statistics over the spatial axes: `μ̃_b`, `σ̃²_b` (biased);
 * - assignment, without gradient: `p_bk = softmax_k(cos(μ̃_b, μ_k) / τ)`;
 * - mixing: `μ̂_bk = (1 − p_bk) μ_k + p_bk μ̃_b`, `σ̂²_bk = (1 − p_bk) σ²_k + p_bk σ̃²_b`,
 *   `μ̄_b = mean_k μ̂_bk`, `σ̄²_b = mean_k σ̂²_bk + mean_k μ̂²_bk − μ̄²_b` (law of total variance over K
 *   equally weighted components);
 * - output `γ (x_b − μ̄_b) / sqrt(σ̄²_b + ε) + β`, per instance, from the pre-update components; gradients reach
 *   `x` through `μ̃` and `σ̃²` (and γ, β), not through `p`;
 * - update, without gradient: `μ_k ← μ_k + m (1/B) Σ_b p_bk (μ̃_b − μ_k)`, and the same for `σ²_k` with `σ̃²_b`
 *   (divided by B, not by `Σ_b p_bk`, as in the released code).
 *
 * With K = 1 the assignment is 1 and the output is instance normalisation (plus the affine).
 */
export function unmixTnsNormalize(x: tf.Tensor, components: UnMixComponents, options: UnMixNormalizeOptions): UnMixNormalizeResult {
  const { gamma, beta, epsilon = 1e-5, temperature = 0.07, momentum } = options;
  if (x.rank < 3) {
    throw new UnbiasedError('SHAPE_MISMATCH', `UnMix-TNS needs an input with spatial axes [B, spatial..., C]; got shape [${x.shape.join(', ')}]`, {
      field: 'x',
    });
  }
  const channels = x.shape[x.rank - 1] as number;
  const [k, componentChannels] = components.means.shape;
  if (componentChannels !== channels || gamma.shape[0] !== channels || beta.shape[0] !== channels) {
    throw new UnbiasedError(
      'SHAPE_MISMATCH',
      `input has ${channels} channels but the layer's statistics have ${componentChannels} (gamma ${gamma.shape[0]}, beta ${beta.shape[0]})`,
      { field: 'x' },
    );
  }
  return tf.tidy(() => {
    const batch = x.shape[0] as number;
    const x3 = tf.reshape(x, [batch, -1, channels]) as tf.Tensor3D;
    const { mean: instanceMean, variance: instanceVariance } = instanceStatistics(x3);
    const means = components.means;
    const variances = components.variances;
    const similarity = tf.matMul(l2NormalizeRows(stopGradient(instanceMean)), l2NormalizeRows(means), false, true);
    const assignment = stopGradient(tf.softmax(tf.div(similarity, temperature))) as tf.Tensor2D; // [B, K]
    const p = tf.expandDims(assignment, 2); // [B, K, 1]
    const keep = tf.sub(1, p);
    const mixedMeans = tf.add(tf.mul(keep, tf.expandDims(means, 0)), tf.mul(p, tf.expandDims(instanceMean, 1))); // [B, K, C]
    const mixedVariances = tf.add(tf.mul(keep, tf.expandDims(variances, 0)), tf.mul(p, tf.expandDims(instanceVariance, 1)));
    const mean = tf.mean(mixedMeans, 1); // [B, C]
    const variance = tf.sub(tf.add(tf.mean(mixedVariances, 1), tf.mean(tf.square(mixedMeans), 1)), tf.square(mean));
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon))); // [B, C]
    const normalised = tf.add(tf.mul(tf.sub(x3, tf.expandDims(mean, 1)), tf.expandDims(scale, 1)), beta);
    const output = tf.reshape(normalised, x.shape);

    const meanOfAssignment = tf.reshape(tf.mean(assignment, 0), [k as number, 1]); // (1/B) Σ_b p_bk
    const rate = momentum / batch;
    const detachedMean = stopGradient(instanceMean);
    const detachedVariance = stopGradient(instanceVariance);
    // μ_k + m ((1/B) Σ_b p_bk μ̃_b − μ_k (1/B) Σ_b p_bk)
    const nextMeans = tf.add(means, tf.sub(tf.mul(tf.matMul(assignment, detachedMean, true, false), rate), tf.mul(means, tf.mul(meanOfAssignment, momentum))));
    const nextVariances = tf.add(
      variances,
      tf.sub(tf.mul(tf.matMul(assignment, detachedVariance, true, false), rate), tf.mul(variances, tf.mul(meanOfAssignment, momentum))),
    );
    return {
      output,
      components: { means: stopGradient(nextMeans) as tf.Tensor2D, variances: stopGradient(nextVariances) as tf.Tensor2D },
      assignment,
      mean: mean as tf.Tensor2D,
      variance: variance as tf.Tensor2D,
    };
  });
}

/** Options of {@link initialComponents}. */
export interface InitialComponentsOptions {
  /** Number of components K (≥ 1). */
  components: number;
  /** Standard-normal noise ε, `K · C` values (row-major `[K, C]`); ignored when K = 1. */
  noise: ArrayLike<number>;
  /** Share α of the source variance moved into the spread of the component means. Default 0.5 (the released code's constant). */
  alpha?: number;
}

/**
 * Component initialisation from the source (training) statistics (Tomar et al. 2024, ICLR, section 3,
 * "initialisation"): `μ_k = μ_s + sqrt(α K / (K − 1)) σ_s ⊙ ε_k`, `σ²_k = (1 − α) σ²_s`, so that the mixture
 * of the K components has the source mean and, in expectation, the source variance. With K = 1 the single
 * component is the source statistics (α treated as 0).
 */
export function initialComponents(sourceMean: tf.Tensor1D, sourceVariance: tf.Tensor1D, options: InitialComponentsOptions): UnMixComponents {
  const { components: k, noise, alpha = 0.5 } = options;
  const channels = sourceMean.shape[0];
  if (sourceVariance.shape[0] !== channels) {
    throw new UnbiasedError('SHAPE_MISMATCH', `source mean has ${channels} channels but source variance has ${sourceVariance.shape[0]}`, {
      field: 'sourceVariance',
    });
  }
  return tf.tidy(() => {
    if (k === 1) {
      return { means: tf.reshape(tf.clone(sourceMean), [1, channels]) as tf.Tensor2D, variances: tf.reshape(tf.clone(sourceVariance), [1, channels]) as tf.Tensor2D };
    }
    if (noise.length !== k * channels) {
      throw new UnbiasedError('SHAPE_MISMATCH', `noise must hold K · C = ${k * channels} values; got ${noise.length}`, { field: 'noise' });
    }
    const epsilon = tf.tensor2d(Float32Array.from(noise), [k, channels]);
    const spread = Math.sqrt((alpha * k) / (k - 1));
    const means = tf.add(tf.expandDims(sourceMean, 0), tf.mul(epsilon, tf.mul(tf.sqrt(sourceVariance), spread))) as tf.Tensor2D;
    const variances = tf.tile(tf.expandDims(tf.mul(sourceVariance, 1 - alpha), 0), [k, 1]) as tf.Tensor2D;
    return { means, variances };
  });
}
