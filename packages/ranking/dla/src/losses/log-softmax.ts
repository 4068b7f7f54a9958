import * as tf from '@tensorflow/tfjs-core';
import { repeatColumns } from '../broadcast.js';
import { withoutGradient } from '../stop-gradient.js';

/**
 * Row-wise log-softmax of a [B, L] tensor: `z - max(z) - log(sum exp(z - max(z)))` per row.
 *
 * Written with same-shape elementwise ops and matMul row sums / broadcasts (see `../broadcast.ts`)
 * rather than `tf.logSoftmax` / `tf.logSumExp`: tfjs-cpu's broadcasting ops are slow, and
 * `tf.logSoftmax`'s customGrad trips tfjs's kernel leak check on wasm. The row max is taken as a
 * constant (its gradient cancels).
 */
export function logSoftmaxRows(z: tf.Tensor): tf.Tensor2D {
  const listSize = z.shape[1] as number;
  return tf.tidy(() => {
    const shift = withoutGradient((x) => repeatColumns(tf.max(x, 1), listSize), z);
    const shifted = tf.sub(z, shift);
    const rowSums = tf.matMul(tf.exp(shifted), tf.ones([listSize, 1]));
    return tf.sub(shifted, repeatColumns(tf.log(rowSums), listSize)) as tf.Tensor2D;
  });
}
