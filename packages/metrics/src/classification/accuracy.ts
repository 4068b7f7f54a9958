/**
 * Accuracy of hard predictions and of thresholded scores.
 */
import {
  checkBinaryLabels,
  checkClassIds,
  checkNonEmpty,
  checkOptions,
  checkSameLength,
  checkScores,
  invalidArgument,
} from '../validate.js';

export interface ThresholdOptions {
  /** A sample is predicted positive when its score is strictly greater than this; default 0.5. */
  threshold?: number;
}

/**
 * Fraction of correct predictions: `acc = (1/n) * sum_i [pred_i == y_i]`. Binary or multiclass: both
 * arrays hold non-negative integer class ids (0/1 for binary). Empty input is `BAD_INPUT`.
 */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkSameLength('predictions', predictions, 'labels', labels);
  checkNonEmpty('predictions', n, 'the accuracy of no samples is undefined');
  checkClassIds('predictions', predictions);
  checkClassIds('labels', labels);
  let correct = 0;
  for (let i = 0; i < n; i++) if (predictions[i] === labels[i]) correct++;
  return correct / n;
}

/**
 * Binary accuracy of scores thresholded at `threshold`: `pred_i = [score_i > threshold]`,
 * `acc = (1/n) * sum_i [pred_i == y_i]`, labels 0/1.
 *
 * Default `threshold = 0.5` for probabilities; pass `threshold: 0` for logits / margins. A score exactly
 * at the threshold is negative (strict `>`, as Keras `BinaryAccuracy` and scikit-learn's `predict` on
 * `decision_function > 0`). NaN scores and a NaN threshold are rejected. Empty input is `BAD_INPUT`.
 */
export function accuracyFromScores(scores: ArrayLike<number>, labels: ArrayLike<number>, options?: ThresholdOptions): number {
  const n = checkSameLength('scores', scores, 'labels', labels);
  checkNonEmpty('scores', n, 'the accuracy of no samples is undefined');
  checkScores('scores', scores);
  checkBinaryLabels('labels', labels);
  const threshold = checkOptions(options).threshold ?? 0.5;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    invalidArgument('threshold', `threshold must be a number (not NaN); got ${String(threshold)}`);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const predicted = (scores[i] as number) > threshold ? 1 : 0;
    if (predicted === labels[i]) correct++;
  }
  return correct / n;
}
