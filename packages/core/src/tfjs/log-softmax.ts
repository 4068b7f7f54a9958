import * as tf from '@tensorflow/tfjs-core';
import { withoutGradient } from './stop-gradient.js';

// `c` ([rows] or [rows, 1]) repeated as `n` columns, as a matMul with a row of ones: exact (each output is
// one product by 1.0), one matMul in the gradient, and fast on tfjs-cpu, whose broadcasting ops take a slow
// per-element index path.
function repeatColumns(c: tf.Tensor, n: number): tf.Tensor2D {
  return tf.matMul(tf.reshape(c, [c.size, 1]), tf.ones([1, n]));
}

/**
 * Row-wise log-softmax of a `[rows, n]` tensor, `log softmax(z)_j = z_j - m - log(sum_k exp(z_k - m))` with
 * `m = max_k z_k` taken as a constant (its gradient cancels), differentiable on every backend.
 *
 * Why not `tf.logSoftmax`: it is a `customGrad` that `save`s its output, and on wasm that copy trips tfjs's
 * `IS_TEST` kernel-leak check; row sums and broadcasts are matMuls with ones (fast on tfjs-cpu).
 */
export function logSoftmax(z: tf.Tensor): tf.Tensor2D {
  const n = z.shape[1] as number;
  return tf.tidy(() => {
    const shift = withoutGradient((x) => repeatColumns(tf.max(x, 1), n), z);
    const shifted = tf.sub(z, shift);
    const rowSums = tf.matMul(tf.exp(shifted), tf.ones([n, 1]));
    return tf.sub(shifted, repeatColumns(tf.log(rowSums), n)) as tf.Tensor2D;
  });
}
