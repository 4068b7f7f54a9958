import * as tf from '@tensorflow/tfjs-core';
import { maskCondition } from '../rankers/types.js';
import { repeatColumns, repeatRows } from '../broadcast.js';
import { asFloat32, logSoftmax, withoutGradient } from '@unbiased/core/tfjs';
import { checkListExtras, checkRank, checkShape, invalidArgument, maxWeightOption } from '../validate.js';

/** How the weighted sum is reduced to the loss. */
export type SoftmaxLossReduction = 'weighted-mean' | 'sum';

export interface SoftmaxLossOptions {
  /** [B, L]: 1 at real documents, 0 at padding. Padded positions are left out of the softmax and the sums. Default: all real. */
  mask?: tf.Tensor;
  /** [B, L] or [L]: per-position weights w (IPW or IRW weights). Default 1. Treated as given: stop gradients before passing them. */
  positionWeights?: tf.Tensor;
  /** [B]: per-list (per-example) weights; a list of weight 0 is dropped. Default 1. */
  listWeights?: tf.Tensor;
  /** Value-clip `positionWeights` at this maximum. Default `Infinity` (no clip). */
  maxWeight?: number;
  /**
   * `'weighted-mean'` (default, confirmed in the DLA / ULTRA code): divide by `sum c w lambda`, the DLA / ULTRA form. `'sum'`: the
   * un-normalised sum, whose IPW version is unbiased in expectation (a consequence of the position-based click model, Ai et al., SIGIR 2018).
   */
  reduction?: SoftmaxLossReduction;
}

/** Stand-in logit of padded positions: their softmax mass is exactly 0 in float32. */
const PADDED_LOGIT = -1e9;

/**
 * The click-weighted softmax cross-entropy (listwise) loss of DLA (Ai et al. SIGIR 2018; ULTRA
 * `softmax_loss` / `click_weighted_softmax_cross_entropy_loss`):
 *
 *   L = - sum_q sum_i lambda_q c_qi w_qi log softmax(f_q)_i / sum_{q,i} lambda_q c_qi w_qi
 *
 * with `logits` f [B, L], `labels` c [B, L] (clicks, or gains 2^y - 1 for the oracle), per-position
 * weights w = min(positionWeights, maxWeight) and per-list weights lambda. The softmax runs over the real
 * (unmasked) positions of each list. A list without clicks adds 0 to both sums, so it contributes
 * nothing (no NaN); a batch without clicks has loss 0 (ULTRA uses `nan_to_num` to the same effect).
 * With `reduction: 'sum'` the denominator is dropped.
 *
 * Throws `SHAPE_MISMATCH` naming `labels`, `mask`, `positionWeights` or `listWeights`.
 */
export function clickWeightedSoftmaxLoss(logits: tf.Tensor, labels: tf.Tensor, options: SoftmaxLossOptions = {}): tf.Scalar {
  const { mask, positionWeights, listWeights, reduction = 'weighted-mean' } = options;
  const [batchSize, listSize] = checkRank('logits', logits, 2, 'batch x list') as [number, number];
  checkShape('labels', labels, [batchSize, listSize], 'batch x list, like the logits');
  checkListExtras({ batchSize, listSize }, mask, listWeights);
  if (positionWeights !== undefined) {
    if (positionWeights.shape.length === 1) checkShape('positionWeights', positionWeights, [listSize], 'one weight per position');
    else checkShape('positionWeights', positionWeights, [batchSize, listSize], 'batch x list');
  }
  const clip = maxWeightOption('maxWeight', options.maxWeight);
  if (reduction !== 'weighted-mean' && reduction !== 'sum') invalidArgument('reduction', `reduction must be 'weighted-mean' or 'sum'; got ${String(reduction)}`);
  return tf.tidy(() => {
    const real = maskCondition(mask, [batchSize, listSize]);
    const zeros = tf.zeros([batchSize, listSize]);
    const masked = tf.where(real, logits, tf.fill([batchSize, listSize], PADDED_LOGIT));
    const logProbabilities = logSoftmax(masked);
    let weights = tf.where(real, asFloat32(labels), zeros);
    if (positionWeights !== undefined) {
      const full = positionWeights.shape.length === 1 ? repeatRows(asFloat32(positionWeights), batchSize) : asFloat32(positionWeights);
      const w = clip === Infinity ? full : tf.minimum(full, tf.fill([batchSize, listSize], clip));
      weights = tf.mul(weights, tf.where(real, w, zeros));
    }
    if (listWeights !== undefined) weights = tf.mul(weights, repeatColumns(asFloat32(listWeights), listSize));
    const total = tf.neg(tf.sum(tf.mul(weights, logProbabilities)));
    if (reduction === 'sum') return total as tf.Scalar;
    // Not divNoNan: its gradient is 0/0 = NaN when the denominator is 0. A zero-click batch has total 0.
    const denominator = tf.sum(weights);
    // The comparison runs off the tape: tfjs has no gradient for Greater, and the weights may depend on variables.
    const positive = withoutGradient((d) => tf.greater(d, tf.scalar(0)), denominator);
    const safe = tf.where(positive, denominator, tf.onesLike(denominator));
    return tf.div(total, safe) as tf.Scalar;
  });
}
