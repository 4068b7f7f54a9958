import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { krippendorffAlpha, krippendorffCoincidences } from '../src/agreement/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// The default call finds the value domain in the same pass as the counts; with `valueDomain` given, the
// domain is not discovered at all. Both must give the same coincidence matrix, bit for bit.

type Cell = number | string | null | undefined;

/** Sorted distinct present values, written here: numbers ascending, strings in code-unit order. */
function sortedDomain(rows: readonly ArrayLike<Cell>[]): (number | string)[] {
  const values = new Set<number | string>();
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
      values.add(v);
    }
  }
  const list = [...values];
  return typeof list[0] === 'number' ? (list as number[]).sort((a, b) => a - b) : (list as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('krippendorffCoincidences: one-pass domain discovery', () => {
  it('Krippendorff (2011, section C) example: interval alpha 0.849 and the coincidence entries of the paper', () => {
    const rows: Cell[][] = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    const c = krippendorffCoincidences(rows);
    expect(c.domain).toEqual([1, 2, 3, 4, 5]);
    // By hand: o_11 = unit 1 (three 1s: 3*2/2) + unit 8 (three 1s of 4: 3*2/3) + unit 11 (two 1s: 2*1/1) = 3 + 2 + 2;
    // o_12 = unit 6 (1*1/3) + unit 8 (3*1/3) = 4/3; o_22 = unit 2 (3*2/3) + units 5 and 9 (4*3/3 each) = 10; n = 40.
    expectClose(c.matrix[0] as number, 7);
    expectClose(c.matrix[1] as number, 4 / 3);
    expectClose(c.matrix[6] as number, 10);
    expectClose(c.total, 40);
    expect(krippendorffAlpha(rows, { level: 'interval' }).toFixed(3)).toBe('0.849');
  });

  const numberCell = fc.oneof(
    fc.integer({ min: 0, max: 6 }),
    fc.constantFrom(-2, 0.5, 1500, 2.25, -0),
    fc.constant(Number.NaN),
    fc.constant(null),
  );
  const stringCell = fc.oneof(fc.constantFrom('a', 'b', 'B', 'zz', ''), fc.constant(null), fc.constant(undefined));
  const grid = <T>(cell: fc.Arbitrary<T>) =>
    fc.integer({ min: 1, max: 12 }).chain((units) => fc.array(fc.array(cell, { minLength: units, maxLength: units }), { minLength: 1, maxLength: 6 }));

  it('numbers (plain and typed rows): the same matrix as with valueDomain given (fast-check)', () => {
    fc.assert(
      fc.property(grid(numberCell), fc.boolean(), (cells, typed) => {
        const rows = typed ? cells.map((row) => Float64Array.from(row, (v) => (v === null ? Number.NaN : v))) : cells;
        const domain = sortedDomain(rows);
        if (domain.length === 0) return;
        const once = krippendorffCoincidences(rows);
        const given = krippendorffCoincidences(rows, { valueDomain: domain });
        expect(once.domain).toEqual(given.domain);
        expect(Array.from(once.matrix)).toEqual(Array.from(given.matrix));
        expect(Array.from(once.marginals)).toEqual(Array.from(given.marginals));
        expect([once.total, once.pairableUnits, once.units]).toEqual([given.total, given.pairableUnits, given.units]);
      }),
      { seed: 2011, numRuns: 300 },
    );
  });

  it('string labels: the same matrix as with valueDomain given (fast-check)', () => {
    fc.assert(
      fc.property(grid(stringCell), (rows) => {
        const domain = sortedDomain(rows);
        if (domain.length === 0) return;
        expect(Array.from(krippendorffCoincidences(rows).matrix)).toEqual(Array.from(krippendorffCoincidences(rows, { valueDomain: domain }).matrix));
      }),
      { seed: 2012, numRuns: 200 },
    );
  });

  it('more than 8 levels (the matrix grows while the pass runs)', () => {
    const rows = [
      [10, 3, 7, 1, 9, 2, 8, 4, 6, 5, 0, 11],
      [10, 3, 6, 1, 9, 2, 8, 5, 6, 5, 0, 12],
    ];
    const once = krippendorffCoincidences(rows);
    expect(once.domain).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(once.matrix)).toEqual(Array.from(krippendorffCoincidences(rows, { valueDomain: once.domain }).matrix));
  });

  it('bad cells and mixed types are BAD_INPUT naming the cell', () => {
    expectUnbiasedError(() => krippendorffCoincidences([[1, 2], [1, Number.POSITIVE_INFINITY]]), 'BAD_INPUT', 'reliabilityData', 'reliabilityData[1][1]');
    expectUnbiasedError(() => krippendorffCoincidences([[1, 2], [1, true as unknown as number]]), 'BAD_INPUT', 'reliabilityData', 'reliabilityData[1][1]');
    expectUnbiasedError(() => krippendorffCoincidences([[1, 'a'], [1, 2]]), 'BAD_INPUT', 'reliabilityData', 'mixes numbers and strings');
  });
});
