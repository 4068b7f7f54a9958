import * as tf from '@tensorflow/tfjs-core';

/**
 * `sign(x)` in {-1, 0, +1} for every finite x, on every backend. tfjs-backend-wasm 4.22's Sign kernel returns 0
 * for |x| < 2^-23 (it compares with FLT_EPSILON), which would freeze coordinates with tiny momentum in sign
 * methods; on wasm this is built from comparisons instead (`(x > 0) - (x < 0)`; NaN maps to 0 there). Must be
 * called inside a tidy.
 */
export function exactSign(x: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.sign(x);
  return tf.sub(tf.cast(tf.greater(x, 0), x.dtype), tf.cast(tf.less(x, 0), x.dtype));
}
