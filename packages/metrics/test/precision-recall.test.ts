import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { precisionAtK, recallAtK } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Ranked labels [1, 0, 1, 0, 1]; 3 relevant.
const scores = [5, 4, 3, 2, 1];
const relevance = [1, 0, 1, 0, 1];

describe('precisionAtK / recallAtK: hand-computed values', () => {
  it('precision at several k', () => {
    expectClose(precisionAtK(scores, relevance, { k: 1 }), 1); // 1/1
    expectClose(precisionAtK(scores, relevance, { k: 2 }), 0.5); // 1/2
    expectClose(precisionAtK(scores, relevance, { k: 3 }), 2 / 3); // 2/3
    expectClose(precisionAtK(scores, relevance), 0.6); // k = n = 5: 3/5
    // k = 10 > n: missing ranks are non-relevant, denominator stays k: 3/10
    expectClose(precisionAtK(scores, relevance, { k: 10 }), 0.3);
  });
  it('recall at several k', () => {
    expectClose(recallAtK(scores, relevance, { k: 2 }), 1 / 3); // 1 of 3
    expectClose(recallAtK(scores, relevance, { k: 3 }), 2 / 3); // 2 of 3
    expectClose(recallAtK(scores, relevance), 1); // full list
    expectClose(recallAtK(scores, relevance, { k: 10 }), 1);
  });
  it('relevantAbove', () => {
    // labels [3, 1, 2, 0] in rank order; relevant (> 1): ranks 1 and 3
    // P@2 = 1/2, R@2 = 1/2, P@3 = 2/3, R@3 = 1
    expectClose(precisionAtK([4, 3, 2, 1], [3, 1, 2, 0], { k: 2, relevantAbove: 1 }), 0.5);
    expectClose(recallAtK([4, 3, 2, 1], [3, 1, 2, 0], { k: 2, relevantAbove: 1 }), 0.5);
    expectClose(precisionAtK([4, 3, 2, 1], [3, 1, 2, 0], { k: 3, relevantAbove: 1 }), 2 / 3);
    expectClose(recallAtK([4, 3, 2, 1], [3, 1, 2, 0], { k: 3, relevantAbove: 1 }), 1);
  });
  it('tie rules', () => {
    // block of three tied docs with labels [1, 0, 0] (index order), then a relevant doc
    const s = [1, 1, 1, 0];
    const r = [1, 0, 0, 1];
    // P@1: pessimistic puts a 0 first -> 0; index puts doc0 first -> 1; average -> 1/3 (1 relevant of 3 in the block)
    expectClose(precisionAtK(s, r, { k: 1 }), 0);
    expectClose(precisionAtK(s, r, { k: 1, ties: 'index' }), 1);
    expectClose(precisionAtK(s, r, { k: 1, ties: 'average' }), 1 / 3);
    // P@2 average: expected hits = 2 * 1/3 = 2/3, /2 = 1/3; R@2 average = (2/3)/2 relevant = 1/3
    expectClose(precisionAtK(s, r, { k: 2, ties: 'average' }), 1 / 3);
    expectClose(recallAtK(s, r, { k: 2, ties: 'average' }), 1 / 3);
    // P@4 is tie-independent: 2/4
    expectClose(precisionAtK(s, r, { k: 4, ties: 'average' }), 0.5);
  });
  it('recall with no relevant document: zero (default), one, skip', () => {
    expect(recallAtK([1, 2], [0, 0])).toBe(0);
    expect(recallAtK([1, 2], [0, 0], { noRelevant: 'one' })).toBe(1);
    expect(recallAtK([1, 2], [0, 0], { noRelevant: 'skip' })).toBeNaN();
    expect(precisionAtK([1, 2], [0, 0])).toBe(0);
  });
});

describe('precisionAtK / recallAtK: properties', () => {
  it("'average' lies between 'pessimistic' and the best order, and all are in [0, 1]", () => {
    const query = fc.integer({ min: 1, max: 10 }).chain((n) =>
      fc.record({
        scores: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        relevance: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(query, fc.integer({ min: 1, max: 12 }), ({ scores, relevance }, k) => {
        for (const f of [precisionAtK, recallAtK]) {
          const pess = f(scores, relevance, { k });
          const avg = f(scores, relevance, { k, ties: 'average' });
          expect(pess).toBeGreaterThanOrEqual(0);
          expect(avg).toBeLessThanOrEqual(1 + 1e-12);
          expect(pess).toBeLessThanOrEqual(avg + 1e-12);
        }
      }),
    );
  });
});

describe('precisionAtK / recallAtK: bad input', () => {
  it('names the argument', () => {
    expectUnbiasedError(() => precisionAtK([], []), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => precisionAtK([1], [1], { k: 0 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => recallAtK([1], [1], { k: -1 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => recallAtK([1, 2], [1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => precisionAtK([1, Number.NaN], [1, 0]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => recallAtK([1], [1], { noRelevant: 'maybe' as 'one' }), 'INVALID_ARGUMENT', 'noRelevant');
    expectUnbiasedError(() => precisionAtK([1], [1], { relevantAbove: Infinity }), 'INVALID_ARGUMENT', 'relevantAbove');
  });
});
