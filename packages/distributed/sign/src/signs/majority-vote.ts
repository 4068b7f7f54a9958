import { UnbiasedError } from '@unbiased/core/errors';
import { wordsFor } from './pack.js';

/**
 * The outcome of a majority vote, as two bitmaps of {@link wordsFor}(n) words: `positive` bit i set where the
 * vote is +1, `negative` bit i set where it is -1, neither where it is a tie (0).
 */
export interface Vote {
  positive: Uint32Array;
  negative: Uint32Array;
}

/**
 * Majority vote over packed sign ballots (Bernstein et al. 2019, "signSGD with Majority Vote is Communication
 * Efficient and Fault Tolerant", ICLR, Algorithm 1): per coordinate, with `c` the number of ballots whose bit
 * is set (+1) among `K` ballots,
 *
 *   vote_i = sign(sum_k s_k,i) = sign(2 c - K)   ->  +1 if 2c > K,  -1 if 2c < K,  0 if 2c = K (a tie).
 *
 * Ties (possible only for an even number of ballots) give 0, so the coordinate does not move that step; this
 * is `sign(0) = 0` of the paper's `sign(sum)` and keeps the rule symmetric in + and - (inferred: the paper
 * does not discuss ties). The count is bit-sliced (a ripple-carry counter over the ballots' words, then two
 * comparisons with constants), so a word of 32 coordinates costs about `K log2 K` integer operations and the
 * result does not depend on the order of the ballots. `K` must be at least 1.
 */
export function majorityVote(ballots: readonly Uint32Array[], n: number, out?: Vote): Vote {
  const voters = ballots.length;
  if (voters < 1) throw new UnbiasedError('INVALID_ARGUMENT', 'majorityVote needs at least one ballot', { field: 'ballots' });
  const words = wordsFor(n);
  for (let k = 0; k < voters; k++) {
    if ((ballots[k] as Uint32Array).length !== words) {
      throw new UnbiasedError('SHAPE_MISMATCH', `ballot ${k} has ${(ballots[k] as Uint32Array).length} words; ${n} coordinates need ${words}`, { field: 'ballots' });
    }
  }
  const positive = out?.positive ?? new Uint32Array(words);
  const negative = out?.negative ?? new Uint32Array(words);
  const levels = 32 - Math.clz32(voters); // bits of the count 0..K
  const counter = new Int32Array(levels);
  const plusAtLeast = (voters >>> 1) + 1; // 2c > K  <=>  c >= floor(K/2) + 1
  const minusBelow = (voters + 1) >>> 1; //  2c < K  <=>  c <  ceil(K/2)
  for (let w = 0; w < words; w++) {
    for (let j = 0; j < levels; j++) counter[j] = 0;
    for (let k = 0; k < voters; k++) {
      let carry = (ballots[k] as Uint32Array)[w] as number;
      for (let j = 0; j < levels && carry !== 0; j++) {
        const bit = counter[j] as number;
        counter[j] = bit ^ carry;
        carry &= bit;
      }
    }
    positive[w] = atLeast(counter, levels, plusAtLeast) >>> 0;
    negative[w] = ~atLeast(counter, levels, minusBelow) >>> 0;
  }
  const tail = n & 31;
  if (tail !== 0) {
    const mask = (2 ** tail - 1) >>> 0;
    positive[words - 1] = ((positive[words - 1] as number) & mask) >>> 0;
    negative[words - 1] = ((negative[words - 1] as number) & mask) >>> 0;
  }
  return { positive, negative };
}

/** Bit mask of the lanes whose bit-sliced count (`counter[j]` = bit j of every lane) is >= the constant `threshold`. */
function atLeast(counter: Int32Array, levels: number, threshold: number): number {
  if (threshold >= 2 ** levels) return 0;
  let greater = 0;
  let equal = -1;
  for (let j = levels - 1; j >= 0; j--) {
    const bit = counter[j] as number;
    if ((threshold >>> j) & 1) equal &= bit;
    else {
      greater |= equal & bit;
      equal &= ~bit;
    }
  }
  return greater | equal;
}

/** The vote of coordinate `i` as a number in {-1, 0, +1}. */
export function voteAt(vote: Vote, i: number): number {
  const bit = 1 << (i & 31);
  if ((vote.positive[i >>> 5] as number) & bit) return 1;
  if ((vote.negative[i >>> 5] as number) & bit) return -1;
  return 0;
}
