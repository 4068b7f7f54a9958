import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { glorotUniform, makeVariable, uniqueScope } from './init.js';
import type { Ranker } from './types.js';

export interface LinearRankerOptions {
  /** Number of features per document (required). */
  featureDim: number;
  /** Add a bias term. Default false: a per-list constant cancels in listwise softmax losses (inferred). */
  bias?: boolean;
  /** Initial weights: `'zeros'` (default, inferred; the softmax loss has a non-zero gradient at 0) or `'glorot'` (needs `rng`). */
  init?: 'zeros' | 'glorot';
  /** Generator for `init: 'glorot'`. */
  rng?: Rng;
}

/**
 * The linear ranker `f(x) = w . x (+ b)`, the model of the DLA toy experiment (Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation", SIGIR 2018).
 * Variables: `<scope>/kernel` [featureDim, 1] and, with `bias`, `<scope>/bias` [1].
 */
export function linearRanker({ featureDim, bias = false, init = 'zeros', rng }: LinearRankerOptions): Ranker {
  const d = checkOptionalInteger('featureDim', featureDim, 0, { min: 1 });
  if (init !== 'zeros' && init !== 'glorot') {
    throw new UnbiasedError('INVALID_ARGUMENT', `init must be 'zeros' or 'glorot'; got ${String(init)}`, { field: 'init' });
  }
  if (init === 'glorot' && rng === undefined) {
    throw new UnbiasedError('INVALID_ARGUMENT', "init: 'glorot' needs an rng", { field: 'rng' });
  }
  const scope = uniqueScope('linear');
  const kernel = makeVariable(`${scope}/kernel`, init === 'zeros' ? new Float32Array(d) : glorotUniform(rng as Rng, d, 1), [d, 1]);
  const variables: Record<string, tf.Variable> = { [kernel.name]: kernel };
  const b = bias ? makeVariable(`${scope}/bias`, new Float32Array(1), [1]) : null;
  if (b) variables[b.name] = b;
  return {
    name: 'linear',
    featureDim: d,
    variables,
    score(features) {
      return tf.tidy(() => {
        const [batchSize, listSize] = features.shape as [number, number, number];
        let logits = tf.matMul(tf.reshape(features, [batchSize * listSize, d]), kernel);
        if (b) logits = tf.add(logits, b);
        return tf.reshape(logits, [batchSize, listSize]);
      });
    },
    dispose() {
      kernel.dispose();
      b?.dispose();
    },
  };
}
