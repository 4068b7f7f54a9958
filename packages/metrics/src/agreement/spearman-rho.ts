/**
 * Spearman's rank correlation.
 */
import { pearsonUnchecked } from './pearson.js';
import { averageRanks, checkPairedSamples } from './ranks.js';

/**
 * Spearman's rho (Spearman 1904): Pearson's correlation of the average-tie ranks of `x` and `y`, which is
 * exact with ties (the `1 - 6 sum d^2 / (n (n^2 - 1))` shortcut is not). Matches `scipy.stats.spearmanr`.
 * `BAD_INPUT` naming `x` or `y` for unequal lengths, fewer than 2 pairs, non-finite values or a constant
 * sample.
 */
export function spearmanRho(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkPairedSamples(x, y);
  return pearsonUnchecked(averageRanks(x), averageRanks(y), n);
}
