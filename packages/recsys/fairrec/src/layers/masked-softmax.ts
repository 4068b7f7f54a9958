/**
 * Softmax over the rows of a matrix restricted to the positions where `mask` is 1, as one
 * differentiable op with a hand-written gradient.
 *
 * Why one op: written with plain tfjs ops, a row softmax needs `[R, 1]`-against-`[R, L]` broadcasts (the
 * max shift, the normaliser, and in the backward pass `sum(dy * y)`); the tfjs cpu backend computes such
 * broadcasts element by element through index arithmetic, about 40x slower than same-shape ops, which
 * made the attention layers dominate training time. Here every elementwise op is same-shape or against a
 * scalar, reductions run along the last axis, and row vectors are expanded with a `[R, 1] x [1, L]` matMul.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Added to masked logits: far below any real logit, and still finite in float32. */
const MASKED_LOGIT = 1e9;

/** `[R]` -> `[R, L]` with every row constant, via a rank-1 matMul (no broadcasting kernel). */
function expandRows(values: tf.Tensor1D, ones: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.reshape(values, [-1, 1]), ones) as tf.Tensor2D;
}

/** A row mask prepared once for several softmaxes (e.g. the heads of one attention layer). */
export interface PreparedMask {
  readonly mask: tf.Tensor2D;
  /** `(mask - 1) * 1e9`: 0 where kept, -1e9 where masked. */
  readonly bias: tf.Tensor2D;
  /** `[1, L]` of ones, for expanding row vectors. */
  readonly ones: tf.Tensor2D;
}

/** Precomputes what {@link maskedSoftmax} needs from a `[R, L]` mask. */
export function prepareMask(mask: tf.Tensor2D): PreparedMask {
  return {
    mask,
    bias: tf.mul(tf.sub(mask, tf.scalar(1)), tf.scalar(MASKED_LOGIT)) as tf.Tensor2D,
    ones: tf.ones([1, mask.shape[1]]) as tf.Tensor2D,
  };
}

/**
 * Row-wise `softmax(logits)` over the positions with `mask` 1:
 * `w_ij = m_ij exp(a_ij - max_k a_ik) / sum_k m_ik exp(a_ik - max_k a_ik)`, for `logits` and `mask` both
 * `[R, L]` (1 = keep, 0 = padding; pass a {@link prepareMask} result to share it between calls). A row
 * whose positions are all masked gets all-zero weights (not NaN, not uniform), so an empty history or
 * title pools to the zero vector, as in the NRMS reference code (`exp(a) * mask / (sum + eps)`, Wu et al.
 * 2019). Gradient: `dx = w * (dy - sum_k dy_k w_k)` (zero at masked positions); `mask` is a constant.
 */
export function maskedSoftmax(logits: tf.Tensor2D, mask: tf.Tensor2D | PreparedMask): tf.Tensor2D {
  const prepared = mask instanceof tf.Tensor ? undefined : mask;
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x = input as tf.Tensor2D;
    const { mask: keep, bias, ones } = prepared ?? prepareMask(mask as tf.Tensor2D);
    const weights = tf.tidy(() => {
      const shifted = tf.add(x, bias);
      const stable = tf.sub(shifted, expandRows(tf.max(shifted, 1) as tf.Tensor1D, ones));
      const e = tf.mul(tf.exp(stable), keep);
      const total = tf.maximum(tf.sum(e, 1), tf.scalar(1e-30)) as tf.Tensor1D;
      return tf.div(e, expandRows(total, ones)) as tf.Tensor2D;
    });
    // Saved (kept by the engine until backprop): the caller's tidy may free `ones` before the backward pass.
    (save as tf.GradSaveFunc)([weights, ones]);
    return {
      value: weights,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const w = saved[0] as tf.Tensor2D;
          const g = dy as tf.Tensor2D;
          const inner = tf.sum(tf.mul(g, w), 1) as tf.Tensor1D;
          return tf.mul(w, tf.sub(g, expandRows(inner, saved[1] as tf.Tensor2D)));
        }),
    };
  });
  return (op as (t: tf.Tensor) => tf.Tensor)(logits) as tf.Tensor2D;
}
