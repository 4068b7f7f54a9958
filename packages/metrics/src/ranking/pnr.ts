/**
 * Positive-negative ratio (PNR) of pairwise orderings, as reported on Baidu-ULTR (Zou et al. 2022,
 * `metrics.py` `calc_pnr`).
 */
import { checkArrayLike, checkNonEmpty, checkNumberOption, checkOptions } from '../validate.js';
import { checkQuery, scoreQuery } from './order.js';

/** Pair counts of one query or a pool of queries. */
export interface PairCounts {
  /** Pairs ordered the same way by score and by label. */
  concordant: number;
  /** Pairs ordered oppositely. */
  discordant: number;
  /** Pairs tied in score or in label (not counted either way). */
  tied: number;
}

/**
 * Concordant / discordant document pairs of one query: a pair (i, j) is concordant when
 * `(s_i - s_j)(y_i - y_j) > 0`, discordant when `< 0`, and tied otherwise (equal scores or equal
 * labels). O(n^2) pairs, as in Baidu's code; lists there are short (about 10 documents).
 */
export function pairCounts(scores: ArrayLike<number>, relevance: ArrayLike<number>): PairCounts {
  const { n } = checkQuery(scores, relevance);
  let concordant = 0;
  let discordant = 0;
  let tied = 0;
  for (let i = 0; i < n; i++) {
    const si = scores[i] as number;
    const yi = relevance[i] as number;
    for (let j = i + 1; j < n; j++) {
      const ds = si - (scores[j] as number);
      const dy = yi - (relevance[j] as number);
      // Compare signs rather than multiply: +-Infinity scores must not produce NaN.
      const sign = (ds > 0 ? 1 : ds < 0 ? -1 : 0) * (dy > 0 ? 1 : dy < 0 ? -1 : 0);
      if (sign > 0) concordant++;
      else if (sign < 0) discordant++;
      else tied++;
    }
  }
  return { concordant, discordant, tied };
}

export interface PnrOptions {
  /** Added to the discordant count (Baidu starts it at 1e-8), so a query set without discordant pairs gives a large finite value; default 1e-8. */
  eps?: number;
}

/**
 * Positive-negative ratio over a set of queries, pooled (not averaged per query):
 * `PNR = sum_q concordant_q / (eps + sum_q discordant_q)`, pairs within a query only, pairs tied in
 * score or label ignored. Default `eps = 1e-8` as in Baidu-ULTR's `calc_pnr`; `eps: 0` gives Infinity
 * (or NaN with no pairs at all) instead. Higher is better; a random ranker is near 1.
 */
export function positiveNegativeRatio(
  queries: readonly { scores: ArrayLike<number>; relevance: ArrayLike<number> }[],
  options?: PnrOptions,
): number {
  const o = checkOptions(options);
  const eps = checkNumberOption('eps', o.eps, 1e-8, { min: 0 });
  const count = checkArrayLike('queries', queries);
  checkNonEmpty('queries', count, 'PNR over no queries is undefined');
  let concordant = 0;
  let discordant = 0;
  for (let q = 0; q < count; q++) {
    const c = scoreQuery(queries, q, (query) => pairCounts(query.scores, query.relevance));
    concordant += c.concordant;
    discordant += c.discordant;
  }
  return concordant / (eps + discordant);
}
