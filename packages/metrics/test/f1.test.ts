import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, macroF1, perClassF1 } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('confusion matrix and F1', () => {
  it('match a hand-computed confusion matrix', () => {
    // labels 0 0 0 1 1 2, predictions 0 1 0 1 2 2:
    //        pred 0  1  2
    // true 0    2  1  0     F1_0 = 2*2 / (2*2 + 0 + 1) = 0.8
    // true 1    0  1  1     F1_1 = 2*1 / (2*1 + 1 + 1) = 0.5
    // true 2    0  0  1     F1_2 = 2*1 / (2*1 + 1 + 0) = 2/3
    const predictions = [0, 1, 0, 1, 2, 2];
    const labels = [0, 0, 0, 1, 1, 2];
    expect(Array.from(confusionMatrix(predictions, labels, 3))).toEqual([2, 1, 0, 0, 1, 1, 0, 0, 1]);
    const f1 = perClassF1(predictions, labels, 3);
    expectClose(f1[0] as number, 0.8);
    expectClose(f1[1] as number, 0.5);
    expectClose(f1[2] as number, 2 / 3);
    expectClose(macroF1(predictions, labels, 3), (0.8 + 0.5 + 2 / 3) / 3);
    // Always predicting 0 on three 0s and one 1: F1_0 = 6/7, F1_1 = 0 (it occurs, never predicted).
    expectClose(macroF1([0, 0, 0, 0], [0, 0, 0, 1], 2), 6 / 7 / 2);
    // A class that never occurs and is never predicted is left out of the mean (NaN per class).
    expect(macroF1([0, 1], [0, 1], 3)).toBe(1);
    expect(Number.isNaN(perClassF1([0, 1], [0, 1], 3)[2] as number)).toBe(true);
  });

  it('binary macro-F1 equals the mean of the two classes\' F1 from TP/FP/FN (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const predictions = pairs.map(([p]) => p);
        const labels = pairs.map(([, l]) => l);
        const f1 = (c: number) => {
          const tp = pairs.filter(([p, l]) => p === c && l === c).length;
          const fp = pairs.filter(([p, l]) => p === c && l !== c).length;
          const fn = pairs.filter(([p, l]) => p !== c && l === c).length;
          return 2 * tp + fp + fn === 0 ? Number.NaN : (2 * tp) / (2 * tp + fp + fn);
        };
        const present = [f1(0), f1(1)].filter((v) => !Number.isNaN(v));
        const expected = present.reduce((s, v) => s + v, 0) / present.length;
        // The matrix always sums to n, and perfect predictions give macro-F1 = accuracy = 1.
        const counts = confusionMatrix(predictions, labels, 2);
        return Math.abs(macroF1(predictions, labels, 2) - expected) < 1e-12 && counts.reduce((s, v) => s + v, 0) === pairs.length && macroF1(labels, labels, 2) === accuracy(labels, labels);
      }),
    );
  });

  it('bad input names the argument', () => {
    expectUnbiasedError(() => macroF1([], [], 2), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => macroF1([0, 3], [0, 1], 2), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => macroF1([0, 1], [0, 2], 2), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => macroF1([0, 1], [0], 2), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => confusionMatrix([0], [0], 1), 'INVALID_ARGUMENT', 'classes');
    expectUnbiasedError(() => confusionMatrix([0.5], [0], 2), 'BAD_INPUT', 'predictions');
  });
});
