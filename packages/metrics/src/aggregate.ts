/**
 * Averaging per-query values.
 */
import { badInput, checkArrayLike, checkNonEmpty } from './validate.js';

/** The mean of the per-query values that are not NaN, with the counts behind it. */
export interface QueryMean {
  /** Mean over the non-NaN values; NaN when `count` is 0. */
  mean: number;
  /** Number of values averaged. */
  count: number;
  /** Number of NaN values left out (e.g. queries scored with `noRelevant: 'skip'`). */
  skipped: number;
}

/**
 * Mean of per-query metric values, skipping NaN: `mean = (1/count) * sum_{q : v_q not NaN} v_q`.
 * NaN marks a query the metric declined to score (`noRelevant: 'skip'`); leaving it out, and reporting
 * how many were left out, avoids silently scoring such queries as 0 or 1. Every query has equal weight
 * (macro average, the usual reporting convention for nDCG@k / MAP / ERR).
 *
 * Empty input is `BAD_INPUT`; ±Infinity is `BAD_INPUT` (no metric here produces it). When every value
 * is NaN the result is `{ mean: NaN, count: 0, skipped: n }`.
 */
export function meanOverQueries(perQueryValues: ArrayLike<number>): QueryMean {
  const n = checkArrayLike('perQueryValues', perQueryValues);
  checkNonEmpty('perQueryValues', n, 'the mean of no values is undefined');
  let sum = 0;
  let count = 0;
  for (let q = 0; q < n; q++) {
    const v: unknown = perQueryValues[q];
    if (typeof v !== 'number') badInput('perQueryValues', `perQueryValues[${q}] must be a number; got ${String(v)}`);
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) badInput('perQueryValues', `perQueryValues[${q}] must be finite or NaN (skipped); got ${v}`);
    sum += v;
    count++;
  }
  return { mean: count === 0 ? Number.NaN : sum / count, count, skipped: n - count };
}
