/**
 * Confusion matrix, per-class F1 and macro-F1 of hard multiclass predictions.
 */
import { badInput, checkClassIds, checkNonEmpty, checkSameLength, invalidArgument } from '../validate.js';

function checkClasses(classes: number): number {
  if (!Number.isInteger(classes) || classes < 2) invalidArgument('classes', `classes must be an integer >= 2; got ${String(classes)}`);
  return classes;
}

function checkBelow(field: string, values: ArrayLike<number>, classes: number): void {
  checkClassIds(field, values);
  for (let i = 0; i < values.length; i++) {
    if ((values[i] as number) >= classes) badInput(field, `${field}[${i}] must be a class id in [0, ${classes}); got ${values[i]}`);
  }
}

/**
 * `counts[t * classes + p]` = number of samples of true class `t` predicted as `p` (rows: truth, columns:
 * prediction, as scikit-learn's `confusion_matrix`). Class ids outside `[0, classes)` are `BAD_INPUT`.
 */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float64Array {
  checkClasses(classes);
  const n = checkSameLength('predictions', predictions, 'labels', labels);
  checkBelow('predictions', predictions, classes);
  checkBelow('labels', labels, classes);
  const counts = new Float64Array(classes * classes);
  for (let i = 0; i < n; i++) {
    const cell = (labels[i] as number) * classes + (predictions[i] as number);
    counts[cell] = (counts[cell] as number) + 1;
  }
  return counts;
}

/**
 * `F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c)` for each class; NaN for a class that never occurs and is never
 * predicted (0/0).
 */
export function perClassF1(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float64Array {
  const counts = confusionMatrix(predictions, labels, classes);
  const out = new Float64Array(classes);
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
    out[c] = denominator === 0 ? Number.NaN : (2 * tp) / denominator;
  }
  return out;
}

/**
 * Macro-averaged F1: the unweighted mean of {@link perClassF1} over the classes that occur in `labels` or
 * `predictions` (scikit-learn's default label set); a class that occurs but is never predicted correctly
 * counts as 0. Empty input is `BAD_INPUT`.
 */
export function macroF1(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  checkNonEmpty('predictions', predictions?.length ?? 0, 'the macro-F1 of no samples is undefined');
  let sum = 0;
  let present = 0;
  for (const f1 of perClassF1(predictions, labels, classes)) {
    if (Number.isNaN(f1)) continue;
    sum += f1;
    present++;
  }
  return sum / present;
}
