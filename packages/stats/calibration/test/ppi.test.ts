import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ppiMean } from '../src/index.js';
import { expectClose, expectUnbiasedError, meanOf } from './helpers.js';

const Z90 = 1.6448536269514722; // Φ⁻¹(0.95), scipy.stats.norm.ppf

describe('ppiMean', () => {
  it('PPI++ by hand: tuned λ, estimate, standard error and interval', () => {
    // Y = [1,2,3,4], f = [1,1,2,2], f̃ = [1,2,3]; n = 4, N = 3.
    // Cov_n(Y, f) (ddof 0) = (0.75 + 0.25 + 0.25 + 0.75)/4 = 0.5; pooled f = [1,1,2,2,1,2,3]: mean 12/7,
    // sum of squares 24/7, variance (ddof 1) 4/7; λ = 0.5 / ((1 + 4/3) · 4/7) = 0.375.
    // θ = mean(0.375 f̃) + mean(Y − 0.375 f) = 0.75 + 1.9375 = 2.6875.
    // Var(λ f̃) = 0.09375 -> /3 = 0.03125; Var(Y − λf) = 0.91015625 -> /4 = 0.2275390625; se = √0.2587890625.
    const r = ppiMean([1, 2, 3, 4], [1, 1, 2, 2], [1, 2, 3]);
    expectClose(r.lambda, 0.375, 1e-15);
    expectClose(r.estimate, 2.6875, 1e-14);
    expectClose(r.standardError, Math.sqrt(0.2587890625), 1e-15);
    expectClose(r.ci[0], 2.6875 - Z90 * Math.sqrt(0.2587890625), 1e-13);
    expectClose(r.ci[1], 2.6875 + Z90 * Math.sqrt(0.2587890625), 1e-13);
    expect([r.n, r.N, r.alpha]).toEqual([4, 3, 0.1]);
  });

  it('spec test 5: λ = 0 gives mean(Y); λ = 1 gives mean(f̃) + mean(Y − f); constant f gives λ̂ = 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 2, maxLength: 30 }),
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (labeled, unlabeled, constant) => {
          const y = labeled.map((p) => p[0]);
          const f = labeled.map((p) => p[1]);
          const tol = 1e-12 * 100;
          expectClose(ppiMean(y, f, unlabeled, { lambda: 0 }).estimate, meanOf(y), tol);
          const diffs = y.map((v, i) => v - (f[i] as number));
          expectClose(ppiMean(y, f, unlabeled, { lambda: 1 }).estimate, meanOf(unlabeled) + meanOf(diffs), tol);
          const flat = ppiMean(
            y,
            y.map(() => constant),
            unlabeled.map(() => constant),
          );
          expect(flat.lambda).toBe(0);
          expect(flat.warnings).toEqual(['constant_predictions']);
          expectClose(flat.estimate, meanOf(y), tol);
          const tuned = ppiMean(y, f, unlabeled);
          expect(tuned.lambda).toBeGreaterThanOrEqual(0);
          expect(tuned.lambda).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('weights are normalised per set: scaling them changes nothing; equal weights equal no weights (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (seed, scale) => {
        const rng = Rng.fromSeed(seed);
        const y = rng.fold('y').normal(20);
        const f = y.map((v, i) => 0.5 * v + 0.1 * i);
        const fu = rng.fold('u').normal(30);
        const w = rng.fold('w').uniform(20, 0.5, 2);
        const wu = rng.fold('wu').uniform(30, 0.5, 2);
        const a = ppiMean(y, f, fu, { weights: w, unlabeledWeights: wu });
        const b = ppiMean(y, f, fu, { weights: w.map((v) => v * scale), unlabeledWeights: wu.map((v) => v * scale) });
        expectClose(a.estimate, b.estimate, 1e-12);
        expectClose(a.standardError, b.standardError, 1e-12);
        const plain = ppiMean(y, f, fu, { lambda: 1 });
        const ones = ppiMean(y, f, fu, { lambda: 1, weights: new Float64Array(20).fill(scale), unlabeledWeights: new Float64Array(30).fill(3) });
        expectClose(ones.estimate, plain.estimate, 1e-12);
        // the weighted PPI point estimate is the notebook's Σw ŷ_unl / Σw + Σw (y − ŷ)_lab / Σw
        let num = 0;
        let den = 0;
        fu.forEach((v, i) => {
          num += (wu[i] as number) * v;
          den += wu[i] as number;
        });
        let rnum = 0;
        let rden = 0;
        y.forEach((v, i) => {
          rnum += (w[i] as number) * (v - (f[i] as number));
          rden += w[i] as number;
        });
        expectClose(ppiMean(y, f, fu, { lambda: 1, weights: w, unlabeledWeights: wu }).estimate, num / den + rnum / rden, 1e-12);
      }),
      { numRuns: 100 },
    );
  });

  it('is unbiased for E[Y] with a biased predictor, and the 90% interval covers ~90% (Monte Carlo)', () => {
    // Y ~ N(1, 1), f = 0.5 + 0.3 Y + N(0, 0.5²) (biased, attenuated); n = 60 labeled, N = 600 unlabeled; 2000 reps.
    // Mean of estimates: the standard error of the average is ≈ sd(θ̂)/√2000 ≈ 0.13/45 ≈ 0.003, bound 0.012.
    // Coverage: binomial standard error √(0.09/2000) ≈ 0.0067; bound ±0.03 (~4.5 s.e.).
    const reps = 2000;
    let sum = 0;
    let covered = 0;
    for (let r = 0; r < reps; r++) {
      const rng = Rng.fromSeed(r).fold('ppi-mc');
      const y = rng.fold('y').normal(60, 1, 1);
      const e = rng.fold('e').normal(60, 0, 0.5);
      const yu = rng.fold('yu').normal(600, 1, 1);
      const eu = rng.fold('eu').normal(600, 0, 0.5);
      const f = y.map((v, i) => 0.5 + 0.3 * v + (e[i] as number));
      const fu = yu.map((v, i) => 0.5 + 0.3 * v + (eu[i] as number));
      const est = ppiMean(y, f, fu);
      sum += est.estimate;
      if (est.ci[0] <= 1 && est.ci[1] >= 1) covered++;
    }
    expectClose(sum / reps, 1, 0.012);
    expectClose(covered / reps, 0.9, 0.03);
  });

  it('bad input: code and field', () => {
    expectUnbiasedError(() => ppiMean([1, 2, 3], [1, 2], [1]), 'SHAPE_MISMATCH', 'predictions');
    expectUnbiasedError(() => ppiMean([1], [1], [1]), 'BAD_INPUT', 'truth');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], []), 'BAD_INPUT', 'unlabeledPredictions');
    expectUnbiasedError(() => ppiMean([1, Number.NaN], [1, 2], [1]), 'NON_FINITE', 'truth');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { alpha: 0 }), 'INVALID_HYPERPARAMETER', 'alpha');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { lambda: 1.5 }), 'INVALID_HYPERPARAMETER', 'lambda');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { lambda: 'auto' as 'tuned' }), 'INVALID_ARGUMENT', 'lambda');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { weights: [1, -1] }), 'BAD_INPUT', 'weights');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { unlabeledWeights: [0] }), 'BAD_INPUT', 'unlabeledWeights');
    expectUnbiasedError(() => ppiMean([1, 2], [1, 2], [1], { weights: [1] }), 'SHAPE_MISMATCH', 'weights');
  });
});
