/**
 * Average precision and its mean over queries (MAP; Manning, Raghavan & Schütze 2008, sec. 8.4).
 */
import { checkArrayLike, checkNonEmpty } from '../validate.js';
import { meanOverQueries } from '../aggregate.js';
import { type DeterministicTieRule, type NoRelevantRule, rankedRelevant, scoreQuery } from './order.js';

export interface AveragePrecisionOptions {
  /** Rank cutoff, an integer >= 1. `undefined` (default) scores the full list; `k > n` is allowed. */
  k?: number;
  /** A document is relevant when its label is strictly greater than this; default 0. */
  relevantAbove?: number;
  /** Order of documents with equal scores; default `'pessimistic'`. `'average'` is not available (AP is not linear in gains). */
  ties?: DeterministicTieRule;
  /** Value for a query with no relevant document; default `'zero'` (trec_eval). See {@link NoRelevantRule}. */
  noRelevant?: NoRelevantRule;
}

/** One query: scores and graded labels of its documents, same length. */
export interface RankedQuery {
  scores: ArrayLike<number>;
  relevance: ArrayLike<number>;
}

/**
 * Average precision of one query, binary relevance (relevant = label > `relevantAbove`, default 0):
 * `AP@k = (1 / min(|relevant|, k)) * sum_{r=1..min(k,n)} P@r * rel_r`, where `rel_r` is 1 when the
 * document at rank r is relevant. Without `k` this is `(1/|relevant|) * sum_r P@r * rel_r`, the
 * uninterpolated AP of trec_eval.
 *
 * Dividing by `min(|relevant|, k)` keeps AP@k in [0, 1] with 1 for an ideal ranking. A query with no
 * relevant document gives `noRelevant` (default `'zero'`, as trec_eval; `'skip'` = NaN). `ties:
 * 'pessimistic'` by default (see {@link TieRule}).
 */
export function averagePrecision(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  options?: AveragePrecisionOptions,
): number {
  const ranked = rankedRelevant(scores, relevance, options, 'averagePrecision');
  if (typeof ranked === 'number') return ranked;
  const { isRelevant, relevant, cutoff } = ranked;
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < cutoff; r++) {
    if (isRelevant[r] === 1) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  // cutoff = min(k, n) and relevant <= n, so this is min(|relevant|, k).
  return sum / Math.min(relevant, cutoff);
}

/**
 * Mean average precision: the mean of {@link averagePrecision} over `queries`, each with the same
 * `options`. Queries that give NaN (`noRelevant: 'skip'`) are left out; NaN when every query is skipped.
 * Use {@link meanOverQueries} on per-query values when you also need the counts.
 */
export function meanAveragePrecision(queries: readonly RankedQuery[], options?: AveragePrecisionOptions): number {
  const count = checkArrayLike('queries', queries);
  checkNonEmpty('queries', count, 'MAP over no queries is undefined');
  const values = new Float64Array(count);
  for (let q = 0; q < count; q++) values[q] = scoreQuery(queries, q, (query) => averagePrecision(query.scores, query.relevance, options));
  return meanOverQueries(values).mean;
}
