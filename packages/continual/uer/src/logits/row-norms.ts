import * as tf from '@tensorflow/tfjs-core';

/**
 * ‖v‖ per row (`[rows, 1]`), with the square root floored at 1e-12 so that an all-zero row (dead ReLU
 * features) has a zero, not NaN, gradient; 1e-12 is far below ε = 1e-6, so the value is ‖v‖ to float32
 * precision. Internal: the package index does not re-export it.
 */
export function rowNorms(v: tf.Tensor2D): tf.Tensor2D {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(v), 1, true), 1e-24)) as tf.Tensor2D;
}
