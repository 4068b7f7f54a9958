/**
 * Saito's "DCG@k" for recommendation (Saito et al., WSDM 2020, "Unbiased Recommender Learning from
 * Missing-Not-At-Random Implicit Feedback", Sec. 5; code `usaito/unbiased-implicit-rec`).
 */
import { checkOptions } from '../validate.js';
import { rankedValues } from '../ranking/order.js';
import { checkNormalise, checkSmoothing, noRelevantValue, parseSaitoOptions, type SaitoOptions, saitoDiscount, total } from './common.js';

export interface SaitoDcgOptions extends SaitoOptions {
  /** Divide by the list's total relevance `sum_i rel_i` (semi-synthetic and ICTIR repos); default true. */
  normalise?: boolean;
  /**
   * Relevance smoothing `s` in [0, 1): `rel <- s + (1 - s) * rel`. Saito's WSDM real-world repo uses
   * `s = 0.001` with `normalise: false`. Default 0 (no smoothing).
   */
  smoothing?: number;
}

/**
 * Saito's DCG@k of one user's candidate list, items ranked by `scores` descending:
 * `DCG@k = rel_(1) + sum_{r=2..min(k,n)} rel_(r) / log2(r)` (rank 2 also has discount 1, unlike the
 * LETOR DCG's `1/log2(r+1)`), with linear gain. With `normalise` (default) it is divided by
 * `sum_i rel_i` over the whole list, so it lies in [0, 1] for binary relevance; a list with no relevance
 * then gives `noRelevant` (default `'skip'` = NaN).
 *
 * Test vector (computed by hand): ranked relevance [0,1,1,0,1]: DCG@3 = 1.6309 unnormalised, 0.5436 normalised.
 */
export function saitoDcgAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: SaitoDcgOptions): number {
  const { cutoff, ties, noRelevant } = parseSaitoOptions(scores, relevance, options);
  const o = checkOptions(options);
  const normalise = checkNormalise(o.normalise);
  const s = checkSmoothing(o.smoothing);
  const smooth = (rel: number) => (s === 0 ? rel : s + (1 - s) * rel);
  const ranked = rankedValues(scores, relevance, ties, cutoff, (doc) => smooth(relevance[doc] as number));
  let dcg = 0;
  for (let r = 0; r < cutoff; r++) dcg += (ranked[r] as number) * saitoDiscount(r + 1);
  if (!normalise) return dcg;
  const denominator = total(relevance, smooth);
  return denominator === 0 ? noRelevantValue(noRelevant) : dcg / denominator;
}
