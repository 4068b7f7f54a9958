/**
 * PPO losses over token sequences, as verl's `core_algos` computes them (HybridFlow, Sheng et al. 2024), the
 * trainer HiPER uses: dual-clip policy loss, low-variance KL to a reference policy, clipped value loss;
 * token-mean aggregation (sum over masked tokens / number of masked tokens).
 */
import * as tf from '@tensorflow/tfjs-core';
import { logSoftmax as logSoftmax2d } from '@unbiased/core/tfjs';

/** `sum(x * mask) / max(sum(mask), 1)`: the token-mean over the masked entries (0 when none). */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar);
}

/** Options of {@link ppoPolicyLoss}; defaults are verl's (HiPER's runs keep them). */
export interface PolicyLossOptions {
  /** epsilon of the ratio clip `[1 - eps, 1 + eps]` (default 0.2). */
  clipRatio?: number;
  /** The dual-clip constant c > 1 bounding the loss of negative-advantage tokens by `-A c` (default 3). */
  dualClip?: number;
}

/**
 * Dual-clip PPO policy loss per token (Schulman et al., "Proximal Policy Optimization Algorithms", 2017,
 * eq. 7; dual clip: Ye et al., "Mastering Complex Control in MOBA Games with Deep Reinforcement Learning",
 * AAAI 2020, eq. 5): `rho = exp(logp - logp_old)`, `L1 = max(-A rho, -A clip(rho, 1 - eps, 1 + eps))`, and for
 * `A < 0` `min(L1, -A c)`; returns the token-mean over `mask`.
 */
export function ppoPolicyLoss(
  logProbs: tf.Tensor,
  oldLogProbs: tf.Tensor,
  advantages: tf.Tensor,
  mask: tf.Tensor,
  { clipRatio = 0.2, dualClip = 3 }: PolicyLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logProbs, oldLogProbs));
    const negA = tf.neg(advantages);
    const clipped = tf.maximum(tf.mul(negA, ratio), tf.mul(negA, tf.clipByValue(ratio, 1 - clipRatio, 1 + clipRatio)));
    const dual = tf.minimum(clipped, tf.mul(negA, dualClip));
    const perToken = tf.where(tf.less(advantages, 0), dual, clipped);
    return maskedMean(perToken, mask);
  });
}

/**
 * The "low_var_kl" (k3) estimator of KL(pi || pi_ref) per token (Schulman, "Approximating KL Divergence",
 * 2020): `k = ref - logp`, `kl = exp(k) - k - 1`, clamped to [-10, 10] as verl does.
 */
export function lowVarKL(logProbs: tf.Tensor, refLogProbs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const k = tf.sub(refLogProbs, logProbs);
    return tf.clipByValue(tf.sub(tf.sub(tf.exp(k), k), 1), -10, 10);
  });
}

/**
 * Clipped value loss (PPO2's value clipping, as in verl's `compute_value_loss`):
 * `v_clip = clip(v, v_old - c, v_old + c)`, `0.5 * mean_mask(max((v - R)^2, (v_clip - R)^2))`. Default c = 0.5.
 */
export function clippedValueLoss(values: tf.Tensor, oldValues: tf.Tensor, returns: tf.Tensor, mask: tf.Tensor, clip = 0.5): tf.Scalar {
  return tf.tidy(() => {
    const clipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clip, clip));
    const loss = tf.maximum(tf.squaredDifference(values, returns), tf.squaredDifference(clipped, returns));
    return tf.mul(maskedMean(loss, mask), 0.5) as tf.Scalar;
  });
}

/** Per-position log-probability of `targets` under `logits` [B, T, V], and the entropy of each position's distribution. */
export function tokenLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): { logProbs: tf.Tensor2D; entropy: tf.Tensor2D } {
  return tf.tidy(() => {
    const [batch, steps, vocab] = logits.shape;
    // core's row-wise logSoftmax: tf.logSoftmax trips the wasm backend's kernel-leak check.
    const logSoftmax = tf.reshape(logSoftmax2d(tf.reshape(logits, [batch * steps, vocab])), [batch, steps, vocab]);
    const logProbs = tf.sum(tf.mul(logSoftmax, tf.oneHot(targets, vocab)), -1) as tf.Tensor2D;
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logSoftmax), logSoftmax), -1)) as tf.Tensor2D;
    return { logProbs, entropy };
  });
}
