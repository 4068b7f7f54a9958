import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errAtK } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('errAtK: hand-computed values', () => {
  it('default maxGrade 4', () => {
    // ranked labels [4, 0, 2]; R = (2^g - 1)/2^4: R1 = 15/16 = 0.9375, R2 = 0, R3 = 3/16 = 0.1875
    // ERR = 0.9375/1 + (1-0.9375)*0/2 + (1-0.9375)*(1-0)*0.1875/3 = 0.9375 + 0.0625*0.0625 = 0.94140625
    expectClose(errAtK([3, 2, 1], [4, 0, 2]), 0.94140625);
  });
  it('explicit maxGrade', () => {
    // labels [2, 1], maxGrade 2: R1 = 3/4, R2 = 1/4; ERR = 0.75 + (1-0.75)*0.25/2 = 0.75 + 0.03125 = 0.78125
    expectClose(errAtK([2, 1], [2, 1], { maxGrade: 2 }), 0.78125);
  });
  it('k truncates; k beyond the list is the full list', () => {
    // ERR@1 = R1 = 15/16
    expectClose(errAtK([3, 2, 1], [4, 0, 2], { k: 1 }), 0.9375);
    expectClose(errAtK([3, 2, 1], [4, 0, 2], { k: 99 }), 0.94140625);
  });
  it('no relevant document or an empty list gives 0', () => {
    expect(errAtK([1, 2], [0, 0])).toBe(0);
    expect(errAtK([], [])).toBe(0);
  });
  it('tie rules', () => {
    // tied [4 at index 0, 0 at index 1]
    // pessimistic: order labels [0, 4]: ERR = 0 + 1 * (15/16)/2 = 0.46875
    expectClose(errAtK([1, 1], [4, 0]), 0.46875);
    // index: order labels [4, 0]: ERR = 15/16
    expectClose(errAtK([1, 1], [4, 0], { ties: 'index' }), 0.9375);
  });
});

describe('errAtK: properties', () => {
  it('ERR is in [0, 1) and does not exceed the ERR of the ideal ordering', () => {
    const query = fc.integer({ min: 0, max: 10 }).chain((n) =>
      fc.record({
        scores: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        relevance: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(query, fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), ({ scores, relevance }, k) => {
        const v = errAtK(scores, relevance, { k });
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(1);
        expect(v).toBeLessThanOrEqual(errAtK(relevance, relevance, { k }) + 1e-12);
      }),
    );
  });
});

describe('errAtK: bad input', () => {
  it('maxGrade below the largest label names maxGrade', () => {
    expectUnbiasedError(() => errAtK([1, 2], [4, 0], { maxGrade: 3 }), 'INVALID_ARGUMENT', 'maxGrade');
    expectUnbiasedError(() => errAtK([1, 2], [5, 0]), 'INVALID_ARGUMENT', 'maxGrade');
    expectUnbiasedError(() => errAtK([1], [0], { maxGrade: Number.NaN }), 'INVALID_ARGUMENT', 'maxGrade');
    expectUnbiasedError(() => errAtK([1], [0], { maxGrade: -1 }), 'INVALID_ARGUMENT', 'maxGrade');
  });
  it("'average' ties are refused, naming ties", () => {
    expectUnbiasedError(() => errAtK([1], [0], { ties: 'average' as 'index' }), 'INVALID_ARGUMENT', 'ties');
  });
  it('k, lengths, NaN scores', () => {
    expectUnbiasedError(() => errAtK([1], [0], { k: 0 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => errAtK([1, 2], [0]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => errAtK([Number.NaN], [0]), 'BAD_INPUT', 'scores');
  });
});
