/**
 * The click-prediction loss of NRMS and FairRec: softmax cross-entropy of the clicked candidate against
 * T sampled non-clicked ones (Wu et al. 2019 NRMS §3.4; FairRec §3.4) (confirmed in the paper).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ExampleWeighting, weightedMean } from './example-weights.js';

/**
 * `L_R = -(1/N) sum_i log( exp(y_i) / (exp(y_i) + sum_{j=1..T} exp(y_ij)) )` for scores `[B, 1 + T]` whose
 * column 0 is the clicked news, computed as `logsumexp(row) - row[0]` (stable for any score scale).
 */
export function rankingLoss(scores: tf.Tensor2D, weighting: ExampleWeighting = {}): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.reshape(tf.slice(scores, [0, 0], [-1, 1]), [-1]);
    const perExample = tf.sub(tf.logSumExp(scores, 1), positive) as tf.Tensor1D;
    return weightedMean(perExample, weighting);
  });
}
