/**
 * Saito's Recall@k for recommendation (Saito et al., WSDM 2020; code `usaito/unbiased-implicit-rec`).
 */
import { rankedValues } from '../ranking/order.js';
import { noRelevantValue, parseSaitoOptions, type SaitoOptions, total } from './common.js';

/**
 * Recall@k of one user's candidate list: `Recall@k = sum_{r<=min(k,n)} rel_(r) / sum_i rel_i`, items
 * ranked by `scores` descending (graded relevance is allowed; binary is the usual case). A list with no
 * relevance gives `noRelevant` (default `'skip'` = NaN).
 *
 * Test vector: ranked relevance [0,1,1,0,1]: Recall@3 = 2/3.
 */
export function saitoRecallAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: SaitoOptions): number {
  const { cutoff, ties, noRelevant } = parseSaitoOptions(scores, relevance, options);
  const ranked = rankedValues(scores, relevance, ties, cutoff, (doc) => relevance[doc] as number);
  const denominator = total(relevance);
  if (denominator === 0) return noRelevantValue(noRelevant);
  return total(ranked) / denominator;
}
