/**
 * The local losses delta1 / delta0 of a pointwise recommender on logits z, with R = sigmoid(z) (Saito et
 * al., WSDM 2020, Sec. 3), as differentiable tfjs ops. This is the reference path: the fused gradient
 * kernel (`kernels/mf-gradients.ts`) computes the same closed form and is parity-tested against it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, invalidArgument } from '../validate.js';

/**
 * - `log`: delta1 = -log R, delta0 = -log(1 - R) (cross-entropy; Saito's semi-synthetic code, confirmed in Saito's released code).
 * - `squared`: delta1 = (1 - R)^2, delta0 = R^2 (Saito's real-world code, confirmed in Saito's released code); bounded, so it stays stable
 *   under the negative weights of Rel-MF.
 */
export type LocalLoss = 'log' | 'squared';

export const LOCAL_LOSSES: readonly LocalLoss[] = ['log', 'squared'];

export interface LocalLossOptions {
  /** Default `'squared'` [C: real-world code; bounded]. */
  loss?: LocalLoss;
  /**
   * Logits are clipped to [-logitClip, logitClip] before the loss (zero gradient outside). Default 30 [S: spec
   * 03 §3: full-batch Adam on the log-form Rel-MF loss diverges without it, since 1 - Y/theta < 0 on clicks
   * makes -log(1 - R) reward R -> 1 without bound]. With clipping, delta0 <= 30 + log(1 + e^-30).
   */
  logitClip?: number;
}

/** Validated options with defaults. */
export function resolveLocalLoss(options: LocalLossOptions = {}): Required<LocalLossOptions> {
  const { loss = 'squared', logitClip = 30 } = options;
  if (!LOCAL_LOSSES.includes(loss)) invalidArgument('loss', `loss must be 'log' or 'squared'; got ${String(loss)}`);
  checkNumber('logitClip', logitClip, { min: 0, minExclusive: true });
  return { loss, logitClip };
}

/** delta1 and delta0 per example, for logits `z` (any shape). Stable: log losses use softplus. */
export function localLosses(z: tf.Tensor, options: LocalLossOptions = {}): { positive: tf.Tensor; negative: tf.Tensor } {
  const { loss, logitClip } = resolveLocalLoss(options);
  return tf.tidy(() => {
    const clipped = tf.clipByValue(z, -logitClip, logitClip);
    if (loss === 'log') {
      // -log sigmoid(z) = softplus(-z); -log(1 - sigmoid(z)) = softplus(z)
      return { positive: tf.softplus(tf.neg(clipped)), negative: tf.softplus(clipped) };
    }
    const r = tf.sigmoid(clipped);
    return { positive: tf.square(tf.sub(tf.scalar(1), r)), negative: tf.square(r) };
  });
}

/** `a * delta1(z) + b * delta0(z)` per example: the summand of every estimator's loss. */
export function pointwiseLoss(z: tf.Tensor, positiveWeight: tf.Tensor, negativeWeight: tf.Tensor, options: LocalLossOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const { positive, negative } = localLosses(z, options);
    return tf.add(tf.mul(positiveWeight, positive), tf.mul(negativeWeight, negative));
  });
}
