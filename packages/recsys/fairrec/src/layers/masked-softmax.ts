/**
 * Softmax over the rows of a matrix restricted to the positions where `mask` is 1.
 *
 * Written so that every op it records, and every gradient of those, is same-shape, against a scalar, or a
 * matMul: the tfjs cpu backend computes `[R, 1]`-against-`[R, L]` broadcasts (the usual max shift and
 * normaliser, and the gradients of `max` and `sum`) element by element through index arithmetic, about 40x
 * slower than same-shape ops, which made the attention layers dominate training time. Row vectors are
 * expanded with a `[R, 1] x [1, L]` matMul and row sums taken with a `[R, L] x [L, 1]` matMul; the max
 * shift is computed outside the gradient tape (it cancels in the softmax, so its gradient is zero).
 */
import * as tf from '@tensorflow/tfjs-core';
import { withoutGradient } from '@unbiased/core/tfjs';

/** Added to masked logits: far below any real logit, and still finite in float32. */
const MASKED_LOGIT = 1e9;

/** A row mask prepared once for several softmaxes (e.g. the heads of one attention layer). */
export interface PreparedMask {
  readonly mask: tf.Tensor2D;
  /** `(mask - 1) * 1e9`: 0 where kept, -1e9 where masked. */
  readonly bias: tf.Tensor2D;
  /** `[1, L]` of ones, for expanding row vectors. */
  readonly onesRow: tf.Tensor2D;
  /** `[L, 1]` of ones, for row sums. */
  readonly onesColumn: tf.Tensor2D;
}

/** Precomputes what {@link maskedSoftmax} needs from a `[R, L]` mask. */
export function prepareMask(mask: tf.Tensor2D): PreparedMask {
  const length = mask.shape[1];
  return {
    mask,
    bias: tf.mul(tf.sub(mask, tf.scalar(1)), tf.scalar(MASKED_LOGIT)) as tf.Tensor2D,
    onesRow: tf.ones([1, length]) as tf.Tensor2D,
    onesColumn: tf.ones([length, 1]) as tf.Tensor2D,
  };
}

/**
 * Row-wise `softmax(logits)` over the positions with `mask` 1:
 * `w_ij = m_ij exp(a_ij - max_k a_ik) / sum_k m_ik exp(a_ik - max_k a_ik)`, for `logits` and `mask` both
 * `[R, L]` (1 = keep, 0 = padding; pass a {@link prepareMask} result to share it between calls). A row
 * whose positions are all masked gets all-zero weights (not NaN, not uniform), so an empty history or
 * title pools to the zero vector, as in the NRMS reference code (`exp(a) * mask / (sum + eps)`, Wu et al.
 * 2019). Differentiable in `logits` (`mask` is a constant).
 */
export function maskedSoftmax(logits: tf.Tensor2D, mask: tf.Tensor2D | PreparedMask): tf.Tensor2D {
  return tf.tidy(() => {
    const { mask: keep, bias, onesRow, onesColumn } = mask instanceof tf.Tensor ? prepareMask(mask) : mask;
    const shifted = tf.add(logits, bias);
    const rowMax = withoutGradient((x) => tf.reshape(tf.max(x, 1), [-1, 1]), shifted);
    const e = tf.mul(tf.exp(tf.sub(shifted, tf.matMul(rowMax, onesRow))), keep);
    // A row with any kept position sums to >= 1 (its max contributes exp(0)); an all-masked row sums to 0.
    // Flooring at 1 leaves the former unchanged and keeps the latter's weights and gradients at 0 (a tiny
    // floor would square to 0 in float32 in the gradient of the division: 0/0).
    const total = tf.maximum(tf.matMul(e, onesColumn), tf.scalar(1));
    return tf.div(e, tf.matMul(total, onesRow)) as tf.Tensor2D;
  });
}
