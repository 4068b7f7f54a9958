/**
 * Precision and recall at a rank cutoff, binary relevance (Manning, Raghavan & Schütze 2008, ch. 8).
 */
import { checkChoice, checkNonEmpty, checkOptions, resolveCutoff } from '../validate.js';
import {
  checkQuery,
  checkRelevantAbove,
  checkTies,
  countRelevant,
  NO_RELEVANT_RULES,
  type NoRelevantRule,
  noRelevantValue,
  rankedValues,
  type TieRule,
} from './order.js';

export interface PrecisionOptions {
  /** Rank cutoff, an integer >= 1. `undefined` (default) = full list length; `k > n` is allowed. */
  k?: number;
  /** A document is relevant when its label is strictly greater than this; default 0. */
  relevantAbove?: number;
  /** Order of documents with equal scores; default `'pessimistic'`. See {@link TieRule}. */
  ties?: TieRule;
}

export interface RecallOptions extends PrecisionOptions {
  /** Value for a query with no relevant document; default `'zero'` (trec_eval). See {@link NoRelevantRule}. */
  noRelevant?: NoRelevantRule;
}

/** Relevant documents among the top `cutoff` (an expectation under `ties: 'average'`). */
function hitsAtCutoff(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  ties: TieRule,
  cutoff: number,
  threshold: number,
): number {
  const hits = rankedValues(scores, relevance, ties, cutoff, (doc) => ((relevance[doc] as number) > threshold ? 1 : 0));
  let sum = 0;
  for (let r = 0; r < cutoff; r++) sum += hits[r] as number;
  return sum;
}

/**
 * Precision at k of one query: `P@k = |relevant in top k| / k`, relevant = label > `relevantAbove` (default 0).
 *
 * The denominator is `k` even when the list is shorter (missing ranks count as non-relevant; trec_eval
 * convention), so short lists are not rewarded. `k` defaults to the list length, and then an empty list
 * is `BAD_INPUT` (0/0). `ties: 'pessimistic'` by default; `'average'` gives the expected precision over
 * random tie orders (McSherry & Najork 2008).
 */
export function precisionAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: PrecisionOptions): number {
  const { n } = checkQuery(scores, relevance);
  const o = checkOptions(options);
  const cutoff = resolveCutoff(o.k, n);
  const denominator = o.k ?? n;
  checkNonEmpty('scores', denominator, 'precision over an empty list with no k is 0/0');
  const threshold = checkRelevantAbove(o.relevantAbove);
  const ties = checkTies(o.ties);
  return hitsAtCutoff(scores, relevance, ties, cutoff, threshold) / denominator;
}

/**
 * Recall at k of one query: `R@k = |relevant in top k| / |relevant|`, relevant = label > `relevantAbove`
 * (default 0). `k` defaults to the full list (recall 1, unless no document is relevant).
 *
 * A query with no relevant document gives `noRelevant`: default `'zero'` (trec_eval), `'one'`, or
 * `'skip'` = NaN (left out by {@link meanOverQueries}). Ties as in {@link precisionAtK}.
 */
export function recallAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: RecallOptions): number {
  const { n } = checkQuery(scores, relevance);
  const o = checkOptions(options);
  const cutoff = resolveCutoff(o.k, n);
  const threshold = checkRelevantAbove(o.relevantAbove);
  const ties = checkTies(o.ties);
  const noRelevant = checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'zero');
  const relevant = countRelevant(relevance, threshold);
  if (relevant === 0) return noRelevantValue(noRelevant);
  return hitsAtCutoff(scores, relevance, ties, cutoff, threshold) / relevant;
}
