/**
 * Softmax over the last axis restricted to the positions where `mask` is 1.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Added to masked logits: far below any real logit, and still finite in float32. */
const MASKED_LOGIT = -1e9;

/**
 * `softmax(logits)` over the last axis with masked positions excluded:
 * `w_i = m_i exp(a_i - max_j a_j) / sum_j m_j exp(a_j - max_j a_j)`. `mask` (1 = keep, 0 = padding) must
 * broadcast against `logits`. A row whose positions are all masked gets all-zero weights (not NaN, not
 * uniform), so an empty history or an empty title pools to the zero vector, as in the NRMS reference code
 * (`exp(a) * mask / (sum + eps)`, Wu et al. 2019).
 */
export function maskedSoftmax(logits: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shifted = tf.add(logits, tf.mul(tf.sub(tf.scalar(1), mask), tf.scalar(MASKED_LOGIT)));
    const stable = tf.sub(shifted, tf.max(shifted, -1, true));
    const weights = tf.mul(tf.exp(stable), mask);
    return tf.div(weights, tf.maximum(tf.sum(weights, -1, true), tf.scalar(1e-30)));
  });
}
