import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryMatrixMeans, Thresholdout, type ThresholdoutOptions } from '../src/index.js';
import { expectClose, expectUnbiasedError, normalCdf } from './helpers.js';

const deterministic = (over: Partial<ThresholdoutOptions> = {}): Thresholdout =>
  new Thresholdout({ threshold: 0.125, sigma: 0, budget: 3, rng: 0, ...over });

describe('Thresholdout, deterministic branches (spec test 2, σ = 0)', () => {
  it('|diff| <= T returns the train mean, |diff| > T returns the holdout mean', () => {
    for (const noise of ['laplace', 'gaussian-science'] as const) {
      const t = deterministic({ noise });
      // all values are dyadic, so the differences are exact: 0.125 is not > T = 0.125
      expect(t.answer(0.5, 0.625)).toBe(0.5);
      expect(t.answer(0.5, 0.375)).toBe(0.5);
      expect(t.answer(0.5, 0.75)).toBe(0.75);
      expect(t.answer(0.75, 0.5)).toBe(0.5);
      expect(t.record.map((r) => r.branch)).toEqual(['train', 'train', 'holdout', 'holdout']);
    }
  });

  it('after B over-threshold answers every call returns null; under-threshold answers never spend budget', () => {
    const t = deterministic({ budget: 2 });
    expect(t.answer(0.5, 0.5)).toBe(0.5);
    expect(t.answer(0.25, 0.3125)).toBe(0.25);
    expect(t.budgetLeft).toBe(2);
    expect(t.answer(0, 1)).toBe(1);
    expect(t.budgetLeft).toBe(1);
    expect(t.answer(0.5, 0.5)).toBe(0.5);
    expect(t.budgetLeft).toBe(1);
    expect(t.answer(1, 0)).toBe(0);
    expect(t.budgetLeft).toBe(0);
    expect(t.exhausted).toBe(true);
    // exhausted: under- and over-threshold queries alike get ⊥
    expect(t.answer(0.5, 0.5)).toBeNull();
    expect(t.answer(0, 1)).toBeNull();
    expect(t.answerMany([0.5, 0.1], [0.5, 0.9])).toEqual([null, null]);
    expect(t.accounting()).toEqual({ budget: 2, budgetLeft: 0, queries: 9, trainAnswers: 3, holdoutAnswers: 2, exhaustedAnswers: 4 });
  });

  it("budgetCharge 'every-query' charges train answers too", () => {
    const t = deterministic({ budget: 2, budgetCharge: 'every-query' });
    expect(t.answer(0.5, 0.5)).toBe(0.5);
    expect(t.answer(0.5, 0.5)).toBe(0.5);
    expect(t.answer(0.5, 0.5)).toBeNull();
  });

  it('keeps an audit record of (index, id, branch, answer)', () => {
    const t = deterministic({ budget: 1 });
    t.answer(0.5, 0.5, 'q-a');
    t.answer(0, 1);
    t.answerMany([0.2], [0.2], ['q-c']);
    expect(t.record).toEqual([
      { index: 0, id: 'q-a', branch: 'train', answer: 0.5 },
      { index: 1, id: 1, branch: 'holdout', answer: 1 },
      { index: 2, id: 'q-c', branch: 'exhausted', answer: null },
    ]);
    expect(deterministic({ record: false }).record).toEqual([]);
  });
});

describe('Thresholdout noise', () => {
  it('laplace: the holdout answer is E_Sh + ξ with ξ ~ Lap(σ)', () => {
    // T = 0 and |diff| = 1: crossing fails only if γ + η > 1 (scales 0.02 and 0.04: probability < e^-20).
    // E|ξ| = σ with standard error σ/√20000 ≈ 0.7% of σ; the 3% bound is ~4 standard errors.
    const sigma = 0.01;
    const t = new Thresholdout({ threshold: 0, sigma, budget: Infinity, rng: 3 });
    const answers = t.answerMany(new Float64Array(20_000), new Float64Array(20_000).fill(1));
    let abs = 0;
    for (const a of answers) abs += Math.abs((a as number) - 1);
    expectClose(abs / answers.length / sigma, 1, 0.03);
    expect(t.accounting().holdoutAnswers).toBe(20_000);
  });

  it('gaussian-science: ξ ~ N(0, σ²) and P(cross) = Φ((|diff| − T)/σ)', () => {
    const sigma = 0.05;
    const t = new Thresholdout({ threshold: 0.1, sigma, budget: Infinity, noise: 'gaussian-science', rng: 4 });
    const m = 20_000;
    // |diff| = 0.15: P(0.15 > 0.1 + η) = Φ(1) ≈ 0.8413 (A&S reference in helpers); binomial standard error
    // sqrt(0.84 · 0.16 / 20000) ≈ 0.0026, so 0.012 is ~4.6 standard errors.
    t.answerMany(new Float64Array(m).fill(0.2), new Float64Array(m).fill(0.35));
    expectClose(t.accounting().holdoutAnswers / m, normalCdf(1), 0.012);
    // noise of the holdout answers: sd σ, standard error σ/√(2 · 16800) ≈ 0.4% relative; 3% bound
    const holdout = t.record.filter((r) => r.branch === 'holdout').map((r) => (r.answer as number) - 0.35);
    const sd = Math.sqrt(holdout.reduce((a, x) => a + x * x, 0) / holdout.length);
    expectClose(sd / sigma, 1, 0.03);
  });

  it("laplace with thresholdRedraw 'every-query': P(cross) = 1/2 when |diff| = T (γ + η is symmetric)", () => {
    // binomial standard error sqrt(0.25/20000) ≈ 0.0035; 0.015 is ~4.2 standard errors
    const t = new Thresholdout({ threshold: 0.125, sigma: 0.01, budget: Infinity, rng: 9, thresholdRedraw: 'every-query' });
    t.answerMany(new Float64Array(20_000).fill(0.5), new Float64Array(20_000).fill(0.625));
    expectClose(t.accounting().holdoutAnswers / 20_000, 0.5, 0.015);
  });

  it('same seed, same answers; Rng and seed forms agree', () => {
    const a = new Thresholdout({ threshold: 0.05, sigma: 0.02, budget: 50, rng: 17 });
    const b = new Thresholdout({ threshold: 0.05, sigma: 0.02, budget: 50, rng: Rng.fromSeed(17) });
    const train = Rng.fromSeed(1).uniform(200);
    const holdout = Rng.fromSeed(2).uniform(200);
    expect(a.answerMany(train, holdout)).toEqual(b.answerMany(train, holdout));
  });
});

const meansArb = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
  minLength: 1,
  maxLength: 60,
});
const optionsArb = fc.record({
  threshold: fc.double({ min: 0, max: 0.5, noNaN: true }),
  sigma: fc.double({ min: 0, max: 0.2, noNaN: true }),
  budget: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(Infinity)),
  rng: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  noise: fc.constantFrom('laplace' as const, 'gaussian-science' as const),
  thresholdRedraw: fc.constantFrom('after-over-threshold' as const, 'every-query' as const),
  budgetCharge: fc.constantFrom('over-threshold' as const, 'every-query' as const),
});

describe('Thresholdout invariants (fast-check)', () => {
  it('spec test 3: the vectorised path matches the scalar loop under the same RNG stream', () => {
    fc.assert(
      fc.property(optionsArb, meansArb, fc.nat(), (options, pairs, cut) => {
        const scalar = new Thresholdout(options);
        const vector = new Thresholdout(options);
        const train = pairs.map((p) => p[0]);
        const holdout = pairs.map((p) => p[1]);
        const expected = pairs.map(([t, h]) => scalar.answer(t, h));
        // split the batch in two at an arbitrary point: state carries over between calls
        const split = cut % (pairs.length + 1);
        const got = [...vector.answerMany(train.slice(0, split), holdout.slice(0, split)), ...vector.answerMany(train.slice(split), holdout.slice(split))];
        expect(got).toEqual(expected);
        expect(vector.record).toEqual(scalar.record);
        expect(vector.accounting()).toEqual(scalar.accounting());
      }),
      { numRuns: 300 },
    );
  });

  it('answers are the train mean, the noisy holdout mean, or null; budget accounting adds up', () => {
    fc.assert(
      fc.property(optionsArb, meansArb, (options, pairs) => {
        const t = new Thresholdout(options);
        let exhaustedSeen = false;
        pairs.forEach(([train, holdout], i) => {
          const answer = t.answer(train, holdout);
          const entry = t.record[i]!;
          expect(entry.answer).toBe(answer);
          if (entry.branch === 'train') expect(answer).toBe(train);
          if (entry.branch === 'exhausted') {
            expect(answer).toBeNull();
            exhaustedSeen = true;
          } else {
            expect(exhaustedSeen, 'once exhausted, always exhausted').toBe(false);
            expect(Number.isFinite(answer)).toBe(true);
          }
        });
        const acc = t.accounting();
        expect(acc.queries).toBe(pairs.length);
        expect(acc.trainAnswers + acc.holdoutAnswers + acc.exhaustedAnswers).toBe(pairs.length);
        const spent = options.budgetCharge === 'over-threshold' ? acc.holdoutAnswers : acc.holdoutAnswers + acc.trainAnswers;
        expect(acc.budgetLeft).toBe(options.budget - spent);
        expect(acc.budgetLeft).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('answerQueryMatrix equals answerValues column by column (float32 and float64 matrices)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (trainRows, queries, holdoutRows, seed, single) => {
          const make = (rows: number, label: string) => {
            const u = Rng.fromSeed(seed).fold(label).uniform(rows * queries);
            return single ? Float32Array.from(u) : u;
          };
          const train = make(trainRows, 'train');
          const holdout = make(holdoutRows, 'holdout');
          const options = { threshold: 0.05, sigma: 0.03, budget: 5, rng: seed };
          const vector = new Thresholdout(options).answerQueryMatrix({ values: train, queries }, { values: holdout, queries });
          const scalar = new Thresholdout(options);
          const column = (m: Float32Array | Float64Array, rows: number, j: number) => Array.from({ length: rows }, (_, i) => m[i * queries + j] as number);
          const expected = Array.from({ length: queries }, (_, j) => scalar.answerValues(column(train, trainRows, j), column(holdout, holdoutRows, j)));
          expect(vector).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('queryMatrixMeans', () => {
  it('column means of a hand-written matrix', () => {
    // rows [0, 1, 0.5], [1, 1, 0.25] -> means [0.5, 1, 0.375]
    expect(Array.from(queryMatrixMeans('m', { values: Float64Array.of(0, 1, 0.5, 1, 1, 0.25), queries: 3 }))).toEqual([0.5, 1, 0.375]);
    expect(Array.from(queryMatrixMeans('m', { values: Float64Array.of(-2, 4), queries: 1 }, [-4, 4]))).toEqual([1]);
  });
  it('bad matrices name the field', () => {
    expectUnbiasedError(() => queryMatrixMeans('train', { values: Float64Array.of(0, 1, 0.5), queries: 2 }), 'SHAPE_MISMATCH', 'train.values');
    expectUnbiasedError(() => queryMatrixMeans('train', { values: Float64Array.of(0, 1.5), queries: 2 }), 'QUERY_OUT_OF_RANGE', 'train.values');
    expectUnbiasedError(() => queryMatrixMeans('train', { values: Float64Array.of(0, Number.NaN), queries: 2 }), 'NON_FINITE', 'train.values');
    expectUnbiasedError(() => queryMatrixMeans('train', { values: Float64Array.of(0, 1), queries: 0 }), 'BAD_INPUT', 'train.queries');
    expectUnbiasedError(() => queryMatrixMeans('train', { values: [0, 1] as unknown as Float64Array, queries: 2 }), 'BAD_INPUT', 'train.values');
  });
});

describe('Thresholdout bad input', () => {
  const ok = { threshold: 0.1, sigma: 0.01, budget: 10, rng: 0 };
  it('options name the field', () => {
    expectUnbiasedError(() => new Thresholdout({ ...ok, threshold: -0.1 }), 'INVALID_HYPERPARAMETER', 'threshold');
    expectUnbiasedError(() => new Thresholdout({ ...ok, sigma: Number.NaN }), 'INVALID_HYPERPARAMETER', 'sigma');
    expectUnbiasedError(() => new Thresholdout({ ...ok, budget: 1.5 }), 'INVALID_HYPERPARAMETER', 'budget');
    expectUnbiasedError(() => new Thresholdout({ ...ok, budget: -1 }), 'INVALID_HYPERPARAMETER', 'budget');
    expectUnbiasedError(() => new Thresholdout({ ...ok, noise: 'cauchy' as 'laplace' }), 'INVALID_ARGUMENT', 'noise');
    expectUnbiasedError(() => new Thresholdout({ ...ok, thresholdRedraw: 'never' as 'every-query' }), 'INVALID_ARGUMENT', 'thresholdRedraw');
    expectUnbiasedError(() => new Thresholdout({ ...ok, range: [1, 0] }), 'INVALID_HYPERPARAMETER', 'range');
    expectUnbiasedError(() => new Thresholdout({ ...ok, rng: 'seed' as unknown as number }), 'INVALID_ARGUMENT', 'rng');
    expectUnbiasedError(() => new Thresholdout({ ...ok, rng: -1 }), 'INVALID_ARGUMENT', 'seed');
  });

  it('query values outside [0, 1], NaN, mismatched lengths and empty sets name the field', () => {
    const t = new Thresholdout(ok);
    expectUnbiasedError(() => t.answer(1.5, 0.5), 'QUERY_OUT_OF_RANGE', 'trainMean');
    expectUnbiasedError(() => t.answer(0.5, -0.01), 'QUERY_OUT_OF_RANGE', 'holdoutMean');
    expectUnbiasedError(() => t.answer(Number.NaN, 0.5), 'NON_FINITE', 'trainMean');
    expectUnbiasedError(() => t.answerValues([0, 1, 2], [0.5]), 'QUERY_OUT_OF_RANGE', 'trainValues');
    expectUnbiasedError(() => t.answerValues([0, 1], []), 'BAD_INPUT', 'holdoutValues');
    expectUnbiasedError(() => t.answerMany([0.1, 0.2], [0.1]), 'SHAPE_MISMATCH', 'holdoutMeans');
    expectUnbiasedError(() => t.answerMany([0.1], [0.1], ['a', 'b']), 'SHAPE_MISMATCH', 'ids');
    expectUnbiasedError(() => t.answerMany([0.1, Infinity], [0.1, 0.2]), 'NON_FINITE', 'trainMeans');
    expectUnbiasedError(
      () => t.answerQueryMatrix({ values: Float64Array.of(0, 1), queries: 2 }, { values: Float64Array.of(0, 1, 1), queries: 3 }),
      'SHAPE_MISMATCH',
      'holdout.queries',
    );
    // nothing was answered: a rejected batch leaves the mechanism untouched
    expect(t.accounting().queries).toBe(0);
  });

  it('a declared range admits other units', () => {
    const t = new Thresholdout({ ...ok, sigma: 0, range: [-4, 4] });
    expect(t.answer(-3, -3.05)).toBe(-3);
    expectUnbiasedError(() => t.answer(4.5, 0), 'QUERY_OUT_OF_RANGE', 'trainMean');
  });
});
