import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { denseLayers, disposeDenseLayers, uniqueScope } from './init.js';
import type { Ranker } from './types.js';

/** Activation of the hidden layers and, optionally, of the output. */
export type Activation = 'elu' | 'relu' | 'none';

export interface MlpRankerOptions {
  /** Number of features per document (required). */
  featureDim: number;
  /** Generator for the Glorot-uniform kernels (required; fold it by name for independent models). */
  rng: Rng;
  /** Hidden layer widths. Default [512, 256, 128] [C: DLA TF1 code and ULTRA `dla.json`]. */
  hiddenUnits?: readonly number[];
  /** Hidden activation. Default `'elu'` [C: DLA TF1]. */
  activation?: Activation;
  /**
   * Activation on the 1-unit output. Default `'elu'` [C: the DLA TF1 code applies ELU after every layer,
   * the output included, so logits are >= -1]; `'none'` gives an unbounded linear output (inferred).
   */
  outputActivation?: Activation;
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'elu') return tf.elu(x);
  if (activation === 'relu') return tf.relu(x);
  return x;
}

function checkActivation(field: string, value: Activation): Activation {
  if (value !== 'elu' && value !== 'relu' && value !== 'none') {
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be 'elu', 'relu' or 'none'; got ${String(value)}`, { field });
  }
  return value;
}

/**
 * The feed-forward ranker of DLA (Ai et al. 2018, official TF1 code): dense layers `hiddenUnits` with
 * `activation`, then a dense layer to one logit with `outputActivation`. Kernels Glorot-uniform from
 * `rng`, biases zero. Variables `<scope>/dense<k>/kernel` and `<scope>/dense<k>/bias`.
 */
export function mlpRanker({
  featureDim,
  rng,
  hiddenUnits = [512, 256, 128],
  activation = 'elu',
  outputActivation = 'elu',
}: MlpRankerOptions): Ranker {
  const d = checkOptionalInteger('featureDim', featureDim, 0, { min: 1 });
  if (rng === undefined || rng === null) throw new UnbiasedError('INVALID_ARGUMENT', 'mlpRanker needs an rng', { field: 'rng' });
  if (!Array.isArray(hiddenUnits)) throw new UnbiasedError('INVALID_ARGUMENT', 'hiddenUnits must be an array of widths', { field: 'hiddenUnits' });
  const widths = hiddenUnits.map((w, i) => checkOptionalInteger(`hiddenUnits[${i}]`, w, 0, { min: 1 }));
  const hidden = checkActivation('activation', activation);
  const output = checkActivation('outputActivation', outputActivation);
  const scope = uniqueScope('mlp');
  const sizes = [d, ...widths, 1];
  const { layers, variables } = denseLayers(scope, sizes, rng);
  return {
    name: 'mlp',
    featureDim: d,
    variables,
    score(features) {
      return tf.tidy(() => {
        const [batchSize, listSize] = features.shape as [number, number, number];
        let h: tf.Tensor = tf.reshape(features, [batchSize * listSize, d]);
        layers.forEach(({ kernel, bias }, k) => {
          h = activate(tf.add(tf.matMul(h, kernel), bias), k === layers.length - 1 ? output : hidden);
        });
        return tf.reshape(h, [batchSize, listSize]);
      });
    },
    dispose: () => disposeDenseLayers(layers),
  };
}
