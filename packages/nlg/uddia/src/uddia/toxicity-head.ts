/**
 * The toxicity signal of UDDIA (Yang et al. 2023, ICLR, §3.2, after PPLM's attribute head, Dathathri et al.
 * 2020): a linear head on the mean top-layer hidden state, `P(toxic) = sigmoid(w . h_mean + b)`, and the
 * detoxifying loss, the cross-entropy towards "non-toxic": `L_tox = -log(1 - P(toxic)) = softplus(w . h_mean + b)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';

/** A linear toxicity head over the hidden size. */
export interface ToxicityHead {
  weights: ArrayLike<number>;
  bias: number;
}

/** Throws `SHAPE_MISMATCH` (field `toxicityHead`) unless the head matches `hidden`. */
export function checkToxicityHead(head: ToxicityHead, hidden: number): void {
  if (head === undefined || head.weights?.length !== hidden || !Number.isFinite(head.bias)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `toxicityHead needs ${hidden} weights and a finite bias`, { field: 'toxicityHead' });
  }
}

/** The head's logit `w . h + b` for rows of mean hidden states `[rows, hidden]`, as `[rows]`. */
export function toxicityLogits(head: ToxicityHead, meanHidden: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const w = tf.tensor2d(Array.from(head.weights), [head.weights.length, 1]);
    return tf.reshape(tf.add(tf.matMul(meanHidden, w), head.bias), [-1]) as tf.Tensor1D;
  });
}
