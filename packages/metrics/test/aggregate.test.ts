import { describe, expect, it } from 'vitest';
import { meanOverQueries, ndcgAtK } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('meanOverQueries', () => {
  it('averages and counts', () => {
    // (0.5 + 1 + 0.25)/3 = 1.75/3 = 0.5833333333333334
    const r = meanOverQueries([0.5, 1, 0.25]);
    expectClose(r.mean, 1.75 / 3);
    expect(r.count).toBe(3);
    expect(r.skipped).toBe(0);
  });
  it('skips NaN and reports how many', () => {
    // (0.5 + 1)/2 = 0.75
    expect(meanOverQueries([0.5, Number.NaN, 1])).toEqual({ mean: 0.75, count: 2, skipped: 1 });
    expect(meanOverQueries(Float64Array.from([Number.NaN]))).toEqual({ mean: Number.NaN, count: 0, skipped: 1 });
  });
  it("works with nDCG's noRelevant: 'skip'", () => {
    // q1: ideal -> 1; q2: no relevant -> NaN (skipped); q3: labels [0, 1] ranked as given:
    // DCG = 1/log2(3) = 0.6309297535714574, IDCG = 1 -> 0.6309297535714574
    const values = [
      ndcgAtK([2, 1], [1, 0], { noRelevant: 'skip' }),
      ndcgAtK([2, 1], [0, 0], { noRelevant: 'skip' }),
      ndcgAtK([2, 1], [0, 1], { noRelevant: 'skip' }),
    ];
    const r = meanOverQueries(values);
    expectClose(r.mean, (1 + 0.6309297535714574) / 2);
    expect(r.count).toBe(2);
    expect(r.skipped).toBe(1);
  });
  it('bad input names perQueryValues', () => {
    expectUnbiasedError(() => meanOverQueries([]), 'BAD_INPUT', 'perQueryValues');
    expectUnbiasedError(() => meanOverQueries([1, Infinity]), 'BAD_INPUT', 'perQueryValues');
    expectUnbiasedError(() => meanOverQueries([1, '2'] as unknown as number[]), 'BAD_INPUT', 'perQueryValues');
    expectUnbiasedError(() => meanOverQueries(undefined as unknown as number[]), 'BAD_INPUT', 'perQueryValues');
  });
});
