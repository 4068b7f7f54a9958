/**
 * Discounted cumulative gain and its normalised form (Järvelin & Kekäläinen 2002).
 */
import { checkChoice, checkOptions, resolveCutoff } from '../validate.js';
import {
  checkQuery,
  checkTies,
  NO_RELEVANT_RULES,
  type NoRelevantRule,
  noRelevantValue,
  rankedValues,
  type TieRule,
} from './order.js';

/** Gain of a label: `'exp2'` = `2^rel - 1` (Burges et al. 2005; LETOR / ULTR convention), `'linear'` = `rel`. */
export type GainType = 'exp2' | 'linear';

export interface DcgOptions {
  /** Rank cutoff, an integer >= 1. `undefined` (default) scores the full list; `k > n` is allowed. */
  k?: number;
  /** Gain function; default `'exp2'`. */
  gain?: GainType;
  /** Order of documents with equal scores; default `'pessimistic'`. See {@link TieRule}. */
  ties?: TieRule;
}

export interface NdcgOptions extends DcgOptions {
  /** Value for a query whose ideal DCG is 0 (no label > 0); default `'one'`. See {@link NoRelevantRule}. */
  noRelevant?: NoRelevantRule;
  /**
   * Lists shorter than `k`: `'keep'` (default) scores them on the documents they have; `'skip'` returns
   * NaN, so {@link meanOverQueries} leaves them out (Baidu-ULTR `metrics.py`: nDCG@k and ERR@k are
   * averaged over queries with at least k documents, DCG@k over all). No effect without `k`.
   */
  shortLists?: ShortListRule;
}

/** What nDCG@k does with a list shorter than k: score it (`'keep'`) or return NaN (`'skip'`, Baidu-ULTR). */
export type ShortListRule = 'keep' | 'skip';

const SHORT_LIST_RULES: readonly ShortListRule[] = ['keep', 'skip'];

const GAINS: readonly GainType[] = ['exp2', 'linear'];

function gainFunction(gain: GainType): (rel: number) => number {
  return gain === 'exp2' ? (rel) => 2 ** rel - 1 : (rel) => rel;
}

/** Discount of the 0-based rank `r` (1-based rank `r + 1`): `1 / log2(r + 2)`. */
function discount(r: number): number {
  return 1 / Math.log2(r + 2);
}

function sumDiscounted(gains: Float64Array): number {
  let dcg = 0;
  for (let r = 0; r < gains.length; r++) dcg += (gains[r] as number) * discount(r);
  return dcg;
}

/** Ideal DCG: the labels sorted descending, cut at `cutoff`. */
function idealDcg(relevance: ArrayLike<number>, cutoff: number, gainOf: (rel: number) => number): number {
  const sorted = Float64Array.from(relevance).sort().reverse();
  const gains = new Float64Array(cutoff);
  for (let r = 0; r < cutoff; r++) gains[r] = gainOf(sorted[r] as number);
  return sumDiscounted(gains);
}

function parseDcgOptions(options: DcgOptions | undefined, n: number) {
  const o = checkOptions(options);
  return {
    cutoff: resolveCutoff(o.k, n),
    gainOf: gainFunction(checkChoice('gain', o.gain, GAINS, 'exp2')),
    ties: checkTies(o.ties),
  };
}

/**
 * Discounted cumulative gain of one query's ranking (Järvelin & Kekäläinen 2002):
 * `DCG@k = sum_{r=1..min(k,n)} gain(rel_(r)) / log2(r + 1)`, documents ranked by `scores` descending.
 *
 * Defaults: `gain: 'exp2'` (`2^rel - 1`, the LETOR / unbiased-LTR convention; `'linear'` uses `rel`),
 * `k` = full list (a `k` beyond the list is truncated), `ties: 'pessimistic'` (tied documents in
 * ascending relevance, so ties never flatter a ranker; `'average'` gives the expected DCG over random
 * tie orders, McSherry & Najork 2008). An empty list has DCG 0.
 *
 * @param scores model scores, higher = ranked earlier; NaN is rejected.
 * @param relevance graded labels, finite and >= 0, same length as `scores`.
 */
export function dcgAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: DcgOptions): number {
  const { n } = checkQuery(scores, relevance);
  const { cutoff, gainOf, ties } = parseDcgOptions(options, n);
  return sumDiscounted(rankedValues(scores, relevance, ties, cutoff, (doc) => gainOf(relevance[doc] as number)));
}

/**
 * Normalised DCG of one query (Järvelin & Kekäläinen 2002): `nDCG@k = DCG@k / IDCG@k`, where IDCG@k is
 * the DCG of the labels sorted descending, cut at the same `k`. In [0, 1]; 1 for an ideal ordering.
 *
 * Same defaults as {@link dcgAtK}. A query with no label > 0 (IDCG = 0, including an empty list) gives
 * `noRelevant`: default `'one'` (every order of it is ideal; LightGBM / XGBoost / allRank convention),
 * `'zero'` (scikit-learn / TF-Ranking), or `'skip'` = NaN so {@link meanOverQueries} leaves it out.
 * `shortLists: 'skip'` returns NaN for a list with fewer than `k` documents (Baidu-ULTR's rule; default `'keep'`).
 */
export function ndcgAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: NdcgOptions): number {
  const { n } = checkQuery(scores, relevance);
  const { cutoff, gainOf, ties } = parseDcgOptions(options, n);
  const o = checkOptions(options);
  const noRelevant = checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'one');
  const shortLists = checkChoice('shortLists', o.shortLists, SHORT_LIST_RULES, 'keep');
  if (shortLists === 'skip' && o.k !== undefined && n < o.k) return Number.NaN;
  const ideal = idealDcg(relevance, cutoff, gainOf);
  if (ideal === 0) return noRelevantValue(noRelevant);
  return sumDiscounted(rankedValues(scores, relevance, ties, cutoff, (doc) => gainOf(relevance[doc] as number))) / ideal;
}
