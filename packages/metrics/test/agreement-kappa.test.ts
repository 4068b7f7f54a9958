import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohenKappa, cohenKappaFromTable, fleissKappa } from '../src/agreement/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Wikipedia's "Fleiss' kappa" worked example: 10 subjects x 14 raters x 5 categories.
const FLEISS_TABLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

/** Fleiss' kappa straight from the 1971 definition, as a float64 reference. */
function referenceFleiss(table: number[][]): { observed: number; chance: number; kappa: number } {
  const subjects = table.length;
  const raters = (table[0] as number[]).reduce((a, b) => a + b, 0);
  const categories = (table[0] as number[]).length;
  let observed = 0;
  for (const row of table) observed += (row.reduce((a, v) => a + v * v, 0) - raters) / (raters * (raters - 1));
  observed /= subjects;
  let chance = 0;
  for (let j = 0; j < categories; j++) chance += (table.reduce((a, row) => a + (row[j] as number), 0) / (subjects * raters)) ** 2;
  return { observed, chance, kappa: (observed - chance) / (1 - chance) };
}

/** Cohen's kappa from label lists by counting proportions (p_o, p_e), as a float64 reference. */
function referenceCohen(a: number[], b: number[], weights: 'none' | 'linear' | 'quadratic'): number {
  const categories = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const n = a.length;
  const w = (i: number, j: number) => (weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2);
  let observed = 0;
  for (let t = 0; t < n; t++) observed += w(categories.indexOf(a[t] as number), categories.indexOf(b[t] as number)) / n;
  let expected = 0;
  for (let i = 0; i < categories.length; i++) {
    for (let j = 0; j < categories.length; j++) {
      const pa = a.filter((v) => v === categories[i]).length / n;
      const pb = b.filter((v) => v === categories[j]).length / n;
      expected += w(i, j) * pa * pb;
    }
  }
  return 1 - observed / expected;
}

describe('fleissKappa', () => {
  it("Wikipedia's example: P = 0.378, P_e = 0.213, kappa = 0.210", () => {
    const reference = referenceFleiss(FLEISS_TABLE);
    expect(reference.observed.toFixed(3)).toBe('0.378');
    expect(reference.chance.toFixed(3)).toBe('0.213');
    const kappa = fleissKappa(FLEISS_TABLE);
    expect(kappa.toFixed(3)).toBe('0.210');
    // Same formula, same operation order up to summation: a few ulps.
    expectClose(kappa, reference.kappa, 1e-14);
  });

  it('perfect agreement is 1; accepts typed rows', () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]])).toBe(1);
    expect(fleissKappa([Int32Array.from([3, 0]), Int32Array.from([0, 3])])).toBe(1);
  });

  it('is invariant to the order of subjects and of categories', () => {
    const table = fc
      .record({ raters: fc.integer({ min: 2, max: 9 }), categories: fc.integer({ min: 2, max: 5 }), subjects: fc.integer({ min: 1, max: 12 }) })
      .chain(({ raters, categories, subjects }) =>
        fc.array(
          fc.array(fc.integer({ min: 0, max: categories - 1 }), { minLength: raters, maxLength: raters }).map((ratings) => {
            const row = new Array<number>(categories).fill(0);
            for (const r of ratings) row[r] = (row[r] as number) + 1;
            return row;
          }),
          { minLength: subjects, maxLength: subjects },
        ),
      )
      .filter((t) => (t[0] as number[]).some((_, j) => t.some((row) => (row[j] as number) > 0) && t.some((row) => (row[j] as number) < (row.reduce((a, b) => a + b, 0)))));
    fc.assert(
      fc.property(table, (t) => {
        const kappa = fleissKappa(t);
        expectClose(kappa, referenceFleiss(t).kappa, 1e-12);
        expectClose(fleissKappa([...t].reverse()), kappa, 1e-12);
        expectClose(fleissKappa(t.map((row) => [...row].reverse())), kappa, 1e-12);
        expect(kappa).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });

  it('bad input names counts', () => {
    expectUnbiasedError(() => fleissKappa([]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa([[1, 2], [2, 2]]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa([[1, 2], [3]]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa([[1, 0]]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa([[1.5, 1.5]]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa([[3, 0], [3, 0]]), 'BAD_INPUT', 'counts');
    expectUnbiasedError(() => fleissKappa('x' as never), 'BAD_INPUT', 'counts');
  });
});

describe('cohenKappa', () => {
  it('the 2x2 table [[20,5],[10,15]]: p_o = .70, p_e = .50, kappa = 0.40 (exact on integers)', () => {
    expect(cohenKappaFromTable([[20, 5], [10, 15]])).toBe(0.4);
    const a = [...Array(25).fill(0), ...Array(25).fill(1)];
    const b = [...Array(20).fill(0), ...Array(5).fill(1), ...Array(10).fill(0), ...Array(15).fill(1)];
    expect(cohenKappa(a, b)).toBe(0.4);
    expectClose(cohenKappa(a, b), (0.7 - 0.5) / (1 - 0.5), 1e-15);
  });

  it('weighted kappa by hand: 3 categories, linear and quadratic', () => {
    // table [[4,1,0],[1,3,1],[0,1,4]], N = 15, row = col totals = [5,5,5].
    // linear: sum w o = 1+1+1+1 = 4 (|i-j| = 1 for each off-diagonal 1); sum w r c = 25 * (4 * 1 + 2 * 2) = 200
    // kappa = 1 - 15 * 4 / 200 = 0.7. quadratic: sum w o = 4; sum w r c = 25 * (4 * 1 + 2 * 4) = 300; kappa = 0.8.
    const table = [[4, 1, 0], [1, 3, 1], [0, 1, 4]];
    expectClose(cohenKappaFromTable(table, { weights: 'linear' }), 0.7, 1e-15);
    expectClose(cohenKappaFromTable(table, { weights: 'quadratic' }), 0.8, 1e-15);
    // unweighted: p_o = 11/15, p_e = 3 * (1/3)^2 = 1/3, kappa = (11/15 - 1/3) / (2/3) = 0.6
    expectClose(cohenKappaFromTable(table), 0.6, 1e-15);
  });

  it('string labels with an explicit category order', () => {
    const a = ['lo', 'mid', 'hi', 'hi', 'mid'];
    const b = ['lo', 'hi', 'hi', 'mid', 'mid'];
    const numeric = (labels: string[]) => labels.map((l) => ['lo', 'mid', 'hi'].indexOf(l));
    expectClose(cohenKappa(a, b, { weights: 'linear', categories: ['lo', 'mid', 'hi'] }), referenceCohen(numeric(a), numeric(b), 'linear'), 1e-12);
    expectClose(cohenKappa(a, b), referenceCohen(numeric(a), numeric(b), 'none'), 1e-12);
  });

  const raters = fc
    .integer({ min: 2, max: 40 })
    .chain((n) =>
      fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n })),
    )
    .filter(([a, b]) => new Set([...a, ...b]).size >= 2);

  it('is symmetric in the two raters and matches the proportion-based reference', () => {
    fc.assert(
      fc.property(raters, fc.constantFrom('none', 'linear', 'quadratic' as const), ([a, b], weights) => {
        const kappa = cohenKappa(a, b, { weights });
        expect(cohenKappa(b, a, { weights })).toBe(kappa);
        expectClose(kappa, referenceCohen(a, b, weights), 1e-12);
        expect(kappa).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('bad input names the argument', () => {
    expectUnbiasedError(() => cohenKappa([1, 2], [1]), 'BAD_INPUT', 'raterB');
    expectUnbiasedError(() => cohenKappa([], []), 'BAD_INPUT', 'raterA');
    expectUnbiasedError(() => cohenKappa([1, null as never], [1, 2]), 'BAD_INPUT', 'raterA');
    expectUnbiasedError(() => cohenKappa([1, 2], [1, Number.NaN]), 'BAD_INPUT', 'raterB');
    expectUnbiasedError(() => cohenKappa([1, 1], [1, 1]), 'BAD_INPUT', 'raterA');
    expectUnbiasedError(() => cohenKappa([1, 2], [1, 2], { categories: [1] }), 'BAD_INPUT', 'raterA');
    expectUnbiasedError(() => cohenKappa([1, 2], [1, 2], { categories: [1, 1] }), 'INVALID_ARGUMENT', 'categories');
    expectUnbiasedError(() => cohenKappa([1, 2], [1, 2], { weights: 'cubic' as never }), 'INVALID_ARGUMENT', 'weights');
    expectUnbiasedError(() => cohenKappaFromTable([[1, 2]]), 'BAD_INPUT', 'table');
    expectUnbiasedError(() => cohenKappaFromTable([[0, 0], [0, 0]]), 'BAD_INPUT', 'table');
    expectUnbiasedError(() => cohenKappaFromTable([[1, -1], [0, 1]]), 'BAD_INPUT', 'table');
    expectUnbiasedError(() => cohenKappaFromTable([[5, 0], [0, 0]]), 'BAD_INPUT', 'table');
  });
});
