import { checkPositiveInteger, checkProbability, UnbiasedError } from '@unbiased/core';
import { checkOptions } from './validate.js';

export interface ThresholdoutParameterRequest {
  /** τ: the accuracy wanted, |a_i − P[φ_i]| < τ for every answer. In (0, 1). */
  tolerance: number;
  /** β: the failure probability. In (0, 1). */
  failureProbability: number;
  /** m: the number of queries planned (an integer >= 1). */
  queries: number;
  /** B: the over-threshold budget (an integer >= 1). */
  budget: number;
  /** The holdout size you have; when given, a size below the bound throws `HOLDOUT_TOO_SMALL`. */
  holdoutSize?: number;
}

export interface ThresholdoutParameters {
  /** T = 3τ/4. */
  threshold: number;
  /** σ = τ / (96 ln(4m/β)). */
  sigma: number;
  /** ceil(ln(m/β)/τ² · min{B, √(B · ln(ln(m/β)/τ)) / τ}), the O(·) bound with constant 1. */
  requiredHoldoutSize: number;
}

/**
 * The theorem's parameters for Thresholdout. **Inferred: recalled, not verified against the paper**:
 * with T = 3τ/4 and σ = τ/(96 ln(4m/β)), every answer is τ-accurate with probability >= 1 − β while fewer
 * than B over-threshold queries occur, provided n >= O(ln(m/β)/τ²) · min{B, √(B ln(ln(m/β)/τ))/τ}.
 * The bound is reported with its O(·) constant taken as 1 and the inner log floored at 1; treat it as an
 * order of magnitude. The Science experiment (n = 10,000, T = 4/√n, σ = 1/√n) runs far below it.
 */
export function thresholdoutParameters(request: ThresholdoutParameterRequest): ThresholdoutParameters {
  checkOptions(request, 'request');
  const tau = checkProbability('tolerance', request.tolerance, { open: true });
  const beta = checkProbability('failureProbability', request.failureProbability, { open: true });
  const m = checkPositiveInteger('queries', request.queries);
  const budget = checkPositiveInteger('budget', request.budget);
  const logMB = Math.log(m / beta);
  const innerLog = Math.max(1, Math.log(logMB / tau));
  const requiredHoldoutSize = Math.ceil((logMB / (tau * tau)) * Math.min(budget, Math.sqrt(budget * innerLog) / tau));
  const result: ThresholdoutParameters = {
    threshold: (3 * tau) / 4,
    sigma: tau / (96 * Math.log((4 * m) / beta)),
    requiredHoldoutSize,
  };
  if (request.holdoutSize !== undefined) {
    const n = checkPositiveInteger('holdoutSize', request.holdoutSize);
    if (n < requiredHoldoutSize) {
      throw new UnbiasedError(
        'HOLDOUT_TOO_SMALL',
        `holdoutSize = ${n} is below the ${requiredHoldoutSize} rows the (recalled, constant-1) bound needs for tolerance ${tau}, ` +
          `failureProbability ${beta}, ${m} queries and budget ${budget}; raise the tolerance, lower the budget, or get more holdout rows`,
        { field: 'holdoutSize' },
      );
    }
  }
  return result;
}
