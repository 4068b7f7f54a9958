/**
 * The Baidu-ULTR evaluation protocol (Zou et al. 2022; `baidu_ultr_dataset/metrics.py`
 * `evaluate_all_metric`), on top of the per-query metrics of this package.
 */
import { meanOverQueries } from '../aggregate.js';
import { checkArrayLike, checkNonEmpty, checkOptions, invalidArgument } from '../validate.js';
import { dcgAtK, ndcgAtK } from './dcg.js';
import { errAtK } from './err.js';
import { scoreQuery } from './order.js';
import { pairCounts } from './pnr.js';

export interface BaiduEvaluationOptions {
  /** Cutoffs; default [1, 3, 5, 10] (DCG@10 is the WSDM Cup 2023 primary metric). */
  ks?: readonly number[];
}

/** Means keyed by cutoff, plus how many queries each mean is over. */
export interface BaiduEvaluation {
  /** DCG@k (exp2 gain) averaged over every query; a list shorter than k is scored on what it has. */
  dcg: Record<number, number>;
  /** nDCG@k averaged over queries with at least k documents; IDCG = 0 scores 0. */
  ndcg: Record<number, number>;
  /** ERR@k (maxGrade 4) averaged over queries with at least k documents. */
  err: Record<number, number>;
  /** Pooled concordant / (1e-8 + discordant) pairs. */
  pnr: number;
  /** Queries averaged per metric and cutoff (nDCG and ERR leave out lists shorter than k). */
  counts: { queries: number; ndcg: Record<number, number>; err: Record<number, number> };
}

/**
 * Scores a set of queries the way Baidu-ULTR reports them: DCG@k over all queries; nDCG@k and ERR@k
 * only over queries with >= k documents (`shortLists: 'skip'`); nDCG of a query without relevant
 * document = 0 (Baidu divides by IDCG + 1e-8; here the division is exact, so values differ by ~1e-8
 * relative); ERR with `R = (2^y - 1) / 16`; PNR pooled with the 1e-8 denominator. Ties in score keep
 * input order (`ties: 'index'`; Baidu's `np.argsort(...)[::-1]` has no stated tie rule). Unlike Baidu's
 * `evaluate_all_metric`, the last query is not dropped.
 */
export function baiduEvaluation(
  queries: readonly { scores: ArrayLike<number>; relevance: ArrayLike<number> }[],
  options?: BaiduEvaluationOptions,
): BaiduEvaluation {
  const o = checkOptions(options);
  const ks = o.ks ?? [1, 3, 5, 10];
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    invalidArgument('ks', `ks must be a non-empty array of integers >= 1; got ${JSON.stringify(ks)}`);
  }
  const count = checkArrayLike('queries', queries);
  checkNonEmpty('queries', count, 'an evaluation over no queries is undefined');
  const result: BaiduEvaluation = { dcg: {}, ndcg: {}, err: {}, pnr: 0, counts: { queries: count, ndcg: {}, err: {} } };
  const per = { dcg: new Float64Array(count), ndcg: new Float64Array(count), err: new Float64Array(count) };
  let concordant = 0;
  let discordant = 0;
  for (const k of ks) {
    for (let q = 0; q < count; q++) {
      scoreQuery(queries, q, (query) => {
        const n = query.scores.length;
        per.dcg[q] = dcgAtK(query.scores, query.relevance, { k, ties: 'index' });
        per.ndcg[q] = ndcgAtK(query.scores, query.relevance, { k, ties: 'index', noRelevant: 'zero', shortLists: 'skip' });
        per.err[q] = n < k ? Number.NaN : errAtK(query.scores, query.relevance, { k, ties: 'index', maxGrade: 4 });
        if (k === ks[0]) {
          const pairs = pairCounts(query.scores, query.relevance);
          concordant += pairs.concordant;
          discordant += pairs.discordant;
        }
      });
    }
    result.dcg[k] = meanOverQueries(per.dcg).mean;
    const ndcg = meanOverQueries(per.ndcg);
    const err = meanOverQueries(per.err);
    result.ndcg[k] = ndcg.mean;
    result.err[k] = err.mean;
    result.counts.ndcg[k] = ndcg.count;
    result.counts.err[k] = err.count;
  }
  result.pnr = concordant / (1e-8 + discordant);
  return result;
}
