/**
 * Cross-entropy losses on attribute logits: FairRec's attribute prediction loss L_G and adversarial loss
 * L_A (same form), and the "confusion" objective that pushes a discriminator's output to uniform.
 */
import * as tf from '@tensorflow/tfjs-core';
import { logSoftmax, oneHotFloat } from '@unbiased/core/tfjs';
import { type ExampleWeighting, weightedMean } from './example-weights.js';

/**
 * `L = -(1/U) sum_j sum_c z_c^j log softmax(logits^j)_c` with one-hot `z` from int32 `labels` `[B]`
 * (FairRec eq. for L_G and L_A, confirmed in the paper).
 */
export function attributeCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weighting: ExampleWeighting = {}): tf.Scalar {
  return tf.tidy(() => {
    const target = oneHotFloat(labels, logits.shape[1]);
    return weightedMean(tf.neg(tf.sum(tf.mul(target, logSoftmax(logits)), 1)) as tf.Tensor1D, weighting);
  });
}

/**
 * Cross-entropy against the uniform distribution, `-(1/U) sum_j (1/C) sum_c log softmax(logits^j)_c`:
 * minimised (value `log C`) exactly when the discriminator outputs 1/C for every class. The encoder-side
 * "confusion" adversarial objective (inferred; our synthetic FairRec toy: BCE(disc(u_d), 0.5) instead of -L_A).
 */
export function confusionLoss(logits: tf.Tensor2D, weighting: ExampleWeighting = {}): tf.Scalar {
  return tf.tidy(() => weightedMean(tf.neg(tf.mean(logSoftmax(logits), 1)) as tf.Tensor1D, weighting));
}
