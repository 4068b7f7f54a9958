/**
 * The gradient-reversal layer (Ganin & Lempitsky 2015, "Unsupervised Domain Adaptation by
 * Backpropagation", ICML, §3.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber } from '../validate.js';

/**
 * Identity in the forward pass; multiplies the incoming gradient by `-lambda` in the backward pass:
 * `R(x) = x`, `dR/dx = -lambda I`. Placed between the bias-free user embedding and the discriminator,
 * one minimisation of `L_R + ... + L_A(disc(R(u_d)))` gives the discriminator `+grad L_A` and the
 * encoders `-lambda grad L_A`: the paper's min-max on `L - lambda_A L_A` (FairRec, Wu et al. 2021, §3.3)
 * in a single step.
 */
export function gradientReversal(x: tf.Tensor, lambda: number): tf.Tensor {
  checkNumber('lambda', lambda, { min: 0 });
  const reverse = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.scalar(-lambda)),
  }));
  return (reverse as (t: tf.Tensor) => tf.Tensor)(x);
}
