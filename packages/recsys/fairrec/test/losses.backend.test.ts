import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeCrossEntropy, confusionLoss, orthogonalityLoss, rankingLoss } from '../src/index.js';
import { expectClose, read } from './helpers.js';

/** mean_i |a_i . b_i| / (|a_i| |b_i|) in float64 (FairRec's L_D), with the same 1e-12 under the roots. */
function orthogonalityReference(a: number[][], b: number[][]): number {
  const terms = a.map((ai, i) => {
    const bi = b[i] as number[];
    const dot = ai.reduce((s, v, j) => s + v * (bi[j] as number), 0);
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) + 1e-12);
    return Math.abs(dot) / (norm(ai) * norm(bi));
  });
  return terms.reduce((s, t) => s + t, 0) / terms.length;
}

const vector = fc.array(fc.double({ min: -3, max: 3, noNaN: true }).map(Math.fround), { minLength: 4, maxLength: 4 });

describe('orthogonality loss L_D', () => {
  it('is 1 for parallel and anti-parallel pairs, 0 for orthogonal ones', async () => {
    const a = [
      [1, 2, 0],
      [1, 2, 0],
      [3, 0, 0],
    ];
    const b = [
      [2, 4, 0],
      [-0.5, -1, 0],
      [0, 0, 5],
    ];
    const perPair = await Promise.all(a.map((ai, i) => read(orthogonalityLoss(tf.tensor2d([ai]), tf.tensor2d([b[i] as number[]]))).then((v) => v[0] as number)));
    expectClose(perPair, [1, 1, 0], { rel: 1e-6, abs: 1e-7 });
  });

  it('matches a float64 reference on random batches (fast-check), and a zero vector gives 0 with finite gradients', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(vector, vector), { minLength: 1, maxLength: 5 }), async (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const value = orthogonalityLoss(tf.tensor2d(a), tf.tensor2d(b));
        // float32 dot products and norms of 4 entries of order 1: relative 1e-5; near-zero vectors
        // (where the 1e-12 dominates) are compared with an absolute 1e-5.
        expectClose(await read(value), [orthogonalityReference(a, b)], { rel: 1e-5, abs: 1e-5 });
        value.dispose();
      }),
      { numRuns: 60 },
    );
    const grad = tf.grad((x: tf.Tensor) => orthogonalityLoss(x as tf.Tensor2D, tf.tensor2d([[1, 2, 3]])));
    const g = await read(grad(tf.zeros([1, 3])));
    expect(g.every(Number.isFinite)).toBe(true);
    expect(await read(orthogonalityLoss(tf.zeros([1, 3]) as tf.Tensor2D, tf.tensor2d([[1, 2, 3]])))).toEqual([0]);
  });
});

describe('ranking and attribute losses', () => {
  it('ranking loss = mean(logsumexp(row) - row[0]) with weights, mask and clipping (float64 reference)', async () => {
    const scores = [
      [2, 1, 0.5, -1, 0],
      [0, 3, 1, 1, -2],
      [40, -40, 0, 1, 2],
    ];
    const per = scores.map((row) => {
      const max = Math.max(...row);
      return max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - (row[0] as number);
    });
    expectClose(await read(rankingLoss(tf.tensor2d(scores))), [(per[0]! + per[1]! + per[2]!) / 3], { rel: 1e-6 });
    const weighted = rankingLoss(tf.tensor2d(scores), { weights: tf.tensor1d([2, 5, 1]), mask: tf.tensor1d([1, 1, 0]), maxWeight: 3 });
    expectClose(await read(weighted), [(2 * per[0]! + 3 * per[1]!) / 2], { rel: 1e-6 });
  });

  it('attribute cross-entropy and the confusion loss (log C at uniform outputs)', async () => {
    const logits = [
      [0.2, -1],
      [3, 1],
    ];
    const labels = [1, 0];
    const expected = logits.map((row, i) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return lse - (row[labels[i] as number] as number);
    });
    expectClose(await read(attributeCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'))), [(expected[0]! + expected[1]!) / 2], { rel: 1e-6 });
    expectClose(await read(confusionLoss(tf.tensor2d([[5, 5, 5]]))), [Math.log(3)], { rel: 1e-6 });
    const confusion = logits.map((row) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return row.reduce((s, v) => s + (lse - v), 0) / row.length;
    });
    expectClose(await read(confusionLoss(tf.tensor2d(logits))), [(confusion[0]! + confusion[1]!) / 2], { rel: 1e-6 });
  });
});
