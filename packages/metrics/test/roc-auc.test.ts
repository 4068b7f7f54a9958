import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../src/index.js';
import { expectClose, expectUnbiasedError, TOL } from './helpers.js';

describe('rocAuc: hand-computed values', () => {
  it('no ties', () => {
    // positives {0.35, 0.8}, negatives {0.1, 0.4}; pairs pos > neg: 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3 of 4 = 0.75
    expectClose(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  });
  it('ties count 1/2 (midranks)', () => {
    // positives {0.5, 0.5}, negatives {0.5, 0.2}
    // pairs: (0.5 vs 0.5) = 1/2 twice, (0.5 vs 0.2) = 1 twice -> 3/4
    // midranks ascending: 0.2 -> 1, the three 0.5 -> (2+3+4)/3 = 3; U = (3 + 3) - 2*3/2 = 3; AUC = 3/(2*2) = 0.75
    expectClose(rocAuc([0.5, 0.5, 0.5, 0.2], [1, 0, 1, 0]), 0.75);
    // all scores equal: every pair is a tie -> 1/2
    expectClose(rocAuc([7, 7, 7], [1, 0, 0]), 0.5);
  });
  it('perfect, inverted, and infinite scores', () => {
    expectClose(rocAuc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
    expectClose(rocAuc([4, 3, 2, 1], [0, 0, 1, 1]), 0);
    // -inf negative, +inf positive, and one tie at +inf with a negative: pairs (1 + 1/2 + 1 + 1)... positives {inf, 3}
    // negatives {-inf, inf}: inf vs -inf = 1, inf vs inf = 1/2, 3 vs -inf = 1, 3 vs inf = 0 -> 2.5/4 = 0.625
    expectClose(rocAuc([-Infinity, Infinity, Infinity, 3], [0, 0, 1, 1]), 0.625);
  });
  it('accepts typed arrays', () => {
    expectClose(rocAuc(Float32Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1])), 0.75);
  });
});

const labelled = fc
  .array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, 1)), { minLength: 2, maxLength: 30 })
  .filter((pairs) => pairs.some(([, y]) => y === 1) && pairs.some(([, y]) => y === 0));

/** O(n^2) pair count, independent of the implementation: P(s_pos > s_neg) + P(tie)/2. */
function bruteAuc(scores: number[], labels: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      const a = scores[i] as number;
      const b = scores[j] as number;
      num += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return num / pairs;
}

describe('rocAuc: properties', () => {
  it('matches the O(n^2) pair count', () => {
    fc.assert(
      fc.property(labelled, (pairs) => {
        const s = pairs.map(([x]) => x);
        const y = pairs.map(([, l]) => l);
        expectClose(rocAuc(s, y), bruteAuc(s, y));
      }),
    );
  });
  it('is invariant under a joint shuffle of (score, label) pairs', () => {
    fc.assert(
      fc.property(
        labelled.chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length }))),
        ([pairs, shuffled]) => {
          const a = rocAuc(
            pairs.map(([x]) => x),
            pairs.map(([, l]) => l),
          );
          const b = rocAuc(
            shuffled.map(([x]) => x),
            shuffled.map(([, l]) => l),
          );
          expectClose(b, a);
        },
      ),
    );
  });
  it('AUC(-scores) = 1 - AUC(scores), also with real-valued scores', () => {
    const real = fc
      .array(fc.tuple(fc.double({ noNaN: true }), fc.constantFrom(0, 1)), { minLength: 2, maxLength: 30 })
      .filter((pairs) => pairs.some(([, y]) => y === 1) && pairs.some(([, y]) => y === 0));
    fc.assert(
      fc.property(fc.oneof(labelled, real), (pairs) => {
        const s = pairs.map(([x]) => x);
        const y = pairs.map(([, l]) => l);
        expectClose(
          rocAuc(
            s.map((x) => -x),
            y,
          ),
          1 - rocAuc(s, y),
          TOL,
        );
        const v = rocAuc(s, y);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('rocAuc: bad input', () => {
  it('one class only names labels', () => {
    expectUnbiasedError(() => rocAuc([1, 2], [1, 1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => rocAuc([1, 2], [0, 0]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => rocAuc([], []), 'BAD_INPUT', 'labels');
  });
  it('labels outside {0, 1} name labels', () => {
    expectUnbiasedError(() => rocAuc([1, 2], [0, 2]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => rocAuc([1, 2], [0, -1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => rocAuc([1, 2], [0, 0.5]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => rocAuc([1, 2], [0, true] as unknown as number[]), 'BAD_INPUT', 'labels');
  });
  it('NaN scores and length mismatch', () => {
    expectUnbiasedError(() => rocAuc([Number.NaN, 2], [0, 1]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => rocAuc([1, 2, 3], [0, 1]), 'BAD_INPUT', 'labels');
  });
});
