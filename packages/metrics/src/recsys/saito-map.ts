/**
 * Saito's "MAP@k" for recommendation (Saito et al., WSDM 2020; code `usaito/unbiased-implicit-rec` and
 * `usaito/unbiased-implicit-rec-real`).
 */
import { checkBinaryLabels, checkOptions } from '../validate.js';
import { checkDeterministicTies, rankOrder } from '../ranking/order.js';
import { checkNormalise, noRelevantValue, parseSaitoOptions, type SaitoOptions } from './common.js';

export interface SaitoMapOptions extends Omit<SaitoOptions, 'ties'> {
  /** Divide by `sum_i rel_i` (semi-synthetic repo); default true. The WSDM real-world repo does not. */
  normalise?: boolean;
  /** Order of items with equal scores; default `'pessimistic'` (`'average'` is not available: not linear). */
  ties?: 'pessimistic' | 'index';
}

/**
 * Saito's MAP@k of one user's candidate list (binary relevance, items ranked by `scores` descending):
 * `MAP@k = sum_{r<=min(k,n), rel_(r)=1} (sum_{j<=r} rel_(j)) / r`, i.e. the sum of precision@r at the
 * relevant ranks within the top k. With `normalise` (default) it is divided by `sum_i rel_i` over the
 * whole list (not by `min(k, R)` as the IR average precision is); a list with no relevant item then gives
 * `noRelevant` (default `'skip'` = NaN). Without it, the sum is returned (real-world repo).
 *
 * Test vector (computed by hand): ranked relevance [0,1,1,0,1]: MAP@3 = 1.1667 unnormalised, 0.3889 normalised.
 */
export function saitoMapAtK(scores: ArrayLike<number>, relevance: ArrayLike<number>, options?: SaitoMapOptions): number {
  const o = checkOptions(options);
  const ties = checkDeterministicTies(o.ties, 'saitoMapAtK');
  const { cutoff, noRelevant } = parseSaitoOptions(scores, relevance, { ...o, ties });
  const normalise = checkNormalise(o.normalise);
  const positives = checkBinaryLabels('relevance', relevance);
  const order = rankOrder(scores, relevance, ties);
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < cutoff; r++) {
    if ((relevance[order[r] as number] as number) === 1) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  if (!normalise) return sum;
  return positives === 0 ? noRelevantValue(noRelevant) : sum / positives;
}
