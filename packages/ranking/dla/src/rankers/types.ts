import * as tf from '@tensorflow/tfjs-core';
import { checkRank, checkShape, shapeMismatch } from '../validate.js';

/**
 * A scoring function f(x) over documents, applied to lists of shape [batch, listSize, features].
 * Implementations own their `tf.Variable`s (keyed by unique variable name) and must only use
 * functional tfjs ops, so every backend can differentiate them.
 */
export interface Ranker {
  /** Short id, e.g. `linear`, `mlp`. */
  readonly name: string;
  /** Number of features per document. */
  readonly featureDim: number;
  /** Trainable variables keyed by their (process-unique) tfjs variable name. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** Logits `f(x)` for `[batch, listSize, featureDim]` features: `[batch, listSize]`. No masking. */
  score(features: tf.Tensor): tf.Tensor2D;
  /** Frees the variables. */
  dispose(): void;
}

/** `mask` as a boolean [B, L] tensor (any value > 0 is a real document); all-true when omitted. */
export function maskCondition(mask: tf.Tensor | undefined, shape: [number, number]): tf.Tensor {
  return mask === undefined ? tf.fill(shape, 1, 'bool') : tf.greater(tf.cast(mask, 'float32'), tf.scalar(0));
}

/**
 * Scores padded lists: `f(x)` at real positions and 0 at padded ones. Padded features are replaced by 0
 * before scoring and padded logits by 0 after, so whatever a padded position holds (even NaN) never
 * reaches the loss or the gradients. `features` [B, L, d], `mask` [B, L] (1 = real document).
 * Throws `SHAPE_MISMATCH` naming `features` or `mask`.
 */
export function scoreLists(ranker: Ranker, features: tf.Tensor, mask?: tf.Tensor): tf.Tensor2D {
  const [batchSize, listSize, featureDim] = checkRank('features', features, 3, 'batch x list x features') as [number, number, number];
  if (featureDim !== ranker.featureDim) {
    shapeMismatch('features', `features have ${featureDim} features per document but the ${ranker.name} ranker expects ${ranker.featureDim}`);
  }
  if (mask !== undefined) checkShape('mask', mask, [batchSize, listSize], 'batch x list; 1 = real document, 0 = padding');
  return tf.tidy(() => {
    if (mask === undefined) return ranker.score(features);
    const real = maskCondition(mask, [batchSize, listSize]);
    const cleanFeatures = tf.where(tf.expandDims(real, 2), features, tf.zerosLike(features));
    const logits = ranker.score(cleanFeatures);
    return tf.where(real, logits, tf.zerosLike(logits)) as tf.Tensor2D;
  });
}
