import { Rng, UNIFORM_SCALE } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaussianFromUniforms, laplaceFromUniform, sampleLaplace } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Independent reference: the Laplace(0, b) inverse CDF, F^-1(p) = b ln(2p) for p < 1/2, -b ln(2 - 2p) otherwise.
// The sampler feeds p = u0 + 2^-25 (the half-step shift), so that is the p we compare at.
function laplaceQuantile(p: number, b: number): number {
  return p < 0.5 ? b * Math.log(2 * p) : -b * Math.log(2 - 2 * p);
}

const u24 = fc.integer({ min: 0, max: 2 ** 24 - 1 }).map((k) => k * UNIFORM_SCALE);

describe('Laplace sampler', () => {
  it('spec test 1: mean |x| over 10^6 draws is within 1% of b; variance within 2% of 2b^2', () => {
    // E|x| = b and sd(|x|) = b, so the standard error of the mean over 1e6 draws is b/1000 = 0.1% of b:
    // the 1% bound is 10 standard errors. Var(x^2) = 20 b^4, so the mean of x^2 has standard error
    // sqrt(20) b^2 / 1000 ≈ 0.22% of 2 b^2: the 2% bound is ~9 standard errors.
    const b = 0.37;
    const draws = sampleLaplace(Rng.fromSeed(11), 1_000_000, b);
    let absSum = 0;
    let sqSum = 0;
    let sum = 0;
    for (const x of draws) {
      absSum += Math.abs(x);
      sqSum += x * x;
      sum += x;
    }
    expectClose(absSum / draws.length / b, 1, 0.01);
    expectClose(sqSum / draws.length / (2 * b * b), 1, 0.02);
    // mean 0 with standard error sqrt(2) b / 1000 ≈ 5.2e-4: 5 standard errors
    expectClose(sum / draws.length, 0, 0.0027);
  });

  it('is the Laplace inverse CDF at hand-computed points', () => {
    const b = 2;
    // u0 = 3/4: p = 3/4 + 2^-25, x = -2 ln(1/2 - 2^-24) = 2 ln 2 + 2·2^-23 (to first order)
    expectClose(laplaceFromUniform(0.75, b), 2 * Math.LN2, 1e-6);
    // u0 = 1/4 - 2^-24: p = 1/4 - 2^-25, x = 2 ln(1/2 - 2^-24) ≈ -2 ln 2
    expectClose(laplaceFromUniform(0.25 - UNIFORM_SCALE, b), -2 * Math.LN2, 1e-6);
    // the largest draw: u0 = 1 - 2^-24 gives p = 1 - 2^-25, x = b ln(2^24)
    expectClose(laplaceFromUniform(1 - UNIFORM_SCALE, b), b * 24 * Math.LN2, 1e-9);
  });

  it('matches the inverse CDF, is odd under u0 -> 1 - 2^-24 - u0, and is non-decreasing (fast-check)', () => {
    fc.assert(
      fc.property(u24, u24, fc.double({ min: 1e-6, max: 10, noNaN: true }), (u, v, b) => {
        const x = laplaceFromUniform(u, b);
        // float64 evaluation of two different log expressions: relative 1e-12 plus 1e-12 b absolute
        expectClose(x, laplaceQuantile(u + UNIFORM_SCALE / 2, b), 1e-12 * (Math.abs(x) + b));
        expect(laplaceFromUniform(1 - UNIFORM_SCALE - u, b)).toBe(-x);
        if (u <= v) expect(laplaceFromUniform(u, b)).toBeLessThanOrEqual(laplaceFromUniform(v, b));
        expect(Number.isFinite(x)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('scale 0 gives zeros; bad arguments name the field', () => {
    expect(Array.from(sampleLaplace(Rng.fromSeed(1), 4, 0)).every((x) => x === 0)).toBe(true);
    expectUnbiasedError(() => sampleLaplace(Rng.fromSeed(1), 3, -1), 'INVALID_HYPERPARAMETER', 'scale');
    expectUnbiasedError(() => sampleLaplace(Rng.fromSeed(1), 3, Number.NaN), 'INVALID_HYPERPARAMETER', 'scale');
    expectUnbiasedError(() => sampleLaplace(Rng.fromSeed(1), 2.5, 1), 'INVALID_ARGUMENT', 'count');
  });
});

describe('Gaussian draw (gaussian-science mode)', () => {
  it('has mean 0 and variance std^2 over 10^6 draws', () => {
    // standard errors: mean 1e-3 std, variance sqrt(2)/1000 ≈ 1.4e-3 relative; bounds are ~5 standard errors
    const std = 0.5;
    const u = Rng.fromSeed(5).uniform(2_000_000);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const z = gaussianFromUniforms(u[2 * i] as number, u[2 * i + 1] as number, std);
      sum += z;
      sq += z * z;
    }
    expectClose(sum / 1e6, 0, 5e-3 * std);
    expectClose(sq / 1e6 / (std * std), 1, 0.007);
  });

  it('is Box-Muller (cosine branch) at a hand-computed point', () => {
    // u1 + 2^-25 = e^-2 would give r = 2; use u1 = 1/2 - 2^-25 exactly: r = sqrt(2 ln 2), cos(2π·0) = 1
    expectClose(gaussianFromUniforms(0.5 - UNIFORM_SCALE / 2, 0, 1), Math.sqrt(2 * Math.LN2), 1e-15);
    // u2 = 1/2: cos(π) = -1
    expectClose(gaussianFromUniforms(0.5 - UNIFORM_SCALE / 2, 0.5, 3), -3 * Math.sqrt(2 * Math.LN2), 1e-14);
  });
});
