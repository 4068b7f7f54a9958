import { UnbiasedError } from '@unbiased/core/errors';
import type { Vote } from './majority-vote.js';
import { wordsFor } from './pack.js';

const f32 = Math.fround;

/**
 * The parameter step of signSGD / Signum with majority vote (Bernstein et al. 2019, ICLR, Algorithm 1, with
 * decoupled weight decay as in Loshchilov & Hutter 2019), in place, in float32:
 *
 *   p <- p - lr * (vote + wd * p)
 *
 * with the operation order of core's `chain(addDecayedWeights(wd), scaleByLearningRate(lr))` applied by
 * `applyUpdates`: `u = f32(vote + f32(wd * p))`, `p = f32(p + f32(-lr * u))` (lr and wd rounded to float32
 * once). Every machine applies the same vote to the same float32 parameters with these operations, so all
 * copies stay bitwise equal.
 */
export function applyVote(params: Float32Array, vote: Vote, { learningRate, weightDecay = 0 }: { learningRate: number; weightDecay?: number }): void {
  const n = params.length;
  if (vote.positive.length !== wordsFor(n) || vote.negative.length !== wordsFor(n)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `applyVote: ${n} parameters need votes of ${wordsFor(n)} words`, { field: 'vote' });
  }
  const negLr = f32(-learningRate);
  const wd = f32(weightDecay);
  const { positive, negative } = vote;
  if (wd === 0) {
    // u = vote in {-1, 0, +1}: f32(-lr * u) is -lr, 0 (no change) or +lr, added to p once.
    for (let base = 0, w = 0; base < n; base += 32, w++) {
      const plus = positive[w] as number;
      const minus = negative[w] as number;
      if ((plus | minus) === 0) continue;
      const end = Math.min(base + 32, n);
      for (let i = base; i < end; i++) {
        const bit = 1 << (i - base);
        if (plus & bit) params[i] = f32((params[i] as number) + negLr);
        else if (minus & bit) params[i] = f32((params[i] as number) - negLr);
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const bit = 1 << (i & 31);
    const w = i >>> 5;
    const v = (positive[w] as number) & bit ? 1 : (negative[w] as number) & bit ? -1 : 0;
    const p = params[i] as number;
    params[i] = f32(p + f32(negLr * f32(v + f32(wd * p))));
  }
}
