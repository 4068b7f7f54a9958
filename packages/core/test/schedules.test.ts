import { constantSchedule, cosineDecaySchedule, inverseSqrtSchedule, warmupCosineDecaySchedule, warmupLinearSchedule } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';

// Expected values worked out by hand from the documented formulas.
describe('schedules', () => {
  it('constant', () => {
    expect(constantSchedule(0.3)(0)).toBe(0.3);
    expect(constantSchedule(0.3)(1000)).toBe(0.3);
  });

  it('cosine decay: init at 0, init*(alpha + (1-alpha)/2) halfway, init*alpha at the end and after', () => {
    const s = cosineDecaySchedule({ init: 2, decaySteps: 100, alpha: 0.1 });
    expect(s(0)).toBeCloseTo(2, 14);
    expect(s(50)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5), 14); // cos(pi/2) = 0
    expect(s(100)).toBeCloseTo(0.2, 14);
    expect(s(500)).toBeCloseTo(0.2, 14);
  });

  it('warmup-linear: 0 -> peak over the warm-up, then linearly to end', () => {
    const s = warmupLinearSchedule({ peak: 1, warmupSteps: 10, totalSteps: 110, end: 0.1 });
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(0.5, 14);
    expect(s(10)).toBeCloseTo(1, 14);
    expect(s(60)).toBeCloseTo(1 + (0.1 - 1) * 0.5, 14); // halfway through the decay: 0.55
    expect(s(110)).toBeCloseTo(0.1, 14);
    expect(s(1000)).toBeCloseTo(0.1, 14);
  });

  it('warmup-cosine: peak at the end of warm-up, the mean of peak and end halfway, end at the end', () => {
    const s = warmupCosineDecaySchedule({ peak: 1, warmupSteps: 4, totalSteps: 104, init: 0.2, end: 0 });
    expect(s(0)).toBeCloseTo(0.2, 14);
    expect(s(2)).toBeCloseTo(0.6, 14);
    expect(s(4)).toBeCloseTo(1, 14);
    expect(s(54)).toBeCloseTo(0.5, 14);
    expect(s(104)).toBeCloseTo(0, 14);
  });

  it('inverse sqrt', () => {
    expect(inverseSqrtSchedule({ init: 0.1 })(3)).toBeCloseTo(0.05, 14); // 0.1 / sqrt(4)
  });

  it('rejects invalid settings naming the field', () => {
    let error: unknown;
    try {
      warmupLinearSchedule({ peak: 1, warmupSteps: 10, totalSteps: 5 });
    } catch (e) {
      error = e;
    }
    expect(isUnbiasedError(error, 'INVALID_HYPERPARAMETER')).toBe(true);
    expect((error as { field: string }).field).toBe('totalSteps');
    expect(() => cosineDecaySchedule({ init: 1, decaySteps: 0 })).toThrowError(/decaySteps/);
  });
});
