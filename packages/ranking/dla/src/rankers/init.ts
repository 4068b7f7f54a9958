import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';

let instances = 0;

/**
 * A process-unique prefix for the variables of one model (`ultr-dla/<kind>-<n>`). tfjs registers
 * variables by name globally and the optimizers key their state by variable name, so two models must
 * never share a name. The counter only affects names, never numbers.
 */
export function uniqueScope(kind: string): string {
  instances += 1;
  return `ultr-dla/${kind}-${instances}`;
}

/**
 * A `[fanIn, fanOut]` kernel drawn from Glorot/Xavier uniform, U(-a, a) with a = sqrt(6 / (fanIn + fanOut))
 * (Glorot & Bengio 2010; the default initializer of TF1 `tf.get_variable` and tfjs-layers `dense`).
 */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from(rng.uniform(fanIn * fanOut, -limit, limit));
}

/** A trainable variable with the given values. */
export function makeVariable(name: string, values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, name));
}
