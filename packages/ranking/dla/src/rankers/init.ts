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

/** One fully connected layer: `x kernel + bias`. */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * Fully connected layers between consecutive `sizes` (`[input, ...hidden, output]`): layer k has a
 * Glorot-uniform kernel drawn from `rng.fold("dense<k>")` and a zero bias, named `<scope>/dense<k>/kernel`
 * and `<scope>/dense<k>/bias`. Returns the layers in order and their variables by name.
 */
export function denseLayers(scope: string, sizes: readonly number[], rng: Rng): { layers: DenseLayer[]; variables: Record<string, tf.Variable> } {
  const layers: DenseLayer[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const fanIn = sizes[k] as number;
    const fanOut = sizes[k + 1] as number;
    layers.push({
      kernel: makeVariable(`${scope}/dense${k}/kernel`, glorotUniform(rng.fold(`dense${k}`), fanIn, fanOut), [fanIn, fanOut]),
      bias: makeVariable(`${scope}/dense${k}/bias`, new Float32Array(fanOut), [fanOut]),
    });
  }
  const variables: Record<string, tf.Variable> = {};
  for (const { kernel, bias } of layers) {
    variables[kernel.name] = kernel;
    variables[bias.name] = bias;
  }
  return { layers, variables };
}

/** Disposes the variables of {@link denseLayers}. */
export function disposeDenseLayers(layers: readonly DenseLayer[]): void {
  for (const { kernel, bias } of layers) {
    kernel.dispose();
    bias.dispose();
  }
}
