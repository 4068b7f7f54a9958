/**
 * `tf.stop_gradient` for tfjs-core, which has none.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `fn(x)` in the forward pass, a zero gradient for `x` in the backward pass. The function runs inside a
 * `customGrad` forward, where tfjs records nothing on the gradient tape, so the backward pass never visits
 * its ops (nor their gradients). Nothing is `save`d: on wasm, `save` copies tensors inside the op, which
 * tfjs's `IS_TEST` leak check reports as a kernel leak.
 */
export function withoutGradient<T extends tf.Tensor>(fn: (x: tf.Tensor) => T, x: tf.Tensor): T {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: fn(input as tf.Tensor),
    gradFunc: () => tf.zerosLike(input as tf.Tensor),
  }));
  return (op as (t: tf.Tensor) => tf.Tensor)(x) as T;
}

/**
 * `x` in the forward pass, a zero gradient in the backward pass. Used to hold the bias-free embedding
 * fixed for the discriminator's loss and the discriminator's weights fixed for the encoder's adversarial
 * loss within one backward pass.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return withoutGradient((input) => tf.clone(input) as T, x);
}
