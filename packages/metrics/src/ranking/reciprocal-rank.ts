/**
 * Reciprocal rank and its mean over queries (MRR; Voorhees, TREC-8 QA track 1999).
 */
import { meanOverQueries } from '../aggregate.js';
import { checkArrayLike, checkNonEmpty } from '../validate.js';
import { type DeterministicTieRule, type NoRelevantRule, rankedRelevant, scoreQuery } from './order.js';

export interface ReciprocalRankOptions {
  /** Rank cutoff, an integer >= 1: a first relevant document below rank k scores 0. Default: the full list. */
  k?: number;
  /** A document is relevant when its label is strictly greater than this; default 0. */
  relevantAbove?: number;
  /** Order of documents with equal scores; default `'pessimistic'`. `'average'` is not available (1/rank is not linear in per-rank gains). */
  ties?: DeterministicTieRule;
  /** Value for a query with no relevant document at all; default `'zero'` (trec_eval). See {@link NoRelevantRule}. */
  noRelevant?: NoRelevantRule;
}

/**
 * Reciprocal rank of one query: `RR@k = 1 / r*`, where r* is the 1-based rank of the first relevant
 * document (label > `relevantAbove`, default 0) in the ranking by `scores` descending, and 0 when no
 * relevant document is in the top k. A query with no relevant document at all gives `noRelevant`
 * (default `'zero'`; `'skip'` = NaN). `ties: 'pessimistic'` by default (see {@link TieRule}).
 */
export function reciprocalRank(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: ReciprocalRankOptions): number {
  const ranked = rankedRelevant(scores, relevance, options, 'reciprocalRank');
  if (typeof ranked === 'number') return ranked;
  const { isRelevant, cutoff } = ranked;
  for (let r = 0; r < cutoff; r++) if (isRelevant[r] === 1) return 1 / (r + 1);
  return 0;
}

/**
 * Mean reciprocal rank: the mean of {@link reciprocalRank} over `queries` (each `{ scores, relevance }`),
 * same `options` for all; NaN values (`noRelevant: 'skip'`) are left out, as in {@link meanOverQueries}.
 * Per impression then averaged, as in the NRMS / MIND news convention.
 */
export function meanReciprocalRank(
  queries: readonly { scores: ArrayLike<number>; relevance: ArrayLike<number> }[],
  options?: ReciprocalRankOptions,
): number {
  const count = checkArrayLike('queries', queries);
  checkNonEmpty('queries', count, 'MRR over no queries is undefined');
  const values = new Float64Array(count);
  for (let q = 0; q < count; q++) values[q] = scoreQuery(queries, q, (query) => reciprocalRank(query.scores, query.relevance, options));
  return meanOverQueries(values).mean;
}
