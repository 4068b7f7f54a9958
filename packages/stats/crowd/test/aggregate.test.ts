import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateJudgments, createJudgmentTable, likertScale, majorityOf, meanOf, medianOf } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('mean / median / majority by hand', () => {
  it('mean and median, even-count rules', () => {
    expect(meanOf([1, 2, 2, -1])).toBe(1);
    expect(medianOf([2, -1, 1])).toBe(1);
    expect(medianOf([2, -1, 1, 0])).toBe(0.5);
    expect(medianOf([2, -1, 1, 0], 'lower')).toBe(0);
    expect(medianOf([2, -1, 1, 0], 'upper')).toBe(1);
  });

  it('majority: mode; ties toward the median, then the lower value', () => {
    expect(majorityOf([1, 1, 2])).toBe(1);
    // modes -2 and 1 (twice each); median of [-2,-2,1,1,2] is 1 -> 1
    expect(majorityOf([-2, -2, 1, 1, 2])).toBe(1);
    // modes 0 and 1; median 0.5; both 0.5 away -> the lower, 0
    expect(majorityOf([0, 1])).toBe(0);
    // modes -1 and 2; median 0.5 -> -1 is 1.5 away, 2 is 1.5 away -> lower -1
    expect(majorityOf([-1, 2])).toBe(-1);
    // all distinct, odd count: the median itself is a mode
    expect(majorityOf([-2, 0, 2])).toBe(0);
    // with evenMedian 'upper' the tie goes the other way: median of [0, 1] is 1
    expect(majorityOf([0, 1], 'upper')).toBe(1);
  });

  it('properties: majority is a most frequent value; median within [min, max]; both order-invariant', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 15 }), (values) => {
        const count = (v: number) => values.filter((x) => x === v).length;
        const top = Math.max(...values.map(count));
        const majority = majorityOf(values);
        expect(count(majority)).toBe(top);
        const median = medianOf(values);
        expect(median).toBeGreaterThanOrEqual(Math.min(...values));
        expect(median).toBeLessThanOrEqual(Math.max(...values));
        const reversed = [...values].reverse();
        expect(majorityOf(reversed)).toBe(majority);
        expect(medianOf(reversed)).toBe(median);
        // independent mean: sum of integers is exact
        expectClose(meanOf(values), values.reduce((a, b) => a + b, 0) / values.length, 0);
      }),
    );
  });

  it('bad input', () => {
    expectUnbiasedError(() => meanOf([]), 'BAD_INPUT', 'values');
    expectUnbiasedError(() => medianOf([1, Number.NaN]), 'BAD_INPUT', 'values');
    expectUnbiasedError(() => majorityOf([1, Infinity]), 'BAD_INPUT', 'values');
  });
});

describe('aggregateJudgments', () => {
  const table = createJudgmentTable(
    [
      { unit: 'a', worker: 'x', value: 2 },
      { unit: 'a', worker: 'y', value: 1 },
      { unit: 'a', worker: 'z', value: 1 },
      { unit: 'b', worker: 'x', value: -2 },
      { unit: 'b', worker: 'y', value: 1 },
      { unit: 'c', worker: 'x', dimension: 'tone', value: 0 },
    ],
    { scale: likertScale(-2, 2) },
  );

  it('one value per unit with judgments on the dimension; counts kept', () => {
    const mean = aggregateJudgments(table, { dimension: 'overall' });
    expect(mean.units).toEqual(['a', 'b']);
    expectClose(mean.values[0] as number, 4 / 3, 1e-15);
    expect(mean.values[1]).toBe(-0.5);
    expect(Array.from(mean.counts)).toEqual([3, 2]);
    expect(Array.from(aggregateJudgments(table, { dimension: 'overall', method: 'median' }).values)).toEqual([1, -0.5]);
    expect(Array.from(aggregateJudgments(table, { dimension: 'overall', method: 'majority' }).values)).toEqual([1, -2]);
  });

  it('bad options name the option', () => {
    expectUnbiasedError(() => aggregateJudgments(table), 'INVALID_ARGUMENT', 'dimension');
    expectUnbiasedError(() => aggregateJudgments(table, { dimension: 'nope' }), 'INVALID_ARGUMENT', 'dimension');
    expectUnbiasedError(() => aggregateJudgments(table, { dimension: 'overall', method: 'mode' as never }), 'INVALID_ARGUMENT', 'method');
    expectUnbiasedError(() => aggregateJudgments(table, { dimension: 'overall', evenMedian: 'mid' as never }), 'INVALID_ARGUMENT', 'evenMedian');
  });
});
