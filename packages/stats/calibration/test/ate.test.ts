import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { debiasedAte, debiasedIptwAte, fitLinearCalibration, fitTweedie, gaussianKde, iptwAte, iptwWeights, kdeScore, ppiAte } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('IPTW', () => {
  it('weights and both estimators by hand', () => {
    // T = [1,0,1,0], p = [.5,.5,.25,.75]: w = [2, 2, 4, 4]
    expect(Array.from(iptwWeights([1, 0, 1, 0], [0.5, 0.5, 0.25, 0.75]))).toEqual([2, 2, 4, 4]);
    // clipping: p = 0 for a treated unit -> 1/1e-6; p = 1 for a control -> 1/(1 − (1 − 1e-6)), which is 1e6 up to
    // the float64 rounding of 1 − 1e-6 (relative 1e-10 = 1e-4 absolute)
    const clipped = iptwWeights([1, 0], [0, 1]);
    expectClose(clipped[0] as number, 1e6, 1e-6);
    expectClose(clipped[1] as number, 1e6, 1e-4);
    const input = { outcomes: [2, 1, 4, 3], treatment: [1, 0, 1, 0], propensity: [0.5, 0.5, 0.25, 0.75] };
    // HT: (2/.5 − 1/.5 + 4/.25 − 3/.25)/4 = (4 − 2 + 16 − 12)/4 = 1.5
    expectClose(iptwAte(input), 1.5, 1e-15);
    // Hájek: (2·2 + 4·4)/6 − (2·1 + 4·3)/6 = 20/6 − 14/6 = 1
    expectClose(iptwAte({ ...input, estimator: 'hajek' }), 1, 1e-15);
  });

  it('HT IPTW is unbiased for the ATE under a known propensity (Monte Carlo)', () => {
    // Y = 2T + C + N(0,1), T ~ Bern(σ(C)), n = 2000, 300 reps: sd(ATE_HT) ≈ 0.09, s.e. of the average ≈ 0.005; bound 0.025.
    let sum = 0;
    for (let r = 0; r < 300; r++) {
      const rng = Rng.fromSeed(r).fold('iptw');
      const c = rng.fold('c').normal(2000);
      const u = rng.fold('u').uniform(2000);
      const e = rng.fold('e').normal(2000);
      const p = c.map((v) => 1 / (1 + Math.exp(-v)));
      const t = p.map((pi, i) => ((u[i] as number) < pi ? 1 : 0));
      const y = c.map((v, i) => 2 * (t[i] as number) + v + (e[i] as number));
      sum += iptwAte({ outcomes: y, treatment: t, propensity: p });
    }
    expectClose(sum / 300, 2, 0.025);
  });

  it('bad input: code and field', () => {
    expectUnbiasedError(() => iptwWeights([1, 2], [0.5, 0.5]), 'BAD_INPUT', 'treatment');
    expectUnbiasedError(() => iptwWeights([1, 0], [0.5, 1.5]), 'BAD_INPUT', 'propensity');
    expectUnbiasedError(() => iptwWeights([1, 0], [0.5]), 'SHAPE_MISMATCH', 'propensity');
    expectUnbiasedError(() => iptwWeights([1, 0], [0.5, 0.5], { clip: 0.6 }), 'INVALID_HYPERPARAMETER', 'clip');
    expectUnbiasedError(() => iptwAte({ outcomes: [1, 2], treatment: [1, 1], propensity: [0.5, 0.5] }), 'BAD_INPUT', 'treatment');
    expectUnbiasedError(() => iptwAte({ outcomes: [1, 2, 3], treatment: [1, 0], propensity: [0.5, 0.5] }), 'SHAPE_MISMATCH', 'treatment');
    expectUnbiasedError(
      () => iptwAte({ outcomes: [1, 2], treatment: [1, 0], propensity: [0.5, 0.5], estimator: 'aipw' as 'hajek' }),
      'INVALID_ARGUMENT',
      'estimator',
    );
    expectUnbiasedError(() => iptwAte({ outcomes: [1, Number.NaN], treatment: [1, 0], propensity: [0.5, 0.5] }), 'NON_FINITE', 'outcomes');
  });
});

describe('debiased ATEs', () => {
  const lcc = fitLinearCalibration([1, 1.5, 2.5, 3], [0, 1, 2, 3], { minCalibrationSize: 0 }); // a = 0.95, b = 0.7

  it('debiasedAte: (weighted) difference of corrected arm means, by hand', () => {
    // treated ŷ [2.35, 1.65] -> ỹ [2, 1], control ŷ [0.95] -> [0]; ATE 1.5 − 0 = 1.5; naive 2 − 0.95 = 1.05
    const r = debiasedAte({ treatedPredictions: [2.35, 1.65], controlPredictions: [0.95], debiaser: lcc });
    expectClose(r.ate, 1.5, 1e-14);
    expectClose(r.naiveAte, 1.05, 1e-14);
    expect(r.diagnostics?.method).toBe('lcc');
    // weights 3 and 1 on the treated: (3·2 + 1)/4 = 1.75
    expectClose(debiasedAte({ treatedPredictions: [2.35, 1.65], controlPredictions: [0.95], treatedWeights: [3, 1], debiaser: lcc }).ate, 1.75, 1e-14);
    expect(debiasedAte({ treatedPredictions: [3], controlPredictions: [1] }).ate).toBe(2);
  });

  it('LCC commutes with the Hájek IPTW ATE: ATE(ỹ) = ATE(ŷ)/b (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const rng = Rng.fromSeed(seed);
        const predictions = rng.fold('p').normal(40, 1, 2);
        const t = rng.fold('t').uniform(40).map((u, i) => (i < 2 ? i : u < 0.5 ? 1 : 0));
        const p = rng.fold('e').uniform(40, 0.1, 0.9);
        const r = debiasedIptwAte({ predictions, treatment: t, propensity: p, debiaser: lcc, estimator: 'hajek' });
        // Hájek arm means are affine-equivariant, so the intercept cancels: ATE(ỹ) = ATE(ŷ)/b
        expectClose(r.ate, r.naiveAte / lcc.slope, 1e-12 * (1 + Math.abs(r.ate)));
      }),
      { numRuns: 100 },
    );
  });

  it("Tweedie with the target KDE: τ̂ = τ̂_naive − σ̂² · IPTW(s(ŷ)) (the notebook's effect-level form)", () => {
    const rng = Rng.fromSeed(5);
    const calY = rng.fold('cy').normal(300);
    const calP = calY.map((v, i) => 0.6 * v + 0.4 * (rng.fold('ce').normal(300)[i] as number));
    const predictions = rng.fold('p').normal(200, 0, 0.8);
    const t = Float64Array.from({ length: 200 }, (_, i) => i % 2);
    const p = new Float64Array(200).fill(0.4);
    const tweedie = fitTweedie(calP, calY, { kdeSource: 'target' });
    const r = debiasedIptwAte({ predictions, treatment: t, propensity: p, debiaser: tweedie });
    const kde = gaussianKde(predictions);
    let sd = 0;
    const m = predictions.reduce((a, b) => a + b, 0) / 200;
    for (const v of predictions) sd += (v - m) ** 2;
    const scores = kdeScore(kde, predictions, { delta: 1e-3 * Math.sqrt(sd / 200) });
    const expected = r.naiveAte - tweedie.sigma ** 2 * iptwAte({ outcomes: scores, treatment: t, propensity: p });
    expectClose(r.ate, expected, 1e-12);
  });

  it('ppiAte: λ = 0 per arm is the Hájek IPTW ATE of the labeled truth; intervals combine the arms', () => {
    const labeled = { truth: [1, 3, 2, 6], predictions: [0, 0, 0, 0], treatment: [0, 0, 1, 1], propensity: [0.5, 0.25, 0.5, 0.25] };
    const unlabeled = { predictions: [1, 2], treatment: [0, 1], propensity: [0.5, 0.5] };
    const r = ppiAte({ labeled, unlabeled, lambda: 0 });
    // control: w = 1/(1−p) = [2, 4/3] -> (2·1 + 4/3·3)/(10/3) = 6/(10/3) = 1.8; treated: w = [2, 4] -> (4 + 24)/6 = 14/3
    expectClose(r.ate, 14 / 3 - 1.8, 1e-14);
    expectClose(r.standardError, Math.sqrt(r.treated.standardError ** 2 + r.control.standardError ** 2), 1e-15);
    expect(r.ci[0]).toBeLessThan(r.ate);
    // λ = 1 with predictions equal to the truth on the labeled units: the estimate is the unlabeled predictions' means
    const exact = ppiAte({ labeled: { ...labeled, predictions: labeled.truth }, unlabeled, lambda: 1 });
    expectClose(exact.ate, 2 - 1, 1e-14);
  });

  it('bad input: code and field', () => {
    expectUnbiasedError(() => debiasedAte({ treatedPredictions: [], controlPredictions: [1] }), 'BAD_INPUT', 'treatedPredictions');
    expectUnbiasedError(() => debiasedAte({ treatedPredictions: [1], controlPredictions: [1], controlWeights: [1, 2] }), 'SHAPE_MISMATCH', 'controlWeights');
    expectUnbiasedError(
      () => debiasedAte({ treatedPredictions: [1], controlPredictions: [1], debiaser: {} as never }),
      'INVALID_ARGUMENT',
      'debiaser',
    );
    const labeled = { truth: [1, 3, 2], predictions: [0, 0, 0], treatment: [0, 0, 1] };
    const unlabeled = { predictions: [1, 2], treatment: [0, 1] };
    expectUnbiasedError(() => ppiAte({ labeled, unlabeled }), 'BAD_INPUT', 'labeled.treatment');
    expectUnbiasedError(
      () => ppiAte({ labeled: { ...labeled, treatment: [0, 1, 1, 1] }, unlabeled }),
      'SHAPE_MISMATCH',
      'labeled.treatment',
    );
    expectUnbiasedError(() => ppiAte({ labeled: { ...labeled, truth: [1, 3, 2, 4], predictions: [0, 0, 0, 0], treatment: [0, 0, 1, 1] }, unlabeled: { predictions: [1], treatment: [1] } }), 'BAD_INPUT', 'unlabeled.treatment');
  });
});
