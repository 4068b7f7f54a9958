/**
 * RandList propensity estimation: show randomly shuffled lists, count clicks per position, normalise to
 * position 1 (the randomisation baseline of Ai et al. 2018 and ULTRA's `RandomizedPropensityEstimator`).
 */
import type { Rng } from '@unbiased/core';
import { arrayLength, badInput, integerOption, invalidArgument, toRng } from '../validate.js';
import type { ClickModel } from './types.js';

/** Propensities relative to position 1. */
export interface PropensityEstimate {
  /** `theta_i / theta_1`, estimated as `CTR_i / CTR_1` (index 0 = position 1, always 1). */
  propensity: Float64Array;
  /** IPW weights normalised to position 1: `CTR_1 / CTR_i` (= 1 / `propensity`). */
  ipwWeights: Float64Array;
  /** Clicks counted at each position. */
  clicksByPosition: Float64Array;
  /** Impressions (sessions in which the position was shown) at each position. */
  impressionsByPosition: Float64Array;
}

/**
 * Propensities from click and impression counts per position: `propensity_i = CTR_i / CTR_1` with
 * `CTR_i = clicks_i / impressions_i`, and `ipwWeights_i = CTR_1 / CTR_i`. With equal impressions this is
 * the `clicks_1 / clicks_i` of DLA's RandList estimator. Under a position-based model and randomised display the CTR
 * at position i is `theta_i * E[attractiveness]`, so the ratio estimates `theta_i / theta_1`.
 * Counts must be finite and >= 0, with clicks at position 1 > 0 (`BAD_INPUT` otherwise); a position
 * without clicks gets propensity 0 and weight Infinity.
 */
export function propensityFromClickCounts(clicksByPosition: ArrayLike<number>, impressionsByPosition: ArrayLike<number>): PropensityEstimate {
  const n = arrayLength('clicksByPosition', clicksByPosition);
  if (arrayLength('impressionsByPosition', impressionsByPosition) !== n) {
    badInput('impressionsByPosition', `impressionsByPosition must have the same length as clicksByPosition (${n}); got ${impressionsByPosition.length}`);
  }
  if (n === 0) badInput('clicksByPosition', 'clicksByPosition must not be empty');
  const clicks = Float64Array.from(clicksByPosition);
  const impressions = Float64Array.from(impressionsByPosition);
  const ctr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = clicks[i] as number;
    const m = impressions[i] as number;
    if (!(c >= 0 && Number.isFinite(c)) || !(m >= 0 && Number.isFinite(m)) || c > m) {
      badInput('clicksByPosition', `position ${i + 1}: need 0 <= clicks <= impressions, both finite; got ${c} clicks, ${m} impressions`);
    }
    ctr[i] = m === 0 ? 0 : c / m;
  }
  const first = ctr[0] as number;
  if (!(first > 0)) badInput('clicksByPosition', 'clicksByPosition[0] must be > 0: propensities are normalised to position 1');
  const propensity = new Float64Array(n);
  const ipwWeights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    propensity[i] = (ctr[i] as number) / first;
    ipwWeights[i] = first / (ctr[i] as number);
  }
  return { propensity, ipwWeights, clicksByPosition: clicks, impressionsByPosition: impressions };
}

export interface RandListOptions {
  /** Random generator (shuffles and clicks), or an integer seed. Required. */
  rng: Rng | number;
  /** Positions to estimate; lists are cut to this size after shuffling; default 10. */
  listSize?: number;
  /** Shuffled sessions per list; default 1. */
  sessionsPerList?: number;
}

/**
 * RandList estimate of a click model's position bias: each list (relevance labels of its candidates) is
 * shuffled uniformly at random `sessionsPerList` times, cut at `listSize`, clicked with `model.sample`,
 * and clicks and impressions are counted per position; then {@link propensityFromClickCounts}.
 *
 * For a position-based model this is consistent for `theta_i / theta_1` (the random permutation makes
 * the expected attractiveness equal at every position); at eta = 1 on the eye-tracking PBM the weights
 * approach 0.68 / rho_i = [1, 1.11, 1.42, 2.00, 2.43, 3.40, 6.18, 6.80, 8.50, 11.33].
 */
export function estimateRandListPropensity(
  model: ClickModel,
  lists: Iterable<ArrayLike<number>>,
  options: RandListOptions,
): PropensityEstimate {
  if (options === null || typeof options !== 'object') invalidArgument('options', 'estimateRandListPropensity needs options with an rng');
  const rng = toRng('rng', options.rng);
  const listSize = integerOption('listSize', options.listSize, 10, 1);
  const sessionsPerList = integerOption('sessionsPerList', options.sessionsPerList, 1, 1);
  const clicks = new Float64Array(listSize);
  const impressions = new Float64Array(listSize);
  const shown = new Float64Array(listSize);
  let index = 0;
  for (const list of lists) {
    const n = arrayLength(`lists[${index}]`, list);
    const m = Math.min(n, listSize);
    for (let s = 0; s < sessionsPerList; s++) {
      const permutation = rng.permutation(n);
      for (let i = 0; i < m; i++) shown[i] = list[permutation[i] as number] as number;
      const session = model.sample(shown.subarray(0, m), rng);
      for (let i = 0; i < m; i++) {
        impressions[i]! += 1;
        clicks[i]! += session[i] as number;
      }
    }
    index++;
  }
  return propensityFromClickCounts(clicks, impressions);
}
