/**
 * `tf.stop_gradient` for tfjs-core, which has none.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `x` in the forward pass, a zero gradient in the backward pass: a `customGrad` whose forward is a
 * clone. Used to hold the bias-free embedding fixed for the discriminator's loss and the
 * discriminator's weights fixed for the encoder's adversarial loss within one backward pass.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
  }));
  return (op as (t: tf.Tensor) => tf.Tensor)(x) as T;
}
