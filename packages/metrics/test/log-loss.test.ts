import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logLoss } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('logLoss: hand-computed values', () => {
  it('mean over samples, natural log', () => {
    // L = -(ln 0.9 + ln(1 - 0.2))/2 = (0.10536051565782628 + 0.2231435513142097)/2 = 0.164252033486018
    expectClose(logLoss([0.9, 0.2], [1, 0]), 0.164252033486018);
    expectClose(logLoss([0.9, 0.2], [1, 0]), -(Math.log(0.9) + Math.log(0.8)) / 2);
    // p = 0.5 for either label: ln 2 = 0.6931471805599453
    expectClose(logLoss([0.5, 0.5, 0.5], [1, 0, 1]), Math.LN2);
  });
  it('clips to [eps, 1 - eps] with eps = 1e-15 by default', () => {
    // y = 1, p = 0 -> p clipped to 1e-15: -ln(1e-15) = 15 ln 10 = 34.538776394910684
    expectClose(logLoss([0], [1]), 34.538776394910684, 1e-9);
    // y = 0, p = 1 -> p clipped to 1 - 1e-15: -ln(1 - (1 - 1e-15)); in float64 1 - (1 - 1e-15) = 9.992007221626409e-16
    expectClose(logLoss([1], [0]), -Math.log(9.992007221626409e-16), 1e-9);
    // a correct p = 1 for y = 1 is clipped to 1 - 1e-15: loss = -ln(1 - 1e-15) ≈ 1e-15
    expectClose(logLoss([1], [1]), 1e-15, 1e-18);
    // custom eps: p = 0, y = 1, eps = 0.01 -> -ln(0.01) = 4.605170185988091
    expectClose(logLoss([0], [1], { eps: 0.01 }), 4.605170185988091);
  });
  it('eps: 0 disables clipping (a confident wrong answer is Infinity)', () => {
    expect(logLoss([0], [1], { eps: 0 })).toBe(Infinity);
    expect(logLoss([1], [1], { eps: 0 })).toBe(0);
  });
});

describe('logLoss: properties', () => {
  it('is >= 0 and at most -ln(eps) per sample', () => {
    const data = fc.integer({ min: 1, max: 20 }).chain((n) =>
      fc.tuple(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
      ),
    );
    fc.assert(
      fc.property(data, ([p, y]) => {
        const v = logLoss(p, y);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(-Math.log(1e-15) + 1e-3);
      }),
    );
  });
});

describe('logLoss: bad input', () => {
  it('probabilities outside [0, 1] or NaN name probabilities', () => {
    expectUnbiasedError(() => logLoss([1.1], [1]), 'BAD_INPUT', 'probabilities');
    expectUnbiasedError(() => logLoss([-0.1], [1]), 'BAD_INPUT', 'probabilities');
    expectUnbiasedError(() => logLoss([Number.NaN], [1]), 'BAD_INPUT', 'probabilities');
  });
  it('labels outside {0, 1} name labels', () => {
    expectUnbiasedError(() => logLoss([0.5], [2]), 'BAD_INPUT', 'labels');
  });
  it('empty input and length mismatch', () => {
    expectUnbiasedError(() => logLoss([], []), 'BAD_INPUT', 'probabilities');
    expectUnbiasedError(() => logLoss([0.5, 0.5], [1]), 'BAD_INPUT', 'labels');
  });
  it('eps outside [0, 0.5) names eps', () => {
    expectUnbiasedError(() => logLoss([0.5], [1], { eps: 0.5 }), 'INVALID_ARGUMENT', 'eps');
    expectUnbiasedError(() => logLoss([0.5], [1], { eps: -1e-9 }), 'INVALID_ARGUMENT', 'eps');
    expectUnbiasedError(() => logLoss([0.5], [1], { eps: Number.NaN }), 'INVALID_ARGUMENT', 'eps');
  });
});
