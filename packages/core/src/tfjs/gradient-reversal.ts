import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from '../errors.js';

/**
 * The gradient-reversal layer (Ganin & Lempitsky 2015, "Unsupervised Domain Adaptation by Backpropagation",
 * ICML, §3.2): identity in the forward pass, the incoming gradient times `-lambda` in the backward pass,
 * `R(x) = x`, `dR/dx = -lambda I`. Between an encoder and an adversary it turns one minimisation into the
 * min-max of adversarial training. `lambda >= 0` (0 blocks the gradient).
 */
export function gradientReversal(x: tf.Tensor, lambda: number): tf.Tensor {
  checkNonNegative('lambda', lambda);
  const reverse = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.scalar(-lambda)),
  }));
  return (reverse as (t: tf.Tensor) => tf.Tensor)(x);
}
