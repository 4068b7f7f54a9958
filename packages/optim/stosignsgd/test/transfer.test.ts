import { signHyperparametersFromAdamW } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('signHyperparametersFromAdamW (lion-pytorch#2 / Lion paper: lr 3-10x smaller, wd 3-10x larger)', () => {
  it('divides lr and multiplies wd by the factor (default 10)', () => {
    const a = signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: 0.01 });
    expect(a.learningRate as number).toBeCloseTo(1e-4, 18);
    expect(a.weightDecay).toBeCloseTo(0.1, 15);
    const b = signHyperparametersFromAdamW({ learningRate: 3e-4, weightDecay: 0.1 }, { factor: 3 });
    expect(b.learningRate as number).toBeCloseTo(1e-4, 18);
    expect(b.weightDecay).toBeCloseTo(0.3, 15);
  });

  it('keeps lr * wd, the decoupled decay per step, constant (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-8, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        (lr, wd, factor) => {
          const out = signHyperparametersFromAdamW({ learningRate: lr, weightDecay: wd }, { factor });
          expect(out.learningRate as number).toBeCloseTo(lr / factor, 15);
          // Two float64 roundings: relative 2^-52.
          expect(Math.abs((out.learningRate as number) * out.weightDecay - lr * wd)).toBeLessThanOrEqual(4 * 2 ** -53 * lr * wd);
        },
      ),
    );
  });

  it('divides a schedule pointwise', () => {
    const out = signHyperparametersFromAdamW({ learningRate: (t) => 1e-3 / (t + 1), weightDecay: 0.05 }, { factor: 4 });
    expect(typeof out.learningRate).toBe('function');
    const schedule = out.learningRate as (t: number) => number;
    expect([0, 1, 9].map(schedule)).toEqual([1e-3 / 4, 1e-3 / 2 / 4, 1e-3 / 10 / 4]);
    expect(out.weightDecay).toBeCloseTo(0.2, 15);
  });

  it('rejects bad input naming the field', () => {
    const fails = (fn: () => unknown, field: string) => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(isUnbiasedError(error, 'INVALID_HYPERPARAMETER')).toBe(true);
      expect((error as { field?: string }).field).toBe(field);
    };
    fails(() => signHyperparametersFromAdamW({ learningRate: -1, weightDecay: 0.1 }), 'learningRate');
    fails(() => signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: -0.1 }), 'weightDecay');
    fails(() => signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: 0.1 }, { factor: 0 }), 'factor');
    fails(() => signHyperparametersFromAdamW({ learningRate: '1e-3' as unknown as number, weightDecay: 0.1 }), 'learningRate');
  });
});
