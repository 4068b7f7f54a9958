import * as tf from '@tensorflow/tfjs-core';
import { repeatColumns } from '../broadcast.js';
import { checkPropensities, maxWeightOption } from '../validate.js';

/**
 * Largest log-weight kept by {@link weightsRelativeToFirst}: e^60 ~ 1e26, so that a batch of such weights
 * still sums to a finite float32. Only reached when the logits of a list differ by more than 60.
 */
export const MAX_LOG_WEIGHT = 60;

export interface WeightOptions {
  /** Value-clip the weights at this maximum (after normalisation to position 1). Default `Infinity` (no clip). */
  maxWeight?: number;
}

/**
 * Inverse weights normalised to position 1 from logits over positions (last axis):
 * `w_i = softmax(x)_1 / softmax(x)_i = exp(x_1 - x_i)`, then `min(w_i, maxWeight)`.
 *
 * With `x` = propensity logits g these are DLA's IPW weights, with `x` = ranker logits f its IRW weights
 * (Ai et al. SIGIR 2018; ULTRA `get_normalized_weights`). `w_1 = 1` always, and the weights do not change
 * when a constant is added to `x` (the softmax identifies propensities only up to scale). Unlike ULTRA
 * and the Baidu baseline, whose `clip_grad_value` on a tensor without `.grad` is a no-op, the clip is a
 * real value clip (Hager et al. 2024 clip at 10). Log-weights are also capped at {@link MAX_LOG_WEIGHT}.
 * Differentiable; wrap in `stopGradient` where the weights must be constants.
 */
export function weightsRelativeToFirst(logits: tf.Tensor, { maxWeight }: WeightOptions = {}): tf.Tensor {
  const clip = maxWeightOption('maxWeight', maxWeight);
  const cap = Math.min(MAX_LOG_WEIGHT, clip === Infinity ? Infinity : Math.log(clip));
  return tf.tidy(() => {
    const shape = logits.shape;
    const n = shape[shape.length - 1] as number;
    const rows = tf.reshape(logits, [logits.size / n, n]);
    // Same-shape ops only (see ../broadcast.ts).
    const first = repeatColumns(tf.slice(rows, [0, 0], [rows.shape[0] as number, 1]), n);
    const logWeights = tf.reshape(tf.minimum(tf.sub(first, rows), tf.fill(rows.shape, cap)), shape);
    const weights = tf.exp(logWeights);
    // exp(log(maxWeight)) can round a hair above maxWeight in float32: clip the value itself too.
    return clip === Infinity ? weights : tf.minimum(weights, tf.fill(shape, clip));
  });
}

/**
 * IPW weights from known examination propensities, on the host in float64:
 * `w_i = min(p_1 / p_i, maxWeight)` (Joachims et al. 2017; normalised to position 1 as DLA and the
 * RandList baseline do). Each `p_i` must be in (0, 1], else `BAD_PROPENSITY` naming `propensities[i]`.
 */
export function ipwWeightsFromPropensities(propensities: ArrayLike<number>, { maxWeight }: WeightOptions = {}): Float64Array {
  const p = checkPropensities('propensities', propensities);
  const clip = maxWeightOption('maxWeight', maxWeight);
  const first = p[0] as number;
  return p.map((pi) => Math.min(first / pi, clip));
}
