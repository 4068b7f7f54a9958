/**
 * Expected Reciprocal Rank (Chapelle, Metzler, Zhang & Grinspan 2009).
 */
import { checkNumberOption, checkOptions, invalidArgument, resolveCutoff } from '../validate.js';
import { checkDeterministicTies, checkQuery, type DeterministicTieRule, rankedValues } from './order.js';

export interface ErrOptions {
  /** Rank cutoff, an integer >= 1. `undefined` (default) scores the full list; `k > n` is allowed. */
  k?: number;
  /** Highest grade of the label scale; default 4 (the 0..4 scale of MSLR-WEB, Yahoo! LTR, Istella). Must be >= every label. */
  maxGrade?: number;
  /** Order of documents with equal scores; default `'pessimistic'`. `'average'` is not available (ERR is not linear in gains). */
  ties?: DeterministicTieRule;
}

/**
 * Expected Reciprocal Rank of one query (Chapelle et al. 2009, cascade user model):
 * `ERR@k = sum_{r=1..min(k,n)} (1/r) * R_r * prod_{i<r} (1 - R_i)`, with the stopping probability
 * `R = (2^g - 1) / 2^maxGrade` for label `g`.
 *
 * Defaults: `maxGrade = 4` (5-grade web-search scale, as in the paper and MSLR / Yahoo! LTR); it must be
 * >= the largest label, else `INVALID_ARGUMENT` (R would exceed 1). `k` = full list. `ties: 'pessimistic'`
 * (see {@link TieRule}). In [0, 1); 0 when no label > 0 or the list is empty.
 */
export function errAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: ErrOptions): number {
  const { n, maxLabel } = checkQuery(scores, relevance);
  const o = checkOptions(options);
  const cutoff = resolveCutoff(o.k, n);
  const maxGrade = checkNumberOption('maxGrade', o.maxGrade, 4, { min: 0 });
  if (maxLabel > maxGrade) {
    invalidArgument('maxGrade', `maxGrade must be >= the largest relevance label; got maxGrade = ${maxGrade}, largest label = ${maxLabel}`);
  }
  const ties = checkDeterministicTies(o.ties, 'errAtK');
  const scale = 2 ** maxGrade;
  const stop = rankedValues(scores, relevance, ties, cutoff, (doc) => (2 ** (relevance[doc] as number) - 1) / scale);
  let err = 0;
  let reach = 1; // probability the user reaches rank r: prod_{i<r} (1 - R_i)
  for (let r = 0; r < cutoff; r++) {
    const R = stop[r] as number;
    err += (reach * R) / (r + 1);
    reach *= 1 - R;
  }
  return err;
}
