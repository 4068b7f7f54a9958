import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@unbiased/core';
import { fitTargetEncoder, fitThresholdOptimizer, rejectOptionClassify, stratifiedKFold } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('reject-option classification', () => {
  it('relabels the critical band by group (hand-checked)', () => {
    const proba = [0.52, 0.52, 0.47, 0.47, 0.9, 0.1, 0.54, 0.45];
    const groups = [0, 1, 0, 1, 0, 1, 1, 0];
    // band |p − 0.5| <= 0.05: rows 0–3, 6, 7 -> unprivileged (0) get 1, privileged (1) get 0; rows 4, 5 by threshold
    expect(Array.from(rejectOptionClassify(proba, groups))).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
    // only lifting unprivileged rows: privileged rows keep 1[p > 0.5]
    expect(Array.from(rejectOptionClassify(proba, groups, { demotePrivileged: false }))).toEqual([1, 1, 1, 0, 1, 0, 1, 1]);
    expect(Array.from(rejectOptionClassify(proba, groups, { margin: 0 }))).toEqual([1, 1, 0, 0, 1, 0, 1, 0]);
  });
  it('bad input is typed', () => {
    expectUnbiasedError(() => rejectOptionClassify([0.5], [2]), 'BAD_INPUT', 'groups');
    expectUnbiasedError(() => rejectOptionClassify([1.5], [0]), 'BAD_INPUT', 'proba');
    expectUnbiasedError(() => rejectOptionClassify([0.5], [0], { margin: 0.7 }), 'INVALID_HYPERPARAMETER', 'margin');
  });
});

describe('equalized-odds threshold optimizer', () => {
  const n = 2000;
  const rng = Rng.fromSeed(3);
  const u = rng.uniform(n);
  const noise = rng.normal(n);
  const groups = Array.from(u, (v) => (v < 0.4 ? 0 : 1));
  const labels = groups.map((g, i) => ((noise[i] as number) + 0.8 * g > 0.3 ? 1 : 0));
  const scores = labels.map((y, i) => 1 / (1 + Math.exp(-(2 * y - 1 + 0.6 * (groups[i] as number) + (rng.normal(1)[0] as number)))));
  const optimizer = fitThresholdOptimizer(scores, labels, groups);

  it('every group reaches the chosen (FPR, TPR) in expectation on the fitting data', () => {
    const p = optimizer.predictProba(scores, groups);
    for (const g of [0, 1]) {
      let tp = 0;
      let pos = 0;
      let fp = 0;
      let neg = 0;
      p.forEach((v, i) => {
        if (groups[i] !== g) return;
        if (labels[i] === 1) {
          tp += v;
          pos++;
        } else {
          fp += v;
          neg++;
        }
      });
      expectClose(tp / pos, optimizer.truePositiveRate, 1e-9);
      expectClose(fp / neg, optimizer.falsePositiveRate, 1e-9);
    }
    expect(optimizer.truePositiveRate).toBeGreaterThanOrEqual(optimizer.falsePositiveRate);
  });
  it('seeded predictions are reproducible and match the probabilities on average', () => {
    const a = optimizer.predict(scores, groups, 5);
    expect(Array.from(optimizer.predict(scores, groups, 5))).toEqual(Array.from(a));
    const p = optimizer.predictProba(scores, groups);
    const meanP = p.reduce((s, v) => s + v, 0) / n;
    const meanA = a.reduce((s, v) => s + v, 0) / n;
    // Bernoulli draws: sd of the mean <= 0.5 / sqrt(2000) ≈ 0.011; 4 sd
    expect(Math.abs(meanA - meanP)).toBeLessThan(0.045);
  });
  it('bad input is typed', () => {
    expectUnbiasedError(() => fitThresholdOptimizer([0.1, 0.2], [0, 1], [0, 0]), 'BAD_INPUT', 'groups');
    expectUnbiasedError(() => fitThresholdOptimizer([0.1, 0.2, 0.3, 0.4], [0, 0, 0, 1], [0, 0, 1, 1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => fitThresholdOptimizer([0.1], [0], [3]), 'BAD_INPUT', 'groups');
  });
});

describe('target encoding', () => {
  it('smoothed means from the training rows only (hand-checked)', () => {
    const categories = ['a', 'a', 'b', 'b', 'b', 'c'];
    const labels = [1, 0, 1, 1, 1, 1];
    // training rows 0–4: prior 4/5; a: (1 + 2·0.8)/(2 + 2) = 0.65; b: (3 + 2·0.8)/(3 + 2) = 0.92
    const encoder = fitTargetEncoder(categories, labels, [0, 1, 2, 3, 4], { smoothing: 2 });
    expectClose(encoder.prior, 0.8, 1e-15);
    const out = encoder.transform(['a', 'b', 'c', '?']);
    [0.65, 0.92, 0.8, 0.8].forEach((v, i) => {
      expectClose(out[i] as number, v, 1e-15);
    });
  });
});

describe('stratified k-fold', () => {
  it('fold sizes and per-class counts differ by at most one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 10, maxLength: 200 }), fc.integer({ min: 2, max: 10 }), (labels, k) => {
        const folds = stratifiedKFold(labels, k, 1);
        const sizes = Array.from({ length: k }, (_, f) => folds.filter((v) => v === f).length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const y of [0, 1]) {
          const counts = Array.from({ length: k }, (_, f) => labels.filter((v, i) => v === y && folds[i] === f).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
  it('bad input is typed', () => {
    expectUnbiasedError(() => stratifiedKFold([0, 1], 1), 'INVALID_ARGUMENT', 'folds');
    expectUnbiasedError(() => stratifiedKFold([0, 1], 3), 'BAD_INPUT', 'labels');
  });
});
