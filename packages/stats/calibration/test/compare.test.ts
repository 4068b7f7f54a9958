import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { compareDebiasers, fitLinearCalibration } from '../src/index.js';
import { expectClose, expectUnbiasedError, sdOf } from './helpers.js';

/** Shrunk predictions: ŷ = 0.15 + 0.62 y + N(0, 0.12²), y ~ N(0.2, 1.1²) (unshrink conftest). */
function sample(seed: number, n: number) {
  const rng = Rng.fromSeed(seed);
  const truth = rng.fold('y').normal(n, 0.2, 1.1);
  const e = rng.fold('e').normal(n, 0, 0.12);
  return { truth, predictions: truth.map((y, i) => 0.15 + 0.62 * y + (e[i] as number)) };
}

describe('compareDebiasers', () => {
  it('K-fold pseudo-ATE comparison: corrections beat naive, the score is the documented formula, same rng same report', () => {
    const { truth, predictions } = sample(42, 1000);
    const report = compareDebiasers({ calPredictions: predictions, calTruth: truth, rng: Rng.fromSeed(1) });
    expect(report.metrics.map((m) => m.method)).toEqual(['naive', 'lcc', 'tweedie']);
    const byName = Object.fromEntries(report.metrics.map((m) => [m.method, m]));
    // naive pseudo-ATEs are shrunk (slope well below 1); LCC's are close to 1
    expect(byName.naive!.calibrationSlope).toBeLessThan(0.8);
    expectClose(byName.lcc!.calibrationSlope, 1, 0.1);
    expect(byName.lcc!.pseudoAteRmse).toBeLessThan(byName.naive!.pseudoAteRmse);
    expect(byName.naive!.score).toBeNull();
    // the score, recomputed from the reported metrics
    const scale = sdOf(truth);
    expectClose(report.targetScale, scale, 1e-15);
    for (const m of [byName.lcc!, byName.tweedie!]) {
      const expected = Math.abs(m.calibrationSlope - 1) + m.pseudoAteRmse / scale + (0.5 * m.meanAbsoluteError) / scale + 0.05 * m.warnings.length;
      expectClose(m.score as number, expected, 1e-12);
    }
    const best = [byName.lcc!, byName.tweedie!].sort((a, b) => (a.score as number) - (b.score as number))[0]!;
    expect(report.recommended).toBe(best.method);
    expect(report.rationale).toContain(best.method);
    expect(compareDebiasers({ calPredictions: predictions, calTruth: truth, rng: Rng.fromSeed(1) })).toEqual(report);
  });

  it('custom candidates and fold/draw counts', () => {
    const { truth, predictions } = sample(3, 200);
    const report = compareDebiasers({
      calPredictions: predictions,
      calTruth: truth,
      rng: Rng.fromSeed(2),
      folds: 4,
      draws: 5,
      debiasers: { lcc: (p, t) => fitLinearCalibration(p, t) },
    });
    expect(report.metrics.map((m) => m.method)).toEqual(['naive', 'lcc']);
    expect(report.recommended).toBe('lcc');
    // each LCC is fitted on the other three folds, 150 points (>= 100): no small-sample warning
    expect(report.metrics[1]!.warnings).toEqual([]);
  });

  it('bad input: code and field', () => {
    const { truth, predictions } = sample(3, 20);
    const rng = Rng.fromSeed(0);
    expectUnbiasedError(() => compareDebiasers({ calPredictions: predictions, calTruth: truth, rng, folds: 1 }), 'INVALID_HYPERPARAMETER', 'folds');
    expectUnbiasedError(() => compareDebiasers({ calPredictions: predictions, calTruth: truth, rng, draws: 0 }), 'INVALID_HYPERPARAMETER', 'draws');
    expectUnbiasedError(() => compareDebiasers({ calPredictions: predictions.subarray(0, 5), calTruth: truth.subarray(0, 5), rng }), 'BAD_INPUT', 'calPredictions');
    expectUnbiasedError(() => compareDebiasers({ calPredictions: predictions, calTruth: truth.subarray(0, 5), rng }), 'SHAPE_MISMATCH', 'calTruth');
    expectUnbiasedError(
      () => compareDebiasers({ calPredictions: predictions, calTruth: truth, rng, debiasers: { naive: (p, t) => fitLinearCalibration(p, t) } }),
      'BAD_INPUT',
      'debiasers',
    );
  });
});
