/**
 * Confusion matrix and macro-F1 of hard class predictions. (`@unbiased/metrics` has accuracy but no
 * F1 yet; FairRec's fairness metric family needs macro-F1 [C, spec 03 §0].)
 */
import { accuracy } from '@unbiased/metrics';
import { badInput, checkIndexArray, checkInteger } from '../validate.js';

/** `counts[t * classes + p]` = number of samples of true class t predicted as p. */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float64Array {
  checkInteger('classes', classes, { min: 2 });
  const n = checkIndexArray('predictions', predictions, 0, classes - 1);
  if (checkIndexArray('labels', labels, 0, classes - 1) !== n) badInput('labels', `labels has ${labels.length} entries; predictions has ${n}`);
  const counts = new Float64Array(classes * classes);
  for (let i = 0; i < n; i++) {
    const cell = (labels[i] as number) * classes + (predictions[i] as number);
    counts[cell] = (counts[cell] as number) + 1;
  }
  return counts;
}

/**
 * Macro-averaged F1: the unweighted mean over classes of `F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c)`. A class
 * that never occurs and is never predicted (0/0) is left out of the mean (scikit-learn's `zero_division`
 * would count it as 0 and warn); a class that occurs but is never predicted correctly has F1 = 0.
 */
export function macroF1(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const counts = confusionMatrix(predictions, labels, classes);
  if (predictions.length === 0) badInput('predictions', 'macro-F1 of no samples is undefined');
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    const tp = counts[c * classes + c] as number;
    let fp = 0;
    let fn = 0;
    for (let o = 0; o < classes; o++) {
      if (o === c) continue;
      fp += counts[o * classes + c] as number;
      fn += counts[c * classes + o] as number;
    }
    const denominator = 2 * tp + fp + fn;
    if (denominator === 0) continue;
    sum += (2 * tp) / denominator;
    present++;
  }
  return sum / present;
}

/** Accuracy and macro-F1 together (accuracy from `@unbiased/metrics`). */
export function classificationScores(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): { accuracy: number; macroF1: number } {
  return { accuracy: accuracy(predictions, labels), macroF1: macroF1(predictions, labels, classes) };
}
