import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLinearCalibration } from '../src/index.js';

function thrown(fn: () => unknown): { code?: string; field?: string } {
  try {
    fn();
  } catch (error) {
    expect(isUnbiasedError(error), String(error)).toBe(true);
    return error as { code: string; field: string };
  }
  throw new Error('expected a throw');
}

describe('applyLinearCalibration validates its input (issue 11; README: NON_FINITE)', () => {
  it('NaN / ±Infinity predictions are NON_FINITE naming predictions', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(thrown(() => applyLinearCalibration([1, bad], 0, 1))).toMatchObject({ code: 'NON_FINITE', field: 'predictions' });
    }
  });

  it('a non-finite intercept or slope is NON_FINITE; slope 0 is BAD_CALIBRATION_SLOPE', () => {
    expect(thrown(() => applyLinearCalibration([1], Number.NaN, 1))).toMatchObject({ code: 'NON_FINITE', field: 'intercept' });
    expect(thrown(() => applyLinearCalibration([1], 0, Number.NaN))).toMatchObject({ code: 'NON_FINITE', field: 'slope' });
    expect(thrown(() => applyLinearCalibration([1], 0, Number.POSITIVE_INFINITY))).toMatchObject({ code: 'NON_FINITE', field: 'slope' });
    expect(thrown(() => applyLinearCalibration([1], 0, 0))).toMatchObject({ code: 'BAD_CALIBRATION_SLOPE', field: 'slope' });
    expect(thrown(() => applyLinearCalibration([1], 0, -0))).toMatchObject({ code: 'BAD_CALIBRATION_SLOPE', field: 'slope' });
  });

  it('an overflowing correction (tiny slope) is NON_FINITE, never Infinity', () => {
    expect(thrown(() => applyLinearCalibration([1e300], 0, 1e-300))).toMatchObject({ code: 'NON_FINITE', field: 'slope' });
  });

  it('on finite input it is (ŷ − a)/b computed in float64, and never returns a non-finite value', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 8 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (ys, a, b) => {
        const out = applyLinearCalibration(ys, a, b);
        expect(Array.from(out)).toEqual(ys.map((y) => (y - a) / b));
      }),
      { seed: 1106, numRuns: 500 },
    );
  });
});
