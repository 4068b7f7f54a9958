import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { denseLayers, disposeDenseLayers, makeVariable, uniqueScope } from '../rankers/init.js';
import { checkListLength} from '../validate.js';

/**
 * The examination (propensity) network of DLA, g(onehot(i)) for positions i = 1..listSize:
 * - `'logits'` (default, inferred: the free logits g in R^listSize of our CPU toy; equivalent to
 *   ULTRA's Linear(listSize -> 1) on a one-hot position, without its ELU), initialised to 0 (no bias).
 * - `{ hiddenUnits }`: one-hot -> dense layers with ELU -> linear 1 [C: DLA TF1 code, hiddenUnits [8, 4]];
 *   Glorot-uniform kernels from `rng`.
 */
export type PropensityArchitecture = 'logits' | { hiddenUnits: readonly number[] };

export interface PropensityModelOptions {
  /** Number of positions modelled (required); longer lists are rejected with `LIST_TOO_LONG`. */
  listSize: number;
  /** Default `'logits'`. */
  architecture?: PropensityArchitecture;
  /** Generator for the MLP kernels (required for `{ hiddenUnits }`). */
  rng?: Rng;
}

/** A model of examination by position; its softmax over positions is proportional to the propensities. */
export interface PropensityModel {
  readonly listSize: number;
  /** Trainable variables keyed by their (process-unique) tfjs variable name. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** Logits g_1..g_n of the first `n` positions (default `listSize`): shape [n]. */
  logits(n?: number): tf.Tensor1D;
  dispose(): void;
}

/** Builds a {@link PropensityModel}. */
export function propensityModel({ listSize, architecture = 'logits', rng }: PropensityModelOptions): PropensityModel {
  const size = checkOptionalInteger('listSize', listSize, 0, { min: 1 });
  const scope = uniqueScope('propensity');
  const checkN = (n: number | undefined): number => {
    const count = checkOptionalInteger('n', n, size, { min: 1 });
    checkListLength('n', count, size, 'the propensity model');
    return count;
  };
  if (architecture === 'logits') {
    const g = makeVariable(`${scope}/logits`, new Float32Array(size), [size]);
    return {
      listSize: size,
      variables: { [g.name]: g },
      logits: (n) => {
        const count = checkN(n);
        return count === size ? (tf.clone(g) as tf.Tensor1D) : (tf.slice(g, [0], [count]) as tf.Tensor1D);
      },
      dispose: () => g.dispose(),
    };
  }
  if (architecture === null || typeof architecture !== 'object' || !Array.isArray(architecture.hiddenUnits)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `architecture must be 'logits' or { hiddenUnits: number[] }; got ${JSON.stringify(architecture)}`, {
      field: 'architecture',
    });
  }
  if (rng === undefined) throw new UnbiasedError('INVALID_ARGUMENT', 'an MLP propensity model needs an rng', { field: 'rng' });
  const sizes = [size, ...architecture.hiddenUnits.map((w, i) => checkOptionalInteger(`hiddenUnits[${i}]`, w, 0, { min: 1 })), 1];
  const { layers, variables } = denseLayers(scope, sizes, rng);
  return {
    listSize: size,
    variables,
    logits(n) {
      const count = checkN(n);
      return tf.tidy(() => {
        let h: tf.Tensor = tf.slice(tf.eye(size), [0, 0], [count, size]);
        layers.forEach(({ kernel, bias }, k) => {
          h = tf.add(tf.matMul(h, kernel), bias);
          if (k < layers.length - 1) h = tf.elu(h);
        });
        return tf.reshape(h, [count]) as tf.Tensor1D;
      });
    },
    dispose: () => disposeDenseLayers(layers),
  };
}

/**
 * The propensities a model implies, relative to position 1: `p_i / p_1 = softmax(g)_i / softmax(g)_1
 * = exp(g_i - g_1)`, in float64 (one read-back). Only ratios are identified (Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation", SIGIR 2018).
 */
export async function relativePropensities(model: PropensityModel): Promise<Float64Array> {
  const ratios = tf.tidy(() => {
    const g = model.logits();
    return tf.exp(tf.sub(g, tf.slice(g, [0], [1])));
  });
  const values = await ratios.data();
  ratios.dispose();
  return Float64Array.from(values);
}
