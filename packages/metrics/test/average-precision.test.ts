import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averagePrecision, meanAveragePrecision } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Ranked by score: labels [1, 0, 1, 0, 1]; relevant at ranks 1, 3, 5; |relevant| = 3.
const scores = [5, 4, 3, 2, 1];
const relevance = [1, 0, 1, 0, 1];

describe('averagePrecision: hand-computed values', () => {
  it('full list', () => {
    // AP = (P@1 + P@3 + P@5)/3 = (1/1 + 2/3 + 3/5)/3 = (34/15)/3 = 34/45 = 0.7555555555555555
    expectClose(averagePrecision(scores, relevance), 34 / 45);
    expectClose(averagePrecision(scores, relevance), 0.7555555555555555);
  });
  it('with a cutoff, normalised by min(|relevant|, k)', () => {
    // AP@3 = (1/1 + 2/3)/min(3, 3) = (5/3)/3 = 5/9
    expectClose(averagePrecision(scores, relevance, { k: 3 }), 5 / 9);
    // AP@2 = (1/1)/min(3, 2) = 1/2
    expectClose(averagePrecision(scores, relevance, { k: 2 }), 0.5);
    // AP@10 = full list = 34/45
    expectClose(averagePrecision(scores, relevance, { k: 10 }), 34 / 45);
  });
  it('relevantAbove threshold on graded labels', () => {
    // labels [2, 1, 0, 3] ranked as given; relevant (> 1) at ranks 1 and 4: AP = (1/1 + 2/4)/2 = 0.75
    expectClose(averagePrecision([4, 3, 2, 1], [2, 1, 0, 3], { relevantAbove: 1 }), 0.75);
    // default threshold 0: relevant at ranks 1, 2, 4: AP = (1 + 2/2 + 3/4)/3 = 2.75/3 = 0.9166666666666666
    expectClose(averagePrecision([4, 3, 2, 1], [2, 1, 0, 3]), 2.75 / 3);
  });
  it('tie rules', () => {
    // tie between a relevant (index 0) and a non-relevant (index 1) document
    // pessimistic: [0, 1] -> AP = (1/2)/1 = 0.5; index: [1, 0] -> AP = 1
    expectClose(averagePrecision([1, 1], [1, 0]), 0.5);
    expectClose(averagePrecision([1, 1], [1, 0], { ties: 'index' }), 1);
  });
  it('no relevant document: zero (default), one, skip', () => {
    expect(averagePrecision([1, 2], [0, 0])).toBe(0);
    expect(averagePrecision([1, 2], [0, 0], { noRelevant: 'one' })).toBe(1);
    expect(averagePrecision([1, 2], [0, 0], { noRelevant: 'skip' })).toBeNaN();
    expect(averagePrecision([], [])).toBe(0);
  });
});

describe('meanAveragePrecision', () => {
  const q1 = { scores, relevance }; // AP = 34/45
  const q2 = { scores: [4, 3, 2, 1], relevance: [1, 0, 0, 1] }; // AP = (1/1 + 2/4)/2 = 0.75
  const q3 = { scores: [1, 2], relevance: [0, 0] }; // no relevant document
  it('averages AP over queries', () => {
    // MAP = (34/45 + 3/4)/2 = (136/180 + 135/180)/2 = 271/360 = 0.7527777777777778
    expectClose(meanAveragePrecision([q1, q2]), 271 / 360);
  });
  it("counts a no-relevant query as 0 by default and leaves it out with 'skip'", () => {
    // default: (34/45 + 3/4 + 0)/3 = (271/180)/3 = 271/540
    expectClose(meanAveragePrecision([q1, q2, q3]), 271 / 540);
    expectClose(meanAveragePrecision([q1, q2, q3], { noRelevant: 'skip' }), 271 / 360);
    expect(meanAveragePrecision([q3], { noRelevant: 'skip' })).toBeNaN();
  });
  it('passes options to every query', () => {
    // AP@2: q1 = 1/min(3,2) = 0.5, q2 = 1/min(2,2) = 0.5 -> MAP@2 = 0.5
    expectClose(meanAveragePrecision([q1, q2], { k: 2 }), 0.5);
  });
  it('bad input names the query', () => {
    expectUnbiasedError(() => meanAveragePrecision([]), 'BAD_INPUT', 'queries');
    expectUnbiasedError(() => meanAveragePrecision([q1, { scores: [1], relevance: [1, 0] }]), 'BAD_INPUT', 'queries[1].relevance');
    expectUnbiasedError(
      () => meanAveragePrecision([q1, null as unknown as typeof q1]),
      'BAD_INPUT',
      'queries',
    );
    expectUnbiasedError(() => meanAveragePrecision([q1], { k: 0 }), 'INVALID_ARGUMENT', 'k');
  });
});

describe('averagePrecision: properties', () => {
  const query = fc.integer({ min: 0, max: 12 }).chain((n) =>
    fc.record({
      scores: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
      relevance: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    }),
  );
  const options = fc.record({
    k: fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined }),
    relevantAbove: fc.constantFrom(0, 1, 2),
    ties: fc.constantFrom('pessimistic' as const, 'index' as const),
  });
  it('AP is in [0, 1]', () => {
    fc.assert(
      fc.property(query, options, ({ scores, relevance }, o) => {
        const v = averagePrecision(scores, relevance, o);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }),
    );
  });
  it('AP = 1 for the ideal ordering when some document is relevant', () => {
    fc.assert(
      fc.property(query, options, ({ relevance }, o) => {
        fc.pre(relevance.some((r) => r > o.relevantAbove));
        expectClose(averagePrecision(relevance, relevance, o), 1);
      }),
    );
  });
});

describe('averagePrecision: bad input', () => {
  it('names the argument', () => {
    expectUnbiasedError(() => averagePrecision([1, 2], [1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => averagePrecision([Number.NaN], [1]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => averagePrecision([1], [1], { k: 2.5 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => averagePrecision([1], [1], { relevantAbove: Number.NaN }), 'INVALID_ARGUMENT', 'relevantAbove');
    expectUnbiasedError(() => averagePrecision([1], [1], { ties: 'average' as 'index' }), 'INVALID_ARGUMENT', 'ties');
    expectUnbiasedError(() => averagePrecision([1], [1], { noRelevant: 'nan' as 'skip' }), 'INVALID_ARGUMENT', 'noRelevant');
  });
});
