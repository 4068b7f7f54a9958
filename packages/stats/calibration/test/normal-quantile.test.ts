import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('normalQuantile (AS 241)', () => {
  it('matches reference quantiles', () => {
    // Reference values: scipy.stats.norm.ppf (SciPy 1.17, float64), an independent implementation.
    const reference: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.95, 1.6448536269514722],
      [0.995, 2.5758293035489004],
      [0.9, 1.2815515655446004],
      [0.3, -0.5244005127080409],
      [0.08, -1.4050715603096329],
      [1e-10, -6.361340902404056],
      [1e-300, -37.0470962993612],
      [1 - 1e-12, 7.0344869100478356],
    ];
    // AS 241 is accurate to ~1e-16 relative; 1e-14 relative leaves room for rounding in the input p
    for (const [p, z] of reference) expectClose(normalQuantile(p), z, 1e-14 * Math.max(1, Math.abs(z)));
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is odd around 1/2 and increasing (fast-check)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 0.5, noNaN: true }), fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p, r) => {
        // 1 − p is rounded in float64 (error ≤ 2^-53); dz/dp = 1/φ(z) ≤ 1/φ(7.04) ≈ 1.5e11 over this range -> 2e-5 absolute
        expectClose(normalQuantile(1 - p), -normalQuantile(p), 2e-5);
        if (p < r) expect(normalQuantile(p)).toBeLessThanOrEqual(normalQuantile(r));
      }),
      { numRuns: 500 },
    );
  });

  it('p outside (0, 1) names p', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) expectUnbiasedError(() => normalQuantile(p), 'INVALID_HYPERPARAMETER', 'p');
  });
});
