import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracyOf, averageForgetting, meanNormPerTask, recencyRatio, summarize } from '../src/index.js';

describe('continual metrics', () => {
  it('average forgetting matches a float64 reference (max over earlier rows minus the last row)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((T) => fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: T, maxLength: T }), { minLength: T, maxLength: T })), (a) => {
        const T = a.length;
        let ref = 0;
        for (let j = 0; j < T - 1; j++) {
          const earlier = a.slice(j, T - 1).map((row) => row[j] as number);
          ref += Math.max(...earlier) - (a[T - 1]?.[j] as number);
        }
        ref = T > 1 ? ref / (T - 1) : 0;
        expect(Math.abs(averageForgetting(a) - ref)).toBeLessThan(1e-12);
      }),
    );
    expect(averageForgetting([[0.9, 0], [0.5, 0.8], [0.2, 0.4, 0.9]])).toBeCloseTo(((0.9 - 0.2) + (0.8 - 0.4)) / 2, 12);
  });

  it('accuracy, recency and per-task norms', () => {
    expect(accuracyOf([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    expect(recencyRatio([8, 9, 1, 9, 0], [8, 9])).toBeCloseTo(0.6, 12);
    expect(meanNormPerTask([1, 3, 2, 2, 5, 7], [[0, 1], [2, 3], [4, 5]])).toEqual([2, 2, 6]);
    expect(() => accuracyOf([1], [1, 2])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });

  it('summarize: mean, sample sd and the t-interval (t_{0.975,4} = 2.776)', () => {
    const s = summarize([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.upper - s.mean).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 12);
    expect(summarize([4]).lower).toBe(4);
  });
});
