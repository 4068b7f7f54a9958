import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classificationScores,
  crossValidatedProbe,
  fitLogistic,
  impressionMetrics,
  meanReciprocalRank,
  predictLogistic,
  topKFeatureMeans,
} from '../src/index.js';

describe('accuracy and macro-F1', () => {
  it('classificationScores pairs accuracy with macro-F1 (hand-computed; the metrics are tested in @unbiased/metrics)', () => {
    // labels 0 0 0 1 1 2, predictions 0 1 0 1 2 2: accuracy 4/6; F1 per class 0.8, 0.5, 2/3.
    const scores = classificationScores([0, 1, 0, 1, 2, 2], [0, 0, 0, 1, 1, 2], 3);
    expect(scores.accuracy).toBeCloseTo(4 / 6, 12);
    expect(scores.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(() => classificationScores([0, 3], [0, 1], 2)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', field: 'predictions' }));
  });
});

/** Mean log loss + (l2/2)|w|^2 of a binary logistic model on standardised x, and its gradient, in float64. */
function binaryObjectiveGradient(x: number[][], y: number[], w: number[], b: number, l2: number): number[] {
  const d = w.length;
  const grad = new Array(d + 1).fill(0);
  x.forEach((row, i) => {
    const p = 1 / (1 + Math.exp(-(b + row.reduce((s, v, j) => s + v * (w[j] as number), 0))));
    const r = p - (y[i] as number);
    row.forEach((v, j) => {
      grad[j] += (r * v) / x.length;
    });
    grad[d] += r / x.length;
  });
  for (let j = 0; j < d; j++) grad[j] += l2 * (w[j] as number);
  return grad;
}

describe('logistic probe', () => {
  it('Newton reaches the stationary point of the L2-regularised log loss (independent float64 gradient)', () => {
    const rng = Rng.fromSeed(3);
    const n = 300;
    const raw = rng.normal(n * 2);
    const noise = rng.uniform(n);
    const x = Array.from({ length: n }, (_, i) => [raw[2 * i] as number, 3 + 2 * (raw[2 * i + 1] as number)]);
    const y = x.map((row, i) => ((noise[i] as number) < 1 / (1 + Math.exp(-(row[0]! - 0.5 * (row[1]! - 3)))) ? 1 : 0));
    const model = fitLogistic(x.flat(), y, { dim: 2, classes: 2 }, { l2: 0.01 });
    const standardised = x.map((row) => row.map((v, j) => (v - model.mean[j]!) * model.scale[j]!));
    const w = [model.weights[0]!, model.weights[1]!];
    const gradient = binaryObjectiveGradient(standardised, y, w, model.weights[2]!, 0.01);
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-9);
    expect(w[0]).toBeGreaterThan(0);
    expect(w[1]).toBeLessThan(0);
  });

  it('separates separable classes and is at chance on random labels; CV is deterministic given the rng', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (s) => {
        const rng = Rng.fromSeed(s);
        const n = 200;
        const labels = Int32Array.from(rng.uniform(n), (u) => (u < 0.5 ? 0 : 1));
        const noise = rng.normal(n * 3);
        const separable = Float64Array.from({ length: n * 3 }, (_, k) => (k % 3 === 0 ? 4 * (labels[Math.floor(k / 3)]! * 2 - 1) : 0) + (noise[k] as number) * 0.5);
        const probe = crossValidatedProbe(separable, labels, { dim: 3, classes: 2, rng: Rng.fromSeed(s + 1) });
        expect(probe.accuracy).toBeGreaterThan(0.97);
        const random = crossValidatedProbe(noise, labels, { dim: 3, classes: 2, rng: Rng.fromSeed(s + 1) });
        expect(random.accuracy).toBeLessThan(0.7);
        expect(crossValidatedProbe(noise, labels, { dim: 3, classes: 2, rng: Rng.fromSeed(s + 1) })).toEqual(random);
      }),
      { numRuns: 8 },
    );
  });

  it('handles more than two classes', () => {
    const rng = Rng.fromSeed(9);
    const n = 300;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const noise = rng.normal(n * 2);
    const centers = [
      [0, 3],
      [3, 0],
      [-3, -3],
    ];
    const x = Float64Array.from({ length: n * 2 }, (_, k) => (centers[labels[Math.floor(k / 2)]!] as number[])[k % 2]! + (noise[k] as number));
    const model = fitLogistic(x, labels, { dim: 2, classes: 3 });
    const predicted = predictLogistic(model, x, Array.from({ length: n }, (_, i) => i));
    expect(classificationScores(predicted, labels, 3).accuracy).toBeGreaterThan(0.9);
  });
});

describe('ranking metrics', () => {
  it('MRR, AUC and nDCG per impression, averaged; impressions without both labels are skipped', () => {
    // scores rank: doc2 (0.9), doc0 (0.5), doc3 (0.3), doc1 (0.1); clicks on doc0 and doc3 -> ranks 2 and 3.
    expect(meanReciprocalRank([0.5, 0.1, 0.9, 0.3], [1, 0, 0, 1])).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    const result = impressionMetrics([
      { scores: [0.5, 0.1, 0.9, 0.3], labels: [1, 0, 0, 1] },
      { scores: [2, 1], labels: [1, 0] },
      { scores: [1, 2], labels: [0, 0] },
    ]);
    // AUC: impression 1: positives {0.5, 0.3} vs negatives {0.1, 0.9}: pairs won 2 of 4 = 0.5; impression 2: 1.
    expect(result.auc).toBeCloseTo(0.75, 12);
    expect(result.skipped).toBe(1);
    expect(result.impressions).toBe(2);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(4);
    const ideal = 1 + 1 / Math.log2(3);
    expect(result.ndcg10).toBeCloseTo((dcg / ideal + 1) / 2, 12);
  });

  it('top-K feature means average the features of each user\'s list', () => {
    const features = [1, 0, 0, 1, 2, 2];
    expect(Array.from(topKFeatureMeans([0, 2, 1, 1], 2, features, 2))).toEqual([1.5, 1, 0, 1]);
    expect(() => topKFeatureMeans([0, 3], 2, features, 2)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', field: 'topK' }));
  });
});
