import * as tf from '@tensorflow/tfjs-core';

// Broadcasts written as a matMul with a vector of ones. tf.broadcastTo / tf.tile run the Tile kernel,
// whose gradient loops over the repetitions (one Slice and one Add kernel per repeated row: 2 x 256
// kernels for a batch of 256 lists); tfjs-cpu's broadcasting binary ops take a slow per-element index
// path. A matMul with an inner dimension of 1 is exact (each output is one product by 1.0) and its
// gradient is one matMul, on every backend.

/** `v` ([n] or [1, n]) repeated as `rows` rows: [rows, n]. */
export function repeatRows(v: tf.Tensor, rows: number): tf.Tensor2D {
  const n = v.size;
  return tf.matMul(tf.ones([rows, 1]), tf.reshape(v, [1, n]));
}

/** A column `c` ([rows] or [rows, 1]) repeated as `n` columns: [rows, n]. */
export function repeatColumns(c: tf.Tensor, n: number): tf.Tensor2D {
  const rows = c.size;
  return tf.matMul(tf.reshape(c, [rows, 1]), tf.ones([1, n]));
}
