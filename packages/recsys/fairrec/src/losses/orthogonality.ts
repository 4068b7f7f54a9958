/**
 * FairRec's orthogonality regulariser between the bias-aware and bias-free user embeddings
 * (Wu et al. 2021, §3.3, L_D).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ExampleWeighting, weightedMean } from './example-weights.js';

/** Added under the square roots of the norms so that a zero vector has a finite gradient. */
const NORM_EPS = 1e-12;

/**
 * `L_D = (1/U) sum_i |u_b^i . u_d^i| / (||u_b^i|| ||u_d^i||)`, the mean absolute cosine: 1 for parallel or
 * anti-parallel pairs, 0 for orthogonal ones. Norms are `sqrt(||u||^2 + 1e-12)`, so a zero embedding
 * gives 0 and finite gradients. (The reading note prints a leading minus sign; the term is minimised, so
 * that is a typo (inferred).)
 */
export function orthogonalityLoss(biasAware: tf.Tensor2D, biasFree: tf.Tensor2D, weighting: ExampleWeighting = {}): tf.Scalar {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(biasAware, biasFree), 1);
    const norm = (u: tf.Tensor2D) => tf.sqrt(tf.add(tf.sum(tf.square(u), 1), tf.scalar(NORM_EPS)));
    return weightedMean(tf.div(tf.abs(dot), tf.mul(norm(biasAware), norm(biasFree))) as tf.Tensor1D, weighting);
  });
}
