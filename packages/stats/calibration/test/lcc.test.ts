import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLinearCalibration, fitLinearCalibration } from '../src/index.js';
import { expectClose, expectUnbiasedError, meanOf } from './helpers.js';

/** unshrink conftest's linear generator: y ~ N(0.2, 1.1²), ŷ = 0.15 + 0.62 y + N(0, 0.12²). */
function linearSample(rng: Rng, n: number): { predictions: Float64Array; truth: Float64Array } {
  const truth = rng.fold('y').normal(n, 0.2, 1.1);
  const noise = rng.fold('e').normal(n, 0, 0.12);
  const predictions = truth.map((y, i) => 0.15 + 0.62 * y + (noise[i] as number));
  return { predictions, truth };
}

describe('fitLinearCalibration', () => {
  it('OLS of prediction on truth, by hand', () => {
    // truth [0,1,2,3], predictions [1,1.5,2.5,3]: ȳ = 1.5, mean ŷ = 2, Sxy = 3.5, Sxx = 5 -> b = 0.7, a = 2 − 0.7·1.5 = 0.95
    const lcc = fitLinearCalibration([1, 1.5, 2.5, 3], [0, 1, 2, 3], { minCalibrationSize: 0 });
    expectClose(lcc.slope, 0.7, 1e-15);
    expectClose(lcc.intercept, 0.95, 1e-15);
    const { values } = lcc.correct([0.95, 1.65, 2.35]);
    // (0.95 − 0.95)/0.7 = 0, (1.65 − 0.95)/0.7 = 1, (2.35 − 0.95)/0.7 = 2
    // a and b come out of float64 sums, so allow a few ulps
    [0, 1, 2].forEach((expected, i) => {
      expectClose(values[i] as number, expected, 1e-14);
    });
    // residuals ŷ − (0.95 + 0.7 y) = [0.05, −0.15, 0.15, −0.05]: sd = sqrt(0.05/4)
    expectClose(lcc.diagnostics.residualStd, Math.sqrt(0.05 / 4), 1e-15);
  });

  it('spec test 1: recovers b = 0.62 within ±0.02 from 1500 points and reduces the mean error', () => {
    // se(b) = 0.12 / (1.1 · √1500) ≈ 0.0028, so ±0.02 is ~7 standard errors
    const cal = linearSample(Rng.fromSeed(42).fold('cal'), 1500);
    const test = linearSample(Rng.fromSeed(42).fold('test'), 1000);
    const lcc = fitLinearCalibration(cal.predictions, cal.truth);
    expectClose(lcc.slope, 0.62, 0.02);
    const truthMean = meanOf(test.truth);
    const corrected = lcc.correct(test.predictions).mean;
    expect(Math.abs(corrected - truthMean)).toBeLessThan(Math.abs(meanOf(test.predictions) - truthMean));
    expect(lcc.diagnostics.warnings).toEqual([]);
  });

  it('spec test 3: with ŷ = y it is the identity', () => {
    const y = Rng.fromSeed(1).normal(500, 3, 2);
    const lcc = fitLinearCalibration(y, y);
    expectClose(lcc.slope, 1, 1e-12);
    expectClose(lcc.intercept, 0, 1e-12);
    const { values } = lcc.correct(y);
    for (let i = 0; i < y.length; i++) expectClose(values[i] as number, y[i] as number, 1e-12);
  });

  it('exact inversion of a noiseless linear map, and mean == mean(values) (spec test 4) (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (a, b, seed) => {
          const y = Rng.fromSeed(seed).normal(50, 1, 2);
          const predictions = y.map((v) => a + b * v);
          const lcc = fitLinearCalibration(predictions, y, { minCalibrationSize: 0 });
          const correction = lcc.correct(predictions);
          // float64 OLS on 50 points: relative 1e-9 is ~10^6 ulps of headroom for the rounding in the sums
          for (let i = 0; i < y.length; i++) expectClose(correction.values[i] as number, y[i] as number, 1e-9 * (1 + Math.abs(y[i] as number)));
          expectClose(correction.mean, meanOf(correction.values), 1e-12 * (1 + Math.abs(correction.mean)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('applyLinearCalibration is (ŷ − a)/b', () => {
    expect(Array.from(applyLinearCalibration([3, 5], 1, 2))).toEqual([1, 2]);
  });

  it('warns: unstable slope, small calibration set, predictions outside the support', () => {
    const y = Rng.fromSeed(2).normal(50);
    const lcc = fitLinearCalibration(
      y.map((v) => 0.1 * v),
      y,
    );
    expect(lcc.diagnostics.warnings).toEqual(['unstable_slope', 'small_calibration_sample']);
    expect(lcc.diagnostics.messages).toHaveLength(2);
    const { diagnostics } = lcc.correct([0, 100, -100]);
    expect(diagnostics.warnings).toContain('outside_calibration_support');
    expect(diagnostics.details.outsideSupportCount).toBe(2);
    // the fitted object's diagnostics are not mutated by a correction
    expect(lcc.diagnostics.warnings).not.toContain('outside_calibration_support');
  });

  it('bad input: code and field', () => {
    expectUnbiasedError(() => fitLinearCalibration([1, 2, 3], [5, 5, 5]), 'DEGENERATE_CALIBRATION', 'calTruth');
    expectUnbiasedError(() => fitLinearCalibration([3, 2, 1], [1, 2, 3]), 'BAD_CALIBRATION_SLOPE', 'slope');
    expectUnbiasedError(() => fitLinearCalibration([2, 2, 2], [1, 2, 3]), 'BAD_CALIBRATION_SLOPE', 'slope');
    expectUnbiasedError(() => fitLinearCalibration([1, 2, 3], [1, 2]), 'SHAPE_MISMATCH', 'calTruth');
    expectUnbiasedError(() => fitLinearCalibration([1, Number.NaN, 3], [1, 2, 3]), 'NON_FINITE', 'calPredictions');
    expectUnbiasedError(() => fitLinearCalibration([1], [1]), 'BAD_INPUT', 'calPredictions');
    expectUnbiasedError(() => fitLinearCalibration([1, 2], [1, 2], { unstableSlopeBelow: -1 }), 'INVALID_HYPERPARAMETER', 'unstableSlopeBelow');
    const lcc = fitLinearCalibration([1, 2, 3], [1, 2, 3]);
    expectUnbiasedError(() => lcc.correct([1, Number.POSITIVE_INFINITY]), 'NON_FINITE', 'predictions');
    expectUnbiasedError(() => lcc.correct([]), 'BAD_INPUT', 'predictions');
  });
});
