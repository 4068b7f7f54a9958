import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dcgAtK,
  dcgAtKBatch,
  ndcgAtK,
  ndcgAtKBatch,
  precisionAtK,
  precisionAtKBatch,
  type RankingBatch,
  recallAtK,
  recallAtKBatch,
  reciprocalRank,
  reciprocalRankBatch,
} from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

const D2 = 1 / Math.log2(3); // discount of rank 2
const D3 = 0.5; // discount of rank 3: 1/log2(4)

/** Concatenates lists into a batch. */
function batchOf(lists: { scores: number[]; relevance: number[] }[]): RankingBatch {
  const offsets = [0];
  for (const list of lists) offsets.push((offsets.at(-1) as number) + list.scores.length);
  return { scores: lists.flatMap((l) => l.scores), relevance: lists.flatMap((l) => l.relevance), offsets };
}

describe('batched ranking metrics: float64 values computed by hand', () => {
  // List 0 ranked: doc0 (0.9, rel 2), doc1 (0.8, rel 3), doc3 (0.5, rel 1), doc2 (0.1, rel 0).
  // List 1 ranked: doc1 (0.7, rel 0), doc0 (0.2, rel 1). List 2 is empty. List 3 has no relevant document.
  const batch = batchOf([
    { scores: [0.9, 0.8, 0.1, 0.5], relevance: [2, 3, 0, 1] },
    { scores: [0.2, 0.7], relevance: [1, 0] },
    { scores: [], relevance: [] },
    { scores: [0.3, 0.1], relevance: [0, 0] },
  ]);

  it('nDCG@2 and DCG@2 (exp2 gain)', () => {
    const ndcg = ndcgAtKBatch(batch, { k: 2 });
    expect(ndcg.length).toBe(4);
    // list 0: DCG@2 = 3 + 7/log2(3) = 7.4165082750002025, IDCG@2 = 7 + 3/log2(3) = 8.892789260714373
    expectClose(ndcg[0] as number, (3 + 7 * D2) / (7 + 3 * D2));
    expectClose(ndcg[0] as number, 0.8339912323981488); // python3: (3+7*d2)/(7+3*d2)
    // list 1: DCG@2 = 0 + 1/log2(3); IDCG@2 = 1
    expectClose(ndcg[1] as number, 0.6309297535714575);
    // empty list and no relevant document: noRelevant 'one' (default)
    expect(ndcg[2]).toBe(1);
    expect(ndcg[3]).toBe(1);
    const dcg = dcgAtKBatch(batch, { k: 2 });
    expectClose(dcg[0] as number, 7.4165082750002025);
    expectClose(dcg[1] as number, D2);
    expect([dcg[2], dcg[3]]).toEqual([0, 0]);
  });

  it('precision, recall and reciprocal rank', () => {
    const precision = precisionAtKBatch(batch, { k: 3 });
    // list 0: top 3 = rel 2, 3, 1 -> 3/3; list 1: 1 relevant of k = 3 -> 1/3; empty -> 0/3; none -> 0
    expect(Array.from(precision)).toEqual([1, 1 / 3, 0, 0]);
    const recall = recallAtKBatch(batch, { k: 1 });
    // list 0: 1 of 3 relevant in the top 1; list 1: 0 of 1; empty and none -> noRelevant 'zero'
    expect(Array.from(recall)).toEqual([1 / 3, 0, 0, 0]);
    expect(Array.from(reciprocalRankBatch(batch))).toEqual([1, 0.5, 0, 0]);
    expect(Array.from(reciprocalRankBatch(batch, { k: 1 }))).toEqual([1, 0, 0, 0]);
  });

  it('tie rules: pessimistic, index and average on a tied block cut by k', () => {
    // doc0 and doc1 tie at 1 (labels 2 and 0), doc2 scores 0 (label 1); k = 1 cuts the tied block.
    const tied = batchOf([{ scores: [1, 1, 0], relevance: [2, 0, 1] }]);
    expect(dcgAtKBatch(tied, { k: 1 })[0]).toBe(0); // pessimistic: label 0 first
    expect(dcgAtKBatch(tied, { k: 1, ties: 'index' })[0]).toBe(3); // doc0 first: 2^2 - 1
    expect(dcgAtKBatch(tied, { k: 1, ties: 'average' })[0]).toBe(1.5); // mean of 3 and 0
    // full list, average: ranks 1-2 get 1.5 each, rank 3 gets 1: 1.5 + 1.5/log2(3) + 0.5
    expectClose(dcgAtKBatch(tied, { ties: 'average' })[0] as number, 1.5 + 1.5 * D2 + D3);
    // precision@1 under average: the expected hit of the tied block, 1/2
    expect(precisionAtKBatch(tied, { k: 1, ties: 'average' })[0]).toBe(0.5);
    // reciprocal rank, pessimistic: doc1 (not relevant) first, then doc0 -> 1/2; index: doc0 first -> 1
    expect(reciprocalRankBatch(tied)[0]).toBe(0.5);
    expect(reciprocalRankBatch(tied, { ties: 'index' })[0]).toBe(1);
  });

  it("shortLists 'skip' gives NaN for lists shorter than k", () => {
    const ndcg = ndcgAtKBatch(batch, { k: 3, shortLists: 'skip' });
    expect(Number.isNaN(ndcg[1] as number)).toBe(true);
    expect(Number.isNaN(ndcg[0] as number)).toBe(false);
  });
});

describe('batched ranking metrics: input checks once per batch', () => {
  const good = batchOf([{ scores: [1, 2], relevance: [0, 1] }, { scores: [3], relevance: [2] }]);

  it('names the field, the flat index and the list', () => {
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, scores: [1, 2, Number.NaN] }), 'BAD_INPUT', 'scores', 'scores[2] (list 1) is NaN');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, relevance: [0, -1, 2] }), 'BAD_INPUT', 'relevance', 'relevance[1] (list 0)');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, relevance: [0, 1, Number.POSITIVE_INFINITY] }), 'BAD_INPUT', 'relevance', 'relevance[2]');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, scores: [1, '2' as unknown as number, 3] }), 'BAD_INPUT', 'scores', 'scores[1]');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, relevance: [0, 1] }), 'BAD_INPUT', 'relevance', 'length of scores');
  });

  it('rejects offsets that do not cover the arrays', () => {
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, offsets: [0, 2] }), 'BAD_INPUT', 'offsets', 'offsets[1] must be scores.length (3)');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, offsets: [1, 2, 3] }), 'BAD_INPUT', 'offsets', 'offsets[0] must be 0');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, offsets: [0, 2, 1, 3] }), 'BAD_INPUT', 'offsets', 'must not decrease');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, offsets: [0, 1.5, 3] }), 'BAD_INPUT', 'offsets', 'offsets[1] must be an integer');
    expectUnbiasedError(() => ndcgAtKBatch({ ...good, offsets: [] }), 'BAD_INPUT', 'offsets');
  });

  it('checks options like the per-list functions', () => {
    expectUnbiasedError(() => ndcgAtKBatch(good, { k: 0 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => reciprocalRankBatch(good, { ties: 'average' as 'index' }), 'INVALID_ARGUMENT', 'ties');
    expectUnbiasedError(() => precisionAtKBatch(batchOf([{ scores: [], relevance: [] }])), 'BAD_INPUT', 'offsets', 'list 0 is empty');
  });
});

// Few distinct scores, so ties are common; labels small integers or arbitrary non-negative doubles.
const listArb = (maxLength: number) =>
  fc.integer({ min: 0, max: maxLength }).chain((n) =>
    fc.record({
      scores: fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0)), {
        minLength: n,
        maxLength: n,
      }),
      relevance: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 5, noNaN: true })), { minLength: n, maxLength: n }),
    }),
  );
const optionsArb = fc.record({
  k: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
  ties: fc.constantFrom('pessimistic' as const, 'index' as const, 'average' as const),
  gain: fc.constantFrom('exp2' as const, 'linear' as const),
  noRelevant: fc.constantFrom('one' as const, 'zero' as const, 'skip' as const),
  shortLists: fc.constantFrom('keep' as const, 'skip' as const),
  relevantAbove: fc.constantFrom(0, 1, 2.5),
});

function expectSameValues(batched: Float64Array, perList: number[]): void {
  expect(batched.length).toBe(perList.length);
  // Bit-identical (Object.is: NaN equals NaN), not merely close.
  for (const [q, value] of perList.entries()) {
    expect(Object.is(batched[q], value) || (batched[q] === 0 && value === 0), `list ${q}: ${batched[q]} vs ${value}`).toBe(true);
  }
}

describe('batched == per-list (fast-check, fixed seed)', () => {
  const check = (maxLength: number, numRuns: number) =>
    fc.assert(
      fc.property(fc.array(listArb(maxLength), { maxLength: 8 }), optionsArb, (lists, options) => {
        const batch = batchOf(lists);
        const { k, ties, gain, noRelevant, shortLists, relevantAbove } = options;
        const deterministic = ties === 'average' ? 'pessimistic' : ties;
        expectSameValues(ndcgAtKBatch(batch, { k, ties, gain, noRelevant, shortLists }), lists.map((l) => ndcgAtK(l.scores, l.relevance, { k, ties, gain, noRelevant, shortLists })));
        expectSameValues(dcgAtKBatch(batch, { k, ties, gain }), lists.map((l) => dcgAtK(l.scores, l.relevance, { k, ties, gain })));
        expectSameValues(recallAtKBatch(batch, { k, ties, noRelevant, relevantAbove }), lists.map((l) => recallAtK(l.scores, l.relevance, { k, ties, noRelevant, relevantAbove })));
        expectSameValues(
          reciprocalRankBatch(batch, { k, ties: deterministic, noRelevant, relevantAbove }),
          lists.map((l) => reciprocalRank(l.scores, l.relevance, { k, ties: deterministic, noRelevant, relevantAbove })),
        );
        if (k !== undefined || lists.every((l) => l.scores.length > 0)) {
          expectSameValues(precisionAtKBatch(batch, { k, ties, relevantAbove }), lists.map((l) => precisionAtK(l.scores, l.relevance, { k, ties, relevantAbove })));
        }
      }),
      { seed: 1604, numRuns },
    );

  it('short lists (the insertion path)', () => check(30, 300));
  it('long lists with a large or no cutoff (the sort path)', () => check(140, 40));

  it('typed arrays give the same values as plain arrays', () => {
    fc.assert(
      fc.property(fc.array(listArb(20), { maxLength: 6 }), (lists) => {
        const batch = batchOf(lists);
        const typed = { scores: Float64Array.from(batch.scores), relevance: Float64Array.from(batch.relevance), offsets: Int32Array.from(batch.offsets) };
        expectSameValues(ndcgAtKBatch(typed, { k: 5 }), Array.from(ndcgAtKBatch(batch, { k: 5 })));
      }),
      { seed: 77, numRuns: 50 },
    );
  });
});
