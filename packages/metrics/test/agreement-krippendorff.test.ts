import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphaFromCoincidences,
  krippendorffAlpha,
  krippendorffAlphaBootstrap,
  krippendorffCoincidences,
} from '../src/agreement/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// ---------------------------------------------------------------------------------------------------
// Independent float64 reference, written from the textbook definition; it shares no code with src/.
// ---------------------------------------------------------------------------------------------------

type Cell = number | string | null;

/** Krippendorff's 4 coders x 12 units example (Krippendorff 2011, section C), `null` = missing. */
const KRIPPENDORFF_4X12: Cell[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

/** The fast-krippendorff 3 coders x 15 units example. */
const FAST_KRIPPENDORFF_3X15: Cell[][] = [
  [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
  [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
  [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
];

type Level = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/**
 * Krippendorff's alpha from its pairwise definition, O(N^2) in the number of pairable values N:
 * `D_o = (1/n) sum_u (1/(m_u - 1)) sum_{i != j in u} delta(v_i, v_j)`,
 * `D_e = (1/(n (n - 1))) sum_{i != j over all pairable values} delta(v_i, v_j)`, `alpha = 1 - D_o / D_e`.
 * `domain` gives the order for ordinal data (default: sorted distinct values).
 */
function pairwiseAlpha(rows: Cell[][], level: Level | ((a: Cell, b: Cell) => number), domain?: Cell[]): number {
  const units: Cell[][] = [];
  const width = rows[0]?.length ?? 0;
  for (let u = 0; u < width; u++) {
    const values = rows.map((r) => r[u] as Cell).filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
    if (values.length >= 2) units.push(values);
  }
  const all = units.flat();
  const n = all.length;
  const order = domain ?? [...new Set(all)].sort((a, b) => (a as number) - (b as number));
  const freq = new Map<Cell, number>();
  for (const v of all) freq.set(v, (freq.get(v) ?? 0) + 1);
  const delta = (a: Cell, b: Cell): number => {
    if (typeof level === 'function') return level(a, b);
    if (level === 'nominal') return a === b ? 0 : 1;
    if (level === 'interval') return ((a as number) - (b as number)) ** 2;
    if (level === 'ratio') {
      const s = (a as number) + (b as number);
      return s === 0 ? 0 : (((a as number) - (b as number)) / s) ** 2;
    }
    if (a === b) return 0;
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    let between = 0;
    for (let g = Math.min(ia, ib); g <= Math.max(ia, ib); g++) between += freq.get(order[g] as Cell) ?? 0;
    return (between - ((freq.get(a) ?? 0) + (freq.get(b) ?? 0)) / 2) ** 2;
  };
  let observed = 0;
  for (const values of units) {
    let s = 0;
    for (let i = 0; i < values.length; i++) for (let j = 0; j < values.length; j++) if (i !== j) s += delta(values[i] as Cell, values[j] as Cell);
    observed += s / (values.length - 1);
  }
  observed /= n;
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expected += delta(all[i] as Cell, all[j] as Cell);
  expected /= n * (n - 1);
  return 1 - observed / expected;
}


/** Both paths are float64 sums of at most a few thousand O(1) terms in different orders: 1e-10 is ample. */
const PARITY_TOL = 1e-10;

/** A deterministic uniform source for tests that need one (a 32-bit LCG; quality is irrelevant here). */
function lcg(seed: number): { next(): number } {
  let state = seed >>> 0;
  return {
    next() {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    },
  };
}

describe('krippendorffAlpha: worked examples of the spec', () => {
  const levels = [
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ] as const;
  for (const [level, expected] of levels) {
    it(`4 coders x 12 units, ${level} = ${expected} (3 decimals) and equal to the pairwise definition`, () => {
      const alpha = krippendorffAlpha(KRIPPENDORFF_4X12, { level });
      expect(alpha.toFixed(3)).toBe(expected.toFixed(3));
      expectClose(alpha, pairwiseAlpha(KRIPPENDORFF_4X12, level), PARITY_TOL);
    });
  }

  it('ordinal is not the 0.789 of the old fast-krippendorff bug (issue #4)', () => {
    const alpha = krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'ordinal' });
    expect(Math.abs(alpha - 0.789)).toBeGreaterThan(0.02);
    expect(alpha.toFixed(3)).toBe('0.815');
  });

  it('3 coders x 15 units: nominal 0.691358, interval 0.810845 (6 decimals)', () => {
    expect(krippendorffAlpha(FAST_KRIPPENDORFF_3X15, { level: 'nominal' }).toFixed(6)).toBe('0.691358');
    expect(krippendorffAlpha(FAST_KRIPPENDORFF_3X15, { level: 'interval' }).toFixed(6)).toBe('0.810845');
  });

  it('the same example as value counts (fast-krippendorff test_nominal_metric_value_counts)', () => {
    const valueCounts = [
      [1, 0, 0, 0], [0, 0, 0, 0], [0, 2, 0, 0], [2, 0, 0, 0], [0, 0, 2, 0],
      [0, 0, 2, 1], [0, 0, 0, 3], [1, 0, 1, 0], [0, 2, 0, 0], [2, 0, 0, 0],
      [2, 0, 0, 0], [0, 0, 2, 0], [0, 0, 2, 0], [0, 0, 0, 0], [0, 0, 1, 1],
    ];
    expect(krippendorffAlpha({ valueCounts }, { level: 'nominal' }).toFixed(6)).toBe('0.691358');
    // Levels 1..4 for the interval distance: same numbers as the reliability data.
    expectClose(
      krippendorffAlpha({ valueCounts }, { level: 'interval', valueDomain: [1, 2, 3, 4] }),
      krippendorffAlpha(FAST_KRIPPENDORFF_3X15, { level: 'interval' }),
      1e-12,
    );
  });

  it('hand example: 2 coders x 10 binary units, alpha = 1 - 19*8/(2*14*6) = 0.0952', () => {
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const coincidences = krippendorffCoincidences([a, b]);
    // o_00 = 10, o_01 = o_10 = 4, o_11 = 2; n_0 = 14, n_1 = 6, n = 20 (all exact small integers).
    expect(Array.from(coincidences.matrix)).toEqual([10, 4, 4, 2]);
    expect(Array.from(coincidences.marginals)).toEqual([14, 6]);
    expect(coincidences.total).toBe(20);
    const alpha = krippendorffAlpha([a, b], { level: 'nominal' });
    expectClose(alpha, 1 - (19 * 8) / (2 * 14 * 6), 1e-15);
    expect(alpha.toFixed(4)).toBe('0.0952');
    // Binary data: every level of measurement agrees (delta^2 is the same up to a constant factor).
    expectClose(krippendorffAlpha([a, b], { level: 'interval' }), alpha, 1e-15);
  });
});

describe('krippendorffAlpha: value domains, strings, custom distance (fast-krippendorff tests)', () => {
  it('string labels, nominal: 0.722222', () => {
    const data = [
      ['pos', 'neg', 'neu', null],
      ['pos', 'neg', 'neu', 'pos'],
      ['pos', 'neg', 'pos', 'pos'],
    ];
    expect(krippendorffAlpha(data, { level: 'nominal' }).toFixed(6)).toBe('0.722222');
    expectClose(krippendorffAlpha(data, { level: 'nominal' }), pairwiseAlpha(data, 'nominal'), PARITY_TOL);
  });

  it('string labels with an ordered domain reproduce the ordinal 0.815', () => {
    const names = ['very low', 'low', 'mid', 'high', 'very high'];
    const data = KRIPPENDORFF_4X12.map((row) => row.map((v) => (v === null ? null : (names[(v as number) - 1] as string))));
    const alpha = krippendorffAlpha(data, { level: 'ordinal', valueDomain: names });
    expectClose(alpha, krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'ordinal' }), 1e-15);
  });

  it('a domain with unused levels does not change nominal, interval or ordinal alpha', () => {
    for (const level of ['nominal', 'interval', 'ordinal'] as const) {
      expectClose(
        krippendorffAlpha(KRIPPENDORFF_4X12, { level, valueDomain: [0, 1, 2, 3, 4, 5, 6] }),
        krippendorffAlpha(KRIPPENDORFF_4X12, { level }),
        1e-12,
      );
    }
  });

  it('custom absolute distance: 0.761905', () => {
    const absolute = (a: number | string, b: number | string) => Math.abs((a as number) - (b as number));
    const data = [
      [1, 2, 3],
      [1, 2, 4],
    ];
    expect(krippendorffAlpha(data, { distance: absolute }).toFixed(6)).toBe('0.761905');
    expectClose(krippendorffAlpha(data, { distance: absolute }), pairwiseAlpha(data, (a, b) => Math.abs((a as number) - (b as number))), PARITY_TOL);
  });

  it('ratio with zeros and perfect agreement is exactly 1', () => {
    expect(krippendorffAlpha([[0, 1, 2], [0, 1, 2]], { level: 'ratio' })).toBe(1);
    expect(krippendorffAlpha([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], { level: 'nominal' })).toBe(1);
    expect(krippendorffAlpha([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], { level: 'interval' })).toBe(1);
  });

  it('typed arrays with NaN for missing', () => {
    const rows = KRIPPENDORFF_4X12.map((row) => Float64Array.from(row, (v) => (v === null ? Number.NaN : (v as number))));
    expectClose(krippendorffAlpha(rows, { level: 'interval' }), krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'interval' }), 0);
  });

  it('alphaFromCoincidences agrees with krippendorffAlpha', () => {
    const coincidences = krippendorffCoincidences(KRIPPENDORFF_4X12);
    expect(coincidences.pairableUnits).toBe(11);
    expect(coincidences.units).toBe(12);
    expect(coincidences.total).toBe(40);
    for (const level of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
      expect(alphaFromCoincidences(coincidences, { level })).toBe(krippendorffAlpha(KRIPPENDORFF_4X12, { level }));
    }
  });
});

// Random reliability data: coders x units over a small integer domain, with missing cells.
const reliability = fc
  .record({ coders: fc.integer({ min: 2, max: 5 }), units: fc.integer({ min: 2, max: 12 }), levels: fc.integer({ min: 2, max: 5 }) })
  .chain(({ coders, units, levels }) =>
    fc.array(fc.array(fc.option(fc.integer({ min: 1, max: levels }), { nil: null, freq: 4 }), { minLength: units, maxLength: units }), {
      minLength: coders,
      maxLength: coders,
    }),
  )
  .filter((rows) => {
    // alpha is defined: some unit is pairable and the pairable values are not all equal
    const units = (rows[0] ?? []).map((_, u) => rows.map((r) => r[u]).filter((v) => v !== null));
    const pairable = units.filter((values) => values.length >= 2).flat();
    return pairable.length >= 2 && new Set(pairable).size >= 2;
  });

describe('krippendorffAlpha: properties', () => {
  it('equals the pairwise O(N^2) definition for every level (random data with missing values)', () => {
    fc.assert(
      fc.property(reliability, fc.constantFrom('nominal', 'ordinal', 'interval', 'ratio' as const), (rows, level) => {
        expectClose(krippendorffAlpha(rows, { level }), pairwiseAlpha(rows, level), PARITY_TOL);
      }),
      { numRuns: 300 },
    );
  });

  it('is exactly 1 under perfect agreement', () => {
    const perfect = fc
      .array(fc.record({ value: fc.integer({ min: -3, max: 3 }), present: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }) }), {
        minLength: 2,
        maxLength: 15,
      })
      .map((units) => [0, 1, 2, 3].map((c) => units.map((u) => (c < 2 || u.present[c] ? u.value : null))))
      .filter((rows) => new Set(rows[0]).size >= 2);
    fc.assert(
      fc.property(perfect, fc.constantFrom('nominal', 'ordinal', 'interval' as const), (rows, level) => {
        expect(krippendorffAlpha(rows, { level })).toBe(1);
      }),
    );
  });

  it('nominal alpha is invariant under relabelling the values', () => {
    fc.assert(
      fc.property(reliability, fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 5, maxLength: 5 }), (rows, targets) => {
        fc.pre(new Set(targets).size === 5);
        const relabelled = rows.map((row) => row.map((v) => (v === null ? null : `label-${targets[(v as number) - 1]}`)));
        expectClose(krippendorffAlpha(relabelled, { level: 'nominal' }), krippendorffAlpha(rows, { level: 'nominal' }), 1e-12);
      }),
    );
  });

  it('does not depend on the order of coders or units', () => {
    fc.assert(
      fc.property(reliability, fc.integer(), (rows, seed) => {
        const rand = lcg(seed);
        const coders = [...rows].sort(() => rand.next() - 0.5);
        const unitOrder = (rows[0] ?? []).map((_, u) => u).sort(() => rand.next() - 0.5);
        const shuffled = coders.map((row) => unitOrder.map((u) => row[u] as number | null));
        expectClose(krippendorffAlpha(shuffled, { level: 'interval' }), krippendorffAlpha(rows, { level: 'interval' }), 1e-12);
      }),
    );
  });

  it('value counts give the same alpha as the reliability data', () => {
    fc.assert(
      fc.property(reliability, (rows) => {
        const domain = [1, 2, 3, 4, 5];
        const valueCounts = (rows[0] ?? []).map((_, u) => domain.map((d) => rows.filter((r) => r[u] === d).length));
        for (const level of ['nominal', 'ordinal', 'interval'] as const) {
          expectClose(krippendorffAlpha({ valueCounts }, { level, valueDomain: domain }), krippendorffAlpha(rows, { level }), 1e-12);
        }
      }),
    );
  });
});

describe('krippendorffAlphaBootstrap', () => {
  it('is reproducible for the same rng, brackets alpha, and accepts next() or uniform(n) sources', () => {
    const a = krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'ordinal', rng: lcg(7), replicates: 400 });
    const b = krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'ordinal', rng: lcg(7), replicates: 400 });
    expect(a).toEqual(b);
    expect(a.alpha).toBe(krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'ordinal' }));
    expect(a.lower).toBeLessThan(a.alpha);
    expect(a.upper).toBeGreaterThanOrEqual(a.alpha);
    expect(a.upper).toBeLessThanOrEqual(1);
    expect(a.replicates).toBe(400);
    expect(a.replicateAlphas.length + a.degenerateReplicates).toBe(400);
    const source = lcg(7);
    const batched = { uniform: (n: number) => Float64Array.from({ length: n }, () => source.next()) };
    expect(krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'ordinal', rng: batched, replicates: 400 })).toEqual(a);
  });

  it('a replicate drawing each unit once reproduces alpha; the percentile interval uses type-7 quantiles', () => {
    // A source that returns (i + 0.5) / P in order draws every unit exactly once: every replicate is the data.
    const units = 11;
    let i = 0;
    const identity = { next: () => ((i++ % units) + 0.5) / units };
    const result = krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'interval', rng: identity, replicates: 5 });
    for (const value of result.replicateAlphas) expectClose(value, result.alpha, 1e-12);
    expectClose(result.lower, result.alpha, 1e-12);
    expect(result.standardError).toBeLessThan(1e-12);
  });

  it('covers the population alpha about as often as it claims (coverage within 0.95 +- 0.08 over 60 data sets)', () => {
    // Units: a latent level 1..5; each of 4 coders reports it with prob 0.7, else a uniform level.
    // Population alpha is estimated once from 20,000 units; each small data set has 60 units.
    const rand = lcg(12345);
    const makeData = (units: number) => {
      const rows: (number | null)[][] = [[], [], [], []];
      for (let u = 0; u < units; u++) {
        const truth = 1 + Math.floor(rand.next() * 5);
        for (const row of rows) row.push(rand.next() < 0.7 ? truth : 1 + Math.floor(rand.next() * 5));
      }
      return rows;
    };
    const population = krippendorffAlpha(makeData(20_000), { level: 'nominal' });
    let covered = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const ci = krippendorffAlphaBootstrap(makeData(60), { level: 'nominal', rng: lcg(t), replicates: 300 });
      if (ci.lower <= population && population <= ci.upper) covered++;
    }
    // Binomial sd at p = 0.95, 60 trials is 0.028; 0.08 is about 3 sd (and bootstrap percentile intervals undercover a little).
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(0.08);
  });
});

describe('krippendorffAlpha: bad input', () => {
  it('needs level or distance, not both, and a known level', () => {
    expectUnbiasedError(() => krippendorffAlpha(KRIPPENDORFF_4X12, {} as never), 'INVALID_ARGUMENT', 'level');
    expectUnbiasedError(() => krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'ratio-ish' as never }), 'INVALID_ARGUMENT', 'level');
    expectUnbiasedError(() => krippendorffAlpha(KRIPPENDORFF_4X12, { level: 'nominal', distance: () => 0 }), 'INVALID_ARGUMENT', 'level');
    expectUnbiasedError(() => krippendorffAlpha(KRIPPENDORFF_4X12, { distance: 3 as never }), 'INVALID_ARGUMENT', 'distance');
  });

  it('a single-value domain throws', () => {
    expectUnbiasedError(() => krippendorffAlpha([[1, 1], [1, 1]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha({ valueCounts: [[2, 0], [3, 0]] }, { level: 'nominal' }), 'BAD_INPUT', 'valueCounts');
  });

  it('no unit with two coders throws', () => {
    expectUnbiasedError(() => krippendorffAlpha([[1, null], [null, 2]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
  });

  it('ragged rows, bad cells, values outside the domain', () => {
    expectUnbiasedError(() => krippendorffAlpha([[1, 2, 3], [1, 2]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], 5 as never], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[1, Infinity], [1, 2]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[1, {} as never], [1, 2]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 3]], { level: 'nominal', valueDomain: [1, 2] }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[1, '2'], [1, 2]], { level: 'nominal' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha('data' as never, { level: 'nominal' }), 'BAD_INPUT', 'data');
  });

  it('value counts must be non-negative integers and match the domain', () => {
    expectUnbiasedError(() => krippendorffAlpha({ valueCounts: [[1, -1]] }, { level: 'nominal' }), 'BAD_INPUT', 'valueCounts');
    expectUnbiasedError(() => krippendorffAlpha({ valueCounts: [[1, 0.5]] }, { level: 'nominal' }), 'BAD_INPUT', 'valueCounts');
    expectUnbiasedError(() => krippendorffAlpha({ valueCounts: [[2, 0], [0]] }, { level: 'nominal' }), 'BAD_INPUT', 'valueCounts');
    expectUnbiasedError(() => krippendorffAlpha({ valueCounts: [[2, 0, 0]] }, { level: 'nominal', valueDomain: [0, 1] }), 'INVALID_ARGUMENT', 'valueDomain');
  });

  it('valueDomain must be distinct numbers or strings; ordinal strings need it; interval needs numbers; ratio needs >= 0', () => {
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 2]], { level: 'nominal', valueDomain: [1, 1, 2] }), 'INVALID_ARGUMENT', 'valueDomain');
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 2]], { level: 'nominal', valueDomain: 'ab' as never }), 'INVALID_ARGUMENT', 'valueDomain');
    expectUnbiasedError(() => krippendorffAlpha([['low', 'high'], ['low', 'high']], { level: 'ordinal' }), 'INVALID_ARGUMENT', 'valueDomain');
    expectUnbiasedError(() => krippendorffAlpha([['low', 'high'], ['low', 'high']], { level: 'interval' }), 'BAD_INPUT', 'reliabilityData');
    expectUnbiasedError(() => krippendorffAlpha([[-1, 2], [-1, 2]], { level: 'ratio' }), 'BAD_INPUT', 'reliabilityData');
  });

  it('a custom distance must be finite, >= 0, and 0 on the diagonal', () => {
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 2]], { distance: () => -1 }), 'INVALID_ARGUMENT', 'distance');
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 2]], { distance: () => 1 }), 'INVALID_ARGUMENT', 'distance');
    expectUnbiasedError(() => krippendorffAlpha([[1, 2], [1, 2]], { distance: () => Number.NaN }), 'INVALID_ARGUMENT', 'distance');
  });

  it('bootstrap needs an rng and sane replicates / confidence', () => {
    expectUnbiasedError(() => krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'nominal' } as never), 'INVALID_ARGUMENT', 'rng');
    expectUnbiasedError(() => krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'nominal', rng: lcg(0), replicates: 0 }), 'INVALID_ARGUMENT', 'replicates');
    expectUnbiasedError(() => krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'nominal', rng: lcg(0), replicates: 2.5 }), 'INVALID_ARGUMENT', 'replicates');
    expectUnbiasedError(() => krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'nominal', rng: lcg(0), confidence: 1 }), 'INVALID_ARGUMENT', 'confidence');
    expectUnbiasedError(() => krippendorffAlphaBootstrap(KRIPPENDORFF_4X12, { level: 'nominal', rng: { next: () => 1.5 } }), 'INVALID_ARGUMENT', 'rng');
  });
});
