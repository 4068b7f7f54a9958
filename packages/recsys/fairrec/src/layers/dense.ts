/**
 * A fully connected layer `y = act(x W + b)` over the last axis of any-rank input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkChoice, checkInteger } from '../validate.js';
import type { ParameterStore } from './parameters.js';
import { stopGradient } from '@unbiased/core/tfjs';

export type Activation = 'linear' | 'tanh' | 'relu';
const ACTIVATIONS: readonly Activation[] = ['linear', 'tanh', 'relu'];

export interface DenseOptions {
  /** Default `'linear'`. */
  activation?: Activation;
  /** Add a bias (zero-initialised). Default true. */
  bias?: boolean;
}

/** `act(x)` for the named activation. */
export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'tanh') return tf.tanh(x);
  if (activation === 'relu') return tf.relu(x);
  return x;
}

/**
 * Dense layer with weights W ~ N(0, 1/fanIn) (LeCun normal) and zero bias. `apply` accepts `[..., inDim]`
 * and returns `[..., outDim]`.
 */
export class Dense {
  readonly inDim: number;
  readonly outDim: number;
  readonly activation: Activation;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(store: ParameterStore, inDim: number, outDim: number, { activation = 'linear', bias = true }: DenseOptions = {}) {
    this.inDim = checkInteger(`${store.path}.inDim`, inDim, { min: 1 });
    this.outDim = checkInteger(`${store.path}.outDim`, outDim, { min: 1 });
    this.activation = checkChoice(`${store.path}.activation`, activation, ACTIVATIONS);
    this.kernel = store.normal('kernel', [inDim, outDim], 1 / Math.sqrt(inDim));
    this.bias = bias ? store.zeros('bias', [outDim]) : undefined;
  }

  /** `act(x W + b)`; with `frozen`, W and b pass no gradient (the layer is a fixed function of `x`). */
  apply(x: tf.Tensor, { frozen = false }: { frozen?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const kernel = frozen ? stopGradient(this.kernel) : this.kernel;
      let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, this.inDim]), kernel);
      if (this.bias) y = tf.add(y, frozen ? stopGradient(this.bias) : this.bias);
      y = activate(y, this.activation);
      return lead.length === 1 ? y : tf.reshape(y, [...lead, this.outDim]);
    });
  }
}
