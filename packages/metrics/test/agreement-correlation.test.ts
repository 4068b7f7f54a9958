import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageRanks, kendallTauB, pearsonCorrelation, spearmanRho } from '../src/agreement/index.js';
import { referencePearson } from '../../../tooling/vitest/reference.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Independent O(n^2) float64 references, written from the definitions.
/** Midranks by counting, O(n^2): 1 + #{smaller} + (#{equal} - 1) / 2. */
function countingRanks(x: number[]): number[] {
  return x.map((v) => 1 + x.filter((w) => w < v).length + (x.filter((w) => w === v).length - 1) / 2);
}

/** Kendall's tau-b by enumerating all pairs, O(n^2). */
function referenceTauB(x: number[], y: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiedXOnly = 0;
  let tiedYOnly = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign((x[i] as number) - (x[j] as number));
      const dy = Math.sign((y[i] as number) - (y[j] as number));
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiedXOnly++;
      else if (dy === 0) tiedYOnly++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / Math.sqrt((concordant + discordant + tiedXOnly) * (concordant + discordant + tiedYOnly));
}

const pairs = fc
  .integer({ min: 2, max: 60 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -100_000, max: 100_000 }).map((v) => v / 1000)), { minLength: n, maxLength: n }),
    ),
  )
  .filter(([x, y]) => new Set(x).size >= 2 && new Set(y).size >= 2);

describe('averageRanks', () => {
  it('midranks by hand', () => {
    // sorted: 1 (rank 1), 2, 2 (ranks 2,3 -> 2.5), 5 (4), 7, 7, 7 (5,6,7 -> 6)
    expect(Array.from(averageRanks([7, 2, 5, 1, 7, 2, 7]))).toEqual([6, 2.5, 4, 1, 6, 2.5, 6]);
  });
  it('equals counting ranks', () => {
    fc.assert(
      fc.property(pairs, ([x]) => {
        expect(Array.from(averageRanks(x))).toEqual(countingRanks(x));
      }),
    );
  });
});

describe('spearmanRho', () => {
  it('by hand with ties: x = [1,2,2,3], y = [1,3,2,4]', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; centred (mean 2.5): dx = [-1.5,0,0,1.5], dy = [-1.5,.5,-.5,1.5]
    // sxy = 2.25 + 2.25 = 4.5; sxx = 4.5; syy = 2.25+.25+.25+2.25 = 5; rho = 4.5 / sqrt(22.5) = 0.9486832980505138
    expectClose(spearmanRho([1, 2, 2, 3], [1, 3, 2, 4]), 4.5 / Math.sqrt(22.5), 1e-15);
  });
  it('equals Pearson of counting ranks', () => {
    fc.assert(
      fc.property(pairs, ([x, y]) => {
        expectClose(spearmanRho(x, y), referencePearson(countingRanks(x), countingRanks(y)), 1e-12);
      }),
    );
  });
  it('is 1 for a strictly increasing transform and -1 for a decreasing one', () => {
    fc.assert(
      fc.property(pairs, ([x]) => {
        expectClose(spearmanRho(x, x.map((v) => v ** 3 + Math.exp(v))), 1, 1e-12);
        expectClose(spearmanRho(x, x.map((v) => -2 * v + 1)), -1, 1e-12);
      }),
    );
  });
});

describe('kendallTauB', () => {
  it('by hand: x = [1,2,2,3], y = [1,3,2,4]', () => {
    // pairs: (0,1) C, (0,2) C, (0,3) C, (1,2) tied x only, (1,3) C, (2,3) C -> nc = 5, nd = 0, n1 = 1, n2 = 0
    // tau_b = 5 / sqrt((6 - 1) * 6) = 5 / sqrt(30)
    expectClose(kendallTauB([1, 2, 2, 3], [1, 3, 2, 4]), 5 / Math.sqrt(30), 1e-15);
  });
  it('equals the O(n^2) pair count, lies in [-1, 1], and is symmetric in x and y', () => {
    fc.assert(
      fc.property(pairs, ([x, y]) => {
        const tau = kendallTauB(x, y);
        expectClose(tau, referenceTauB(x, y), 1e-12);
        expect(tau).toBeGreaterThanOrEqual(-1);
        expect(tau).toBeLessThanOrEqual(1);
        expectClose(kendallTauB(y, x), tau, 1e-12);
      }),
    );
  });
  it('is 1 for a monotone transform', () => {
    fc.assert(
      fc.property(pairs, ([x]) => {
        expect(kendallTauB(x, x.map((v) => 3 * v - 7))).toBe(1);
      }),
    );
  });
  it('handles 20,000 pairs (O(n log n)) and agrees with the reference on a sample', () => {
    const n = 20_000;
    const x = Array.from({ length: n }, (_, i) => (i * 7919) % 101);
    const y = Array.from({ length: n }, (_, i) => ((i * 104729) % 89) + ((i * 7919) % 101) / 10);
    const tau = kendallTauB(x, y);
    expect(tau).toBeGreaterThan(-1);
    expectClose(kendallTauB(x.slice(0, 500), y.slice(0, 500)), referenceTauB(x.slice(0, 500), y.slice(0, 500)), 1e-12);
  });
});

describe('pearsonCorrelation', () => {
  it('tiny and huge values: no underflow or overflow in the squared deviations', () => {
    // textbook sums would square 5e-324 to 0 (then 0/0) and 1e200 to Infinity
    expect(pearsonCorrelation([0, 1, 2], [0, 5e-324, 1e-323])).toBe(1);
    expectClose(pearsonCorrelation([1e200, -1e200, 3e200], [1, 2, 0]), referencePearson([1, -1, 3], [1, 2, 0]), 1e-15);
  });
  it('by hand and against the reference', () => {
    // x = [1,2,3], y = [2,4,7]: dx = [-1,0,1], dy = [-7/3,-1/3,8/3]; sxy = 5, sxx = 2, syy = 114/9; r = 5/sqrt(228/9)
    expectClose(pearsonCorrelation([1, 2, 3], [2, 4, 7]), 5 / Math.sqrt(228 / 9), 1e-15);
    fc.assert(
      fc.property(pairs, ([x, y]) => {
        expectClose(pearsonCorrelation(x, y), referencePearson(x, y), 1e-12);
      }),
    );
  });
});

describe('correlations: bad input names the argument', () => {
  for (const [name, fn] of [
    ['spearmanRho', spearmanRho],
    ['kendallTauB', kendallTauB],
    ['pearsonCorrelation', pearsonCorrelation],
  ] as const) {
    it(name, () => {
      expectUnbiasedError(() => fn([1, 2, 3], [1, 2]), 'BAD_INPUT', 'y');
      expectUnbiasedError(() => fn([1], [1]), 'BAD_INPUT', 'x');
      expectUnbiasedError(() => fn([1, Number.NaN], [1, 2]), 'BAD_INPUT', 'x');
      expectUnbiasedError(() => fn([1, 2], [1, Infinity]), 'BAD_INPUT', 'y');
      expectUnbiasedError(() => fn([3, 3, 3], [1, 2, 3]), 'BAD_INPUT', 'x');
      // equal values whose float64 mean is an ulp off (0.1 * 3 / 3 != 0.1) are still constant
      expectUnbiasedError(() => fn([0.1, 0.1, 0.1], [1, 2, 3]), 'BAD_INPUT', 'x');
      expectUnbiasedError(() => fn([1, 2, 3], [0, 0, 0]), 'BAD_INPUT', 'y');
      expectUnbiasedError(() => fn(null as never, [1, 2]), 'BAD_INPUT', 'x');
    });
  }
  it('averageRanks', () => {
    expectUnbiasedError(() => averageRanks([1, Number.NaN]), 'BAD_INPUT', 'values');
  });
});
