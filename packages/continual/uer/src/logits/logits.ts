import * as tf from '@tensorflow/tfjs-core';
import { logSoftmax } from '@unbiased/core/tfjs';
import { rowNorms } from './row-norms.js';

/** Which logits a loss or the prediction uses: `dot` = `W_c·h`, `cos` = `cos θ_c / τ`. */
export type LogitKind = 'dot' | 'cos';

/**
 * Dot-product logits `z = h Wᵀ` (`[batch, C]`): `z_c = ‖W_c‖‖h‖cos θ_c`, the norm factor times the angle
 * factor (Lin et al., "UER", ACM MM 2023, §3, the logit decomposition).
 */
export function dotLogits(h: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(h, w, false, true);
}


/**
 * The angle factor: `cos θ_c = (h/(‖h‖+ε)) · (W_c/(‖W_c‖+ε))`, divided by the temperature `τ`
 * (`[batch, C]`). ε = 1e-6 and τ = 0.09 (scale ≈ 11.1) are the constants of the authors' cosine classifier
 * (`cosLinear` of the PCR code, Lin et al., "PCR: Proxy-based Contrastive Replay", CVPR 2023); UER's own
 * temperature is not stated (inferred: the paper does not say).
 */
export function cosineLogits(h: tf.Tensor2D, w: tf.Tensor2D, temperature = 0.09, epsilon = 1e-6): tf.Tensor2D {
  return tf.tidy(() => {
    // (h/(‖h‖+ε))·(W_c/(‖W_c‖+ε)) = (h·W_c) · 1/(‖h‖+ε) · 1/(‖W_c‖+ε): the dot products scaled by the outer
    // product of the inverse norms (a [B,1]x[1,C] matMul), which avoids broadcasting divisions.
    const invH = tf.reciprocal(tf.add(rowNorms(h), epsilon));
    const invW = tf.reciprocal(tf.add(rowNorms(w), epsilon));
    const scale = tf.matMul(tf.mul(invH, 1 / temperature), invW, false, true);
    return tf.mul(tf.matMul(h, w, false, true), scale) as tf.Tensor2D;
  });
}

/** Logits of `kind` (see {@link dotLogits}, {@link cosineLogits}). */
export function logitsOf(kind: LogitKind, h: tf.Tensor2D, w: tf.Tensor2D, temperature = 0.09, epsilon = 1e-6): tf.Tensor2D {
  return kind === 'dot' ? dotLogits(h, w) : cosineLogits(h, w, temperature, epsilon);
}

/**
 * Mean cross-entropy `-(1/B) Σ_b log softmax(z_b)_{y_b}` of logits `[B, C]` against one-hot targets `[B, C]`.
 * With `mask` (`[1, C]` of 0/1), classes with mask 0 are left out of the softmax (their logits get
 * −1e9): the asymmetric loss of ER-ACE (Caccia et al., "New Insights on Reducing Abrupt Representation
 * Change in Online Continual Learning", ICLR 2022, §4, eq. 4).
 */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const z = mask === undefined ? logits : tf.add(logits, tf.mul(tf.sub(1, mask), -1e9));
    const batch = logits.shape[0];
    return tf.div(tf.neg(tf.sum(tf.mul(oneHot, logSoftmax(z)))), batch) as tf.Scalar;
  });
}
