/**
 * Pieces shared by the learners that keep one parameter per position and update it by a damped EM step
 * after each ranker step (regression EM's propensities, pairwise debiasing's biases).
 */
import * as tf from '@tensorflow/tfjs-core';

/** `x` where it is positive, else 1: a denominator for sums that may be empty in a batch. */
export function positiveOr1(x: tf.Tensor): tf.Tensor {
  return tf.where(tf.greater(x, tf.scalar(0)), x, tf.onesLike(x));
}

/**
 * The damped EM step of a per-position parameter `all` [size] of which the batch covers the first n,
 * `current` [n]: `(1 - stepSize) current + stepSize target` where `accept`, else `current`; positions n and
 * beyond keep their values. Call inside `tf.tidy`; the result is kept (`tf.keep`), to be assigned after
 * the ranker step.
 */
export function dampedPositionUpdate(all: tf.Tensor, current: tf.Tensor, target: tf.Tensor, accept: tf.Tensor, stepSize: number): tf.Tensor {
  const [size] = all.shape as [number];
  const [n] = current.shape as [number];
  const a = tf.scalar(stepSize);
  const updated = tf.where(accept, tf.add(tf.mul(tf.sub(tf.scalar(1), a), current), tf.mul(a, target)), current);
  return tf.keep(n === size ? updated : tf.concat([updated, tf.slice(all, [n], [size - n])]));
}

/** The parameter relative to its first position, `values / values[0]`, read back as float64. */
export async function relativeToFirstPosition(values: tf.Tensor): Promise<Float64Array> {
  const ratios = tf.tidy(() => tf.div(values, tf.slice(values, [0], [1])));
  const data = await ratios.data();
  ratios.dispose();
  return Float64Array.from(data);
}
