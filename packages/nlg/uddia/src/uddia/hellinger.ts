/**
 * Hellinger distance and UDDIA's adaptive debias trigger (Yang et al. 2023, "Unified Detoxifying and
 * Debiasing in Language Generation via Inference-time Adaptive Optimization", ICLR, §3.3: the bias term is
 * added only when the next-token distribution is closer to one demographic group's token distribution than
 * to the other's).
 */
import * as tf from '@tensorflow/tfjs-core';

/** `Hel(p, q) = sqrt(1 - sum_x sqrt(p(x) q(x)))`, in [0, 1] for distributions (clamped at 0 against rounding). Float64. */
export function hellinger(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt((p[i] as number) * (q[i] as number));
  return Math.sqrt(Math.max(0, 1 - bc));
}

/**
 * The trigger statistic `delta = |Hel(p, q0) - Hel(p, q1)|` of the next-token distribution `p` against the
 * two group token distributions `q0`, `q1`; the debias term fires when `delta > threshold` (default 0.1,
 * the released code's value).
 */
export function debiasTrigger(p: ArrayLike<number>, q0: ArrayLike<number>, q1: ArrayLike<number>, threshold = 0.1): { delta: number; fires: boolean } {
  const delta = Math.abs(hellinger(p, q0) - hellinger(p, q1));
  return { delta, fires: delta > threshold };
}

/** Row-wise {@link hellinger} of `p` `[rows, V]` against one distribution `q` `[V]`, as a tensor `[rows]`. */
export function hellingerRows(p: tf.Tensor2D, q: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.relu(tf.sub(1, tf.sum(tf.sqrt(tf.mul(p, q)), 1)))) as tf.Tensor1D);
}
