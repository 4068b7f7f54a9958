/**
 * Per-example weights and masks, shared by every loss of this package (our design:
 * "every loss accepts per-example weights and a mask").
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ExampleWeighting {
  /** Per-example weights `[B]` (default 1), e.g. inverse propensities. */
  weights?: tf.Tensor1D;
  /** Per-example mask `[B]` (1 = use, 0 = ignore; default all 1). */
  mask?: tf.Tensor1D;
  /** Weights are clipped to at most this value before use (`min(w, maxWeight)`); default no clipping. */
  maxWeight?: number;
}

/**
 * `sum_i m_i w_i l_i / max(1, sum_i m_i)`: the mean over unmasked examples of the weighted losses. The
 * weights scale each example but do not renormalise (a weight-2 example counts twice).
 */
export function weightedMean(losses: tf.Tensor1D, { weights, mask, maxWeight }: ExampleWeighting = {}): tf.Scalar {
  return tf.tidy(() => {
    let w: tf.Tensor = weights ?? tf.onesLike(losses);
    if (maxWeight !== undefined) w = tf.minimum(w, tf.scalar(maxWeight));
    const m: tf.Tensor = mask ?? tf.onesLike(losses);
    return tf.div(tf.sum(tf.mul(tf.mul(losses, w), m)), tf.maximum(tf.sum(m), tf.scalar(1))) as tf.Scalar;
  });
}
