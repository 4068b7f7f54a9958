import { describe, expect, it } from 'vitest';
import { thresholdoutParameters } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('thresholdoutParameters ([I] recalled theorem constants)', () => {
  it('T = 3τ/4, σ = τ/(96 ln(4m/β)), and the constant-1 holdout bound, by hand', () => {
    // τ = 0.1, β = 0.05, m = 1000, B = 10:
    //   T = 0.075; σ = 0.1 / (96 · ln 80000) = 0.1 / (96 · 11.289781913656018) = 9.22670e-5
    //   ln(m/β) = ln 20000 = 9.903487552536127; ln(ln(m/β)/τ) = ln 99.03487552536127 = 4.595472
    //   min{B, √(B · 4.595472)/τ} = min{10, 67.79} = 10  ->  9.903487552536127/0.01 · 10 = 9903.49 -> 9904
    const p = thresholdoutParameters({ tolerance: 0.1, failureProbability: 0.05, queries: 1000, budget: 10 });
    expectClose(p.threshold, 0.075, 1e-15);
    expectClose(p.sigma, 0.1 / (96 * 11.289781913656018), 1e-15);
    expect(p.requiredHoldoutSize).toBe(9904);
    // a large budget takes the square-root branch: B = 10^6, √(10^6 · 4.595472)/0.1 = 21437.05 -> 990.3487... · 21437.05
    const q = thresholdoutParameters({ tolerance: 0.1, failureProbability: 0.05, queries: 1000, budget: 1_000_000 });
    expect(q.requiredHoldoutSize).toBe(Math.ceil(990.3487552536127 * (Math.sqrt(1e6 * Math.log(99.03487552536127)) / 0.1)));
  });

  it('a holdout smaller than the bound throws HOLDOUT_TOO_SMALL naming holdoutSize', () => {
    const request = { tolerance: 0.1, failureProbability: 0.05, queries: 1000, budget: 10 };
    expect(thresholdoutParameters({ ...request, holdoutSize: 9904 }).requiredHoldoutSize).toBe(9904);
    expectUnbiasedError(() => thresholdoutParameters({ ...request, holdoutSize: 9903 }), 'HOLDOUT_TOO_SMALL', 'holdoutSize');
  });

  it('bad requests name the field', () => {
    const ok = { tolerance: 0.1, failureProbability: 0.05, queries: 10, budget: 1 };
    expectUnbiasedError(() => thresholdoutParameters({ ...ok, tolerance: 0 }), 'INVALID_HYPERPARAMETER', 'tolerance');
    expectUnbiasedError(() => thresholdoutParameters({ ...ok, failureProbability: 1 }), 'INVALID_HYPERPARAMETER', 'failureProbability');
    expectUnbiasedError(() => thresholdoutParameters({ ...ok, queries: 0 }), 'INVALID_HYPERPARAMETER', 'queries');
    expectUnbiasedError(() => thresholdoutParameters({ ...ok, budget: 0.5 }), 'INVALID_HYPERPARAMETER', 'budget');
    expectUnbiasedError(() => thresholdoutParameters({ ...ok, holdoutSize: -3 }), 'INVALID_HYPERPARAMETER', 'holdoutSize');
  });
});
