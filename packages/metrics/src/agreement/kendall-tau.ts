/**
 * Kendall's tau-b, in O(n log n).
 */
import { badInput } from '../validate.js';
import { checkPairedSamples } from './ranks.js';

/** Pairs tied within each run of equal keys along `order`: sum of t (t - 1) / 2. */
function tiedPairs(order: Int32Array, equal: (a: number, b: number) => boolean): number {
  let ties = 0;
  let run = 1;
  for (let i = 1; i < order.length; i++) {
    if (equal(order[i - 1] as number, order[i] as number)) run++;
    else {
      ties += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return ties + (run * (run - 1)) / 2;
}

/** Stable merge sort of `order` by `key`, returning the number of inversions (pairs i < j with key_i > key_j). */
function sortCountingInversions(order: Int32Array, key: ArrayLike<number>): number {
  const n = order.length;
  let buffer: Int32Array = new Int32Array(n);
  let source: Int32Array = order;
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if ((key[source[i] as number] as number) <= (key[source[j] as number] as number)) buffer[k++] = source[i++] as number;
        else {
          inversions += mid - i;
          buffer[k++] = source[j++] as number;
        }
      }
      while (i < mid) buffer[k++] = source[i++] as number;
      while (j < hi) buffer[k++] = source[j++] as number;
    }
    const swap = source;
    source = buffer;
    buffer = swap;
  }
  if (source !== order) order.set(source);
  return inversions;
}

/**
 * Kendall's tau-b (Kendall 1945), which corrects for ties in either variable:
 * `tau_b = (n_c - n_d) / sqrt((n_0 - n_1)(n_0 - n_2))`, with `n_0 = n (n - 1) / 2`, `n_1` / `n_2` the pairs
 * tied in x / y, and `n_c`, `n_d` the concordant and discordant pairs. Knight's (1966) O(n log n)
 * algorithm: sort by (x, y), count ties, then count the discordant pairs as inversions of y by merge sort;
 * `n_c - n_d = n_0 - n_1 - n_2 + n_3 - 2 n_d` with `n_3` the pairs tied in both. Matches
 * `scipy.stats.kendalltau` (variant 'b'). Result in [-1, 1]. `BAD_INPUT` naming `x` or `y` for unequal
 * lengths, fewer than 2 pairs, non-finite values, or a constant sample (tau-b is 0/0).
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkPairedSamples(x, y);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (x[a] as number) - (x[b] as number) || (y[a] as number) - (y[b] as number));
  const tiedX = tiedPairs(order, (a, b) => x[a] === x[b]);
  const tiedBoth = tiedPairs(order, (a, b) => x[a] === x[b] && y[a] === y[b]);
  const discordant = sortCountingInversions(order, y);
  const tiedY = tiedPairs(order, (a, b) => y[a] === y[b]);
  const pairs = (n * (n - 1)) / 2;
  if (tiedX === pairs) badInput('x', 'x is constant; tau-b is undefined (0/0)');
  if (tiedY === pairs) badInput('y', 'y is constant; tau-b is undefined (0/0)');
  const difference = pairs - tiedX - tiedY + tiedBoth - 2 * discordant;
  return Math.max(-1, Math.min(1, difference / Math.sqrt((pairs - tiedX) * (pairs - tiedY))));
}
