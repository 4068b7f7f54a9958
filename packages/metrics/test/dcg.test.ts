import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dcgAtK, ndcgAtK } from '../src/index.js';
import { expectClose, expectUnbiasedError, TOL } from './helpers.js';

// Discounts 1/log2(r + 1) for ranks r = 1..4, written out by hand:
// r=1: 1/log2(2) = 1;  r=2: 1/log2(3) = 0.6309297535714574;  r=3: 1/log2(4) = 0.5;  r=4: 1/log2(5) = 0.4306765580733931
const D2 = 1 / Math.log2(3);

describe('dcgAtK / ndcgAtK: hand-computed values', () => {
  // Ranked by score: doc0 (0.9, rel 2), doc1 (0.8, rel 3), doc3 (0.5, rel 1), doc2 (0.1, rel 0).
  const scores = [0.9, 0.8, 0.1, 0.5];
  const relevance = [2, 3, 0, 1];

  it('exp2 gain (default), full list', () => {
    // DCG = (2^2-1)/1 + (2^3-1)/log2(3) + (2^1-1)/log2(4) + 0 = 3 + 7*0.6309297535714574 + 0.5 = 7.9165082750002025
    expectClose(dcgAtK(scores, relevance), 3 + 7 * D2 + 0.5);
    expectClose(dcgAtK(scores, relevance), 7.9165082750002025);
    // IDCG: labels sorted [3,2,1,0] -> 7 + 3*0.6309297535714574 + 0.5 = 9.392789260714373
    // nDCG = 7.9165082750002025 / 9.392789260714373 = 0.8428282648809379
    expectClose(ndcgAtK(scores, relevance), (3 + 7 * D2 + 0.5) / (7 + 3 * D2 + 0.5));
    expectClose(ndcgAtK(scores, relevance), 0.8428282648809379);
  });

  it('linear gain', () => {
    // DCG = 2 + 3*0.6309297535714574 + 1*0.5 = 4.392789260714372
    expectClose(dcgAtK(scores, relevance, { gain: 'linear' }), 2 + 3 * D2 + 0.5);
    // IDCG = 3 + 2*0.6309297535714574 + 0.5 = 4.7618595071429155; nDCG = 0.9224945116765986
    expectClose(ndcgAtK(scores, relevance, { gain: 'linear' }), (2 + 3 * D2 + 0.5) / (3 + 2 * D2 + 0.5));
    expectClose(ndcgAtK(scores, relevance, { gain: 'linear' }), 0.9224945116765986);
  });

  it('k truncates, and k beyond the list equals the full list', () => {
    // DCG@2 = 3 + 7*0.6309297535714574 = 7.416508275000202; IDCG@2 = 7 + 3*0.6309... = 8.892789260714372
    expectClose(dcgAtK(scores, relevance, { k: 2 }), 3 + 7 * D2);
    expectClose(ndcgAtK(scores, relevance, { k: 2 }), (3 + 7 * D2) / (7 + 3 * D2));
    // DCG@1 = 3; IDCG@1 = 7
    expectClose(ndcgAtK(scores, relevance, { k: 1 }), 3 / 7);
    expectClose(dcgAtK(scores, relevance, { k: 10 }), 3 + 7 * D2 + 0.5);
    expectClose(ndcgAtK(scores, relevance, { k: 10 }), (3 + 7 * D2 + 0.5) / (7 + 3 * D2 + 0.5));
  });

  it('accepts typed arrays', () => {
    expectClose(dcgAtK(Float64Array.from(scores), Int32Array.from(relevance)), 3 + 7 * D2 + 0.5);
    expectClose(dcgAtK(Float32Array.from(scores), Uint8Array.from(relevance)), 3 + 7 * D2 + 0.5);
  });

  it('ideal ordering gives nDCG exactly 1', () => {
    expect(ndcgAtK([4, 3, 2, 1], [3, 2, 1, 0])).toBe(1);
  });
});

describe('dcgAtK: tie rules', () => {
  // doc0 and doc1 tie at score 1; doc2 scores 0.
  const scores = [1, 1, 0];
  const relevance = [2, 0, 1];

  it("'pessimistic' (default) puts the lower label first inside a tie", () => {
    // order doc1 (0), doc0 (2), doc2 (1): DCG = 0 + 3/log2(3) + 1/2 = 1.8927892607143721 + 0.5 = 2.392789260714372
    expectClose(dcgAtK(scores, relevance), 3 * D2 + 0.5);
    expectClose(dcgAtK(scores, relevance, { ties: 'pessimistic' }), 2.392789260714372);
  });

  it("'index' keeps input order inside a tie", () => {
    // order doc0 (2), doc1 (0), doc2 (1): DCG = 3 + 0 + 0.5 = 3.5
    expectClose(dcgAtK(scores, relevance, { ties: 'index' }), 3.5);
  });

  it("'average' is the mean over both tie orders", () => {
    // mean gain of the block = (3 + 0)/2 = 1.5 at ranks 1 and 2:
    // 1.5*(1 + 0.6309297535714574) + 0.5 = 2.946394630357186 = (2.392789260714372 + 3.5)/2
    expectClose(dcgAtK(scores, relevance, { ties: 'average' }), 1.5 * (1 + D2) + 0.5);
    expectClose(dcgAtK(scores, relevance, { ties: 'average' }), (3 * D2 + 0.5 + 3.5) / 2);
  });

  it('ties with a cutoff inside the block', () => {
    // k=1: pessimistic -> gain 0; index -> gain 3; average -> 1.5
    expectClose(dcgAtK(scores, relevance, { k: 1 }), 0);
    expectClose(dcgAtK(scores, relevance, { k: 1, ties: 'index' }), 3);
    expectClose(dcgAtK(scores, relevance, { k: 1, ties: 'average' }), 1.5);
    // nDCG@1 average: IDCG@1 = 3 -> 1.5/3 = 0.5
    expectClose(ndcgAtK(scores, relevance, { k: 1, ties: 'average' }), 0.5);
  });

  it('a constant scorer is not flattered by the pessimistic rule', () => {
    // all tied: pessimistic order is labels ascending [0, 1, 2] -> DCG = 0 + 1/log2(3) + 3/2
    expectClose(dcgAtK([0, 0, 0], [2, 0, 1]), D2 + 1.5);
  });

  it('±Infinity scores are ordered normally (no NaN from subtraction)', () => {
    // order: doc1 (+inf, rel 1), doc2 (5, rel 0), doc0 (-inf, rel 2): DCG = 1 + 0 + 3/2 = 2.5
    expectClose(dcgAtK([-Infinity, Infinity, 5], [2, 1, 0]), 2.5);
    // tied infinities under 'average': mean gain (3 + 1)/2 = 2 at ranks 1, 2 -> 2*(1 + 0.6309...)
    expectClose(dcgAtK([Infinity, Infinity], [2, 1], { ties: 'average' }), 2 * (1 + D2));
  });
});

describe('ndcgAtK: queries with no relevant document', () => {
  it("defaults to 'one'", () => {
    expect(ndcgAtK([0.3, 0.2], [0, 0])).toBe(1);
    expect(ndcgAtK([0.3, 0.2], [0, 0], { noRelevant: 'one' })).toBe(1);
  });
  it("'zero' and 'skip' (NaN)", () => {
    expect(ndcgAtK([0.3, 0.2], [0, 0], { noRelevant: 'zero' })).toBe(0);
    expect(ndcgAtK([0.3, 0.2], [0, 0], { noRelevant: 'skip' })).toBeNaN();
  });
  it('an empty list: DCG 0, nDCG follows noRelevant', () => {
    expect(dcgAtK([], [])).toBe(0);
    expect(ndcgAtK([], [])).toBe(1);
    expect(ndcgAtK([], [], { noRelevant: 'skip', k: 5 })).toBeNaN();
  });
});

describe('dcgAtK / ndcgAtK: bad input', () => {
  it('length mismatch names relevance', () => {
    expectUnbiasedError(() => dcgAtK([1, 2], [1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => ndcgAtK([1], [1, 0]), 'BAD_INPUT', 'relevance');
  });
  it('NaN scores name scores', () => {
    expectUnbiasedError(() => dcgAtK([1, Number.NaN], [1, 0]), 'BAD_INPUT', 'scores');
  });
  it('negative, NaN, infinite or non-number relevance names relevance', () => {
    expectUnbiasedError(() => dcgAtK([1, 2], [1, -1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => dcgAtK([1, 2], [Number.NaN, 1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => ndcgAtK([1, 2], [Infinity, 1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => dcgAtK([1, 2], ['1', 0] as unknown as number[]), 'BAD_INPUT', 'relevance');
  });
  it('non-array input names the argument', () => {
    expectUnbiasedError(() => dcgAtK(null as unknown as number[], [1]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => dcgAtK([1], 3 as unknown as number[]), 'BAD_INPUT', 'relevance');
  });
  it('k <= 0, non-integer or non-number names k', () => {
    expectUnbiasedError(() => dcgAtK([1], [1], { k: 0 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => dcgAtK([1], [1], { k: -3 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => ndcgAtK([1], [1], { k: 1.5 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => ndcgAtK([1], [1], { k: Infinity }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => ndcgAtK([1], [1], { k: '3' as unknown as number }), 'INVALID_ARGUMENT', 'k');
  });
  it('unknown gain, ties or noRelevant names the option', () => {
    expectUnbiasedError(() => dcgAtK([1], [1], { gain: 'log' as 'exp2' }), 'INVALID_ARGUMENT', 'gain');
    expectUnbiasedError(() => dcgAtK([1], [1], { ties: 'random' as 'index' }), 'INVALID_ARGUMENT', 'ties');
    expectUnbiasedError(() => ndcgAtK([1], [1], { noRelevant: 'nan' as 'skip' }), 'INVALID_ARGUMENT', 'noRelevant');
  });
});

// ---------------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------------

/** A query with few distinct scores (so ties are common) and graded labels 0..4. */
const queryArb = fc.integer({ min: 0, max: 8 }).chain((n) =>
  fc.record({
    scores: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    relevance: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
  }),
);
const optionsArb = fc.record({
  k: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  gain: fc.constantFrom('exp2' as const, 'linear' as const),
  ties: fc.constantFrom('pessimistic' as const, 'index' as const, 'average' as const),
});

/** Independent DCG of an explicit order: sum_r gain(rel_order[r]) / log2(r + 2), r 0-based. */
function dcgOfOrder(order: number[], relevance: number[], k: number, gain: 'exp2' | 'linear'): number {
  let dcg = 0;
  for (let r = 0; r < Math.min(k, order.length); r++) {
    const rel = relevance[order[r] as number] as number;
    dcg += (gain === 'exp2' ? 2 ** rel - 1 : rel) / Math.log2(r + 2);
  }
  return dcg;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let i = 0; i <= rest.length; i++) out.push([...rest.slice(0, i), n - 1, ...rest.slice(i)]);
  }
  return out;
}

describe('dcgAtK / ndcgAtK: properties', () => {
  it('nDCG is in [0, 1] for every option combination', () => {
    fc.assert(
      fc.property(queryArb, optionsArb, ({ scores, relevance }, options) => {
        const v = ndcgAtK(scores, relevance, options);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('nDCG is in [0, 1] for real-valued scores and labels', () => {
    const realQuery = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        scores: fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: n, maxLength: n }),
        relevance: fc.array(fc.double({ noNaN: true, min: 0, max: 5 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(realQuery, optionsArb, ({ scores, relevance }, options) => {
        const v = ndcgAtK(scores, relevance, options);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1 + TOL);
      }),
    );
  });

  it('nDCG = 1 for the ideal ordering (scores = labels, or distinct scores sorted by label)', () => {
    fc.assert(
      fc.property(queryArb, optionsArb, ({ relevance }, options) => {
        // scores = labels: ties only among equal labels, so every tie rule is ideal.
        expectClose(ndcgAtK(relevance, relevance, options), 1);
        // distinct scores in label order
        const order = relevance.map((_, i) => i).sort((a, b) => (relevance[b] as number) - (relevance[a] as number));
        const scores = new Array<number>(relevance.length);
        order.forEach((doc, rank) => {
          scores[doc] = relevance.length - rank;
        });
        expectClose(ndcgAtK(scores, relevance, options), 1);
      }),
    );
  });

  it("'average' ties equal the brute-force mean of DCG over all tie orders", () => {
    const small = fc.integer({ min: 0, max: 6 }).chain((n) =>
      fc.record({
        scores: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
        relevance: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(
        small,
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        fc.constantFrom('exp2' as const, 'linear' as const),
        ({ scores, relevance }, k, gain) => {
          // All orders consistent with scores descending = all ways to order each tied block, equally likely.
          const valid = permutations(scores.length).filter((order) =>
            order.every((doc, r) => r === 0 || (scores[order[r - 1] as number] as number) >= (scores[doc] as number)),
          );
          const mean = valid.reduce((s, order) => s + dcgOfOrder(order, relevance, k ?? scores.length, gain), 0) / valid.length;
          expectClose(dcgAtK(scores, relevance, { k, gain, ties: 'average' }), mean, 1e-12 * Math.max(1, mean));
        },
      ),
    );
  });

  it("'pessimistic' <= 'average' <= best tie order, and 'pessimistic' is a minimum over tie orders", () => {
    fc.assert(
      fc.property(queryArb, optionsArb, ({ scores, relevance }, { k, gain }) => {
        const pess = dcgAtK(scores, relevance, { k, gain, ties: 'pessimistic' });
        const avg = dcgAtK(scores, relevance, { k, gain, ties: 'average' });
        const idx = dcgAtK(scores, relevance, { k, gain, ties: 'index' });
        expect(pess).toBeLessThanOrEqual(avg + TOL);
        expect(pess).toBeLessThanOrEqual(idx + TOL);
      }),
    );
  });

  it('DCG does not depend on input order under pessimistic and average ties', () => {
    fc.assert(
      fc.property(
        queryArb.chain((q) =>
          fc.tuple(fc.constant(q), fc.shuffledSubarray(q.scores.map((_, i) => i), { minLength: q.scores.length })),
        ),
        optionsArb,
        ([{ scores, relevance }, perm], { k, gain }) => {
          const s2 = perm.map((i) => scores[i] as number);
          const r2 = perm.map((i) => relevance[i] as number);
          for (const ties of ['pessimistic', 'average'] as const) {
            expectClose(dcgAtK(s2, r2, { k, gain, ties }), dcgAtK(scores, relevance, { k, gain, ties }));
          }
        },
      ),
    );
  });
});
