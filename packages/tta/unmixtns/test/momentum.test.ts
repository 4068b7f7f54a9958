import { describe, expect, it } from 'vitest';
import { unmixMomentum } from '../src/norm/momentum.js';
import { expectUnbiasedError } from './helpers.js';

describe('unmixMomentum: m = 1 − (1 − m_bn)^(B / B_max)', () => {
  it('gives the released values for B = 64, 16, 1 at B_max = 64, m_bn = 0.1', () => {
    // Independent values: 0.9^(1/4) = 0.974004..., 0.9^(1/64) = 0.998355...
    expect(unmixMomentum({ batchSize: 64 })).toBeCloseTo(0.1, 12);
    expect(unmixMomentum({ batchSize: 16 })).toBeCloseTo(0.025996, 6);
    expect(unmixMomentum({ batchSize: 1 })).toBeCloseTo(0.0016449, 7);
  });

  it('B_max / B updates forget as much as one at B_max', () => {
    const m = unmixMomentum({ batchSize: 8, maxBatchSize: 32, bnMomentum: 0.2 });
    expect((1 - m) ** 4).toBeCloseTo(0.8, 12);
  });

  it('rejects a batch size ≤ 0 and a momentum outside [0, 1]', () => {
    expectUnbiasedError(() => unmixMomentum({ batchSize: 0 }), 'INVALID_HYPERPARAMETER', 'batchSize');
    expectUnbiasedError(() => unmixMomentum({ batchSize: 4, bnMomentum: 1.5 }), 'INVALID_HYPERPARAMETER', 'bnMomentum');
  });
});
