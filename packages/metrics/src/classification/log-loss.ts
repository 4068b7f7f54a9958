/**
 * Binary cross-entropy (log loss) of predicted probabilities.
 */
import {
  checkBinaryLabels,
  checkNonEmpty,
  checkNumberOption,
  checkOptions,
  checkProbabilities,
  checkSameLength,
} from '../validate.js';

export interface LogLossOptions {
  /** Probabilities are clipped to `[eps, 1 - eps]` before the log; default 1e-15. In [0, 0.5). */
  eps?: number;
}

/**
 * Mean binary log loss (cross-entropy, natural log):
 * `L = -(1/n) * sum_i [ y_i * ln(p_i) + (1 - y_i) * ln(1 - p_i) ]`, with `p_i` clipped to `[eps, 1 - eps]`.
 *
 * Clipping: default `eps = 1e-15` (scikit-learn's historical default) bounds one confidently wrong sample
 * at `-ln(1e-15) ≈ 34.54` instead of Infinity; `eps: 0` disables it (a wrong p of exactly 0 or 1 then
 * gives Infinity). Probabilities must already be in [0, 1] (they are checked, not clipped into range);
 * labels must be 0/1. Empty input is `BAD_INPUT`. `ln(1 - p)` is computed as `log1p(-p)`.
 */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, options?: LogLossOptions): number {
  const n = checkSameLength('probabilities', probabilities, 'labels', labels);
  checkNonEmpty('probabilities', n, 'the mean log loss of no samples is undefined');
  checkProbabilities('probabilities', probabilities);
  checkBinaryLabels('labels', labels);
  const eps = checkNumberOption('eps', checkOptions(options).eps, 1e-15, { min: 0, max: 0.5, maxInclusive: false });
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i] as number, eps), 1 - eps);
    sum += (labels[i] as number) === 1 ? Math.log(p) : Math.log1p(-p);
  }
  const loss = -sum / n;
  return loss === 0 ? 0 : loss; // no -0 for a perfect, unclipped prediction
}
