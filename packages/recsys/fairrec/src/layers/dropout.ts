/**
 * Inverted dropout (Srivastava et al. 2014) driven by core's counter-based uniforms, so that a seed gives
 * the same mask on cpu, wasm and webgpu and nothing random is uploaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hashUniform, type Rng } from '@unbiased/core';
import { checkNumber } from '../validate.js';

/**
 * `x * [u >= rate] / (1 - rate)` with `u` uniform in [0, 1) from `rng` (it reserves `x.size` draws);
 * the identity when `rate` is 0 or `rng` is undefined (inference).
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | undefined): tf.Tensor {
  checkNumber('dropout', rate, { min: 0, max: 0.99 });
  if (rate === 0 || rng === undefined) return x;
  return tf.tidy(() => {
    const u = hashUniform(x.shape, rng.reserve(x.size));
    return tf.mul(x, tf.mul(tf.cast(tf.greaterEqual(u, tf.scalar(rate)), 'float32'), tf.scalar(1 / (1 - rate))));
  });
}
