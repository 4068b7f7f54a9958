/**
 * Accuracy and macro-F1 of hard class predictions, FairRec's fairness metric family (confirmed in Wu et al., "FairRec", AAAI 2021); the
 * metrics themselves live in `@unbiased/metrics` (re-exported here for convenience).
 */
import { accuracy, macroF1 } from '@unbiased/metrics';

export { confusionMatrix, macroF1 } from '@unbiased/metrics';

/** Accuracy and macro-F1 together. */
export function classificationScores(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): { accuracy: number; macroF1: number } {
  return { accuracy: accuracy(predictions, labels), macroF1: macroF1(predictions, labels, classes) };
}
