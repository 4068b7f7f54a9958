import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaussianKde, kdeLogDensity, kdeScore, scottBandwidth } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

/** Direct (non log-sum-exp) Gaussian KDE, log density and derivative: the textbook formula, for moderate points. */
function naiveKde(samples: number[], h: number, z: number): { log: number; score: number } {
  let p = 0;
  let dp = 0;
  for (const x of samples) {
    const k = Math.exp(-((z - x) ** 2) / (2 * h * h)) / (h * Math.sqrt(2 * Math.PI));
    p += k;
    dp += (k * (x - z)) / (h * h);
  }
  return { log: Math.log(p / samples.length), score: dp / p };
}

describe('Gaussian KDE', () => {
  it("Scott's bandwidth and log density match scipy's gaussian_kde", () => {
    // Reference values: scipy.stats.gaussian_kde (SciPy 1.17) on [0, 1, 2, 3]: bandwidth sqrt(covariance) and logpdf.
    expectClose(scottBandwidth([0, 1, 2, 3]), 0.9783908366109096, 1e-15);
    // by hand: sd (ddof 1) = sqrt(5/3), times 4^(-1/5)
    expectClose(scottBandwidth([0, 1, 2, 3]), Math.sqrt(5 / 3) * 4 ** -0.2, 1e-15);
    const kde = gaussianKde([3, 0, 2, 1]);
    const log = kdeLogDensity(kde, [-1, 0.5, 2.2, 10]);
    const scipy = [-2.603276798860763, -1.5404378750102665, -1.4740889443866536, -27.877177757994918];
    scipy.forEach((v, i) => {
      expectClose(log[i] as number, v, 1e-13);
    });
    const kde2 = gaussianKde([-2.2, -0.3, 1.9, 0.1, 0.7, -1.4, 2.5]);
    expectClose(kde2.bandwidth, 1.1408766349377617, 1e-15);
    const log2 = kdeLogDensity(kde2, [-3, -0.25, 0, 1.3, 4]);
    [-2.775824945718779, -1.683470265482994, -1.6727830473163794, -1.7919311469244263, -3.4681014786092135].forEach((v, i) => {
      expectClose(log2[i] as number, v, 1e-13);
    });
  });

  it('log density and the central-difference score agree with the direct formula (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: -12, max: 12, noNaN: true }),
        (samples, z) => {
          fc.pre(new Set(samples).size > 1);
          const kde = gaussianKde(samples);
          const h = kde.bandwidth;
          // the direct formula squares h: below ~1e-150 h² is subnormal and the reference itself loses digits
          fc.pre(h > 1e-100);
          const delta = 1e-3 * h;
          const at = naiveKde(samples, h, z);
          const plus = naiveKde(samples, h, z + delta);
          const minus = naiveKde(samples, h, z - delta);
          fc.pre([at, plus, minus].every((r) => Number.isFinite(r.log) && r.log > -600));
          // both float64: 1e-12 relative covers two differently ordered sums of up to 40 terms and the logs
          const logTol = 1e-12 * (1 + Math.abs(at.log));
          expectClose(kdeLogDensity(kde, [z])[0] as number, at.log, logTol);
          // the same central difference from the direct formula; its rounding error is ~ (log tolerance) / δ
          const direct = (plus.log - minus.log) / (2 * delta);
          const scoreTol = (2e-12 * (1 + Math.abs(plus.log) + Math.abs(minus.log))) / (2 * delta);
          expectClose(kdeScore(kde, [z], { delta })[0] as number, direct, scoreTol);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the central difference approximates the analytic score where log p̂ is smooth', () => {
    // two samples one bandwidth apart; δ = 1e-3 h: truncation error δ² |(log p)‴| / 6 ~ 1e-7 / h
    const samples = [0, 1];
    const kde = gaussianKde(samples, { bandwidth: 1 });
    for (const z of [-2, -0.3, 0.5, 1.7, 4]) {
      const analytic = naiveKde(samples, 1, z).score;
      expectClose(kdeScore(kde, [z], { delta: 1e-3 })[0] as number, analytic, 1e-6);
    }
  });

  it('far outside the samples the values stay finite: score -> −(z − nearest)/h²', () => {
    const kde = gaussianKde([0, 1], { bandwidth: 0.5 });
    // at z = 60 the nearest sample (1) dominates: log p ≈ −(59)²/(2·0.25) − ln 2 − ln(0.5 √(2π)), score ≈ −59/0.25
    const log = kdeLogDensity(kde, [60])[0] as number;
    expectClose(log, -(59 ** 2) / 0.5 - Math.log(2) - Math.log(0.5 * Math.sqrt(2 * Math.PI)), 1e-9);
    const score = kdeScore(kde, [60], { delta: 1e-3 })[0] as number;
    expectClose(score, -59 / 0.25, 1e-6);
    expect(Number.isFinite(kdeScore(kde, [1e6], { delta: 1e-3, impl: 'grid' })[0])).toBe(true);
  });

  it("the grid path matches the exact one (4096 nodes: error ~1e-7 sd⁻¹, bound 1e-4 sd⁻¹) (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 20, max: 300 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (seed, n, scale) => {
        const rng = Rng.fromSeed(seed);
        // a two-cluster sample: the score changes fast between clusters
        const samples = rng.fold('x').normal(n, 0, scale).map((v, i) => (i % 3 === 0 ? v + 4 * scale : v));
        const points = rng.fold('z').normal(50, scale, 2 * scale);
        const kde = gaussianKde(samples);
        const delta = 1e-3 * scale;
        const exact = kdeScore(kde, points, { delta });
        const grid = kdeScore(kde, points, { delta, impl: 'grid' });
        for (let i = 0; i < points.length; i++) expectClose(grid[i] as number, exact[i] as number, 1e-4 / scale);
      }),
      { numRuns: 40 },
    );
  });

  it('bad input names the field', () => {
    expectUnbiasedError(() => gaussianKde([2, 2, 2]), 'DEGENERATE_CALIBRATION', 'samples');
    expectUnbiasedError(() => gaussianKde([1]), 'BAD_INPUT', 'samples');
    expectUnbiasedError(() => gaussianKde([1, 2], { bandwidth: 0 }), 'INVALID_HYPERPARAMETER', 'bandwidth');
    const kde = gaussianKde([1, 2]);
    expectUnbiasedError(() => kdeScore(kde, [1], { delta: 0 }), 'INVALID_HYPERPARAMETER', 'delta');
    expectUnbiasedError(() => kdeScore(kde, [1], { delta: 1e-3, impl: 'fft' as 'grid' }), 'INVALID_ARGUMENT', 'impl');
    expectUnbiasedError(() => kdeScore(kde, [Number.NaN], { delta: 1e-3 }), 'NON_FINITE', 'points');
    expectUnbiasedError(() => kdeScore(kde, [1], { delta: 1e-3, impl: 'grid', gridSize: 2 }), 'INVALID_HYPERPARAMETER', 'gridSize');
    // a point ~1e160 bandwidths away: the squared distance overflows, reported instead of a NaN
    const narrow = gaussianKde([0, 1e-160]);
    expectUnbiasedError(() => kdeScore(narrow, [1], { delta: 1e-3 }), 'NON_FINITE', 'points');
    expectUnbiasedError(() => kdeLogDensity(narrow, [1]), 'NON_FINITE', 'points');
  });
});
