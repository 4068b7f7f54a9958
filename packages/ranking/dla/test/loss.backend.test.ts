import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clickWeightedSoftmaxLoss, ipwWeightsFromPropensities, weightsRelativeToFirst } from '../src/index.js';
import { expectAllClose, expectUnbiasedError, type LossCase, lossTensors, read, seeded, softmaxLossReference, testBackend } from './helpers.js';

// Float32 loss vs float64 reference: a log-sum-exp and two sums of ~20 terms of size O(10): relative 2e-5
// (~150 ulp) plus 1e-5 absolute covers the roundings on every backend (WebGPU exp/log are a few ulp).
const REL = 2e-5;
const ABS = 1e-5;

async function libraryLoss(c: LossCase): Promise<number> {
  const t = lossTensors(c);
  const loss = clickWeightedSoftmaxLoss(t.logits, t.labels, {
    ...(t.mask ? { mask: t.mask } : {}),
    ...(t.positionWeights ? { positionWeights: t.positionWeights } : {}),
    ...(t.listWeights ? { listWeights: t.listWeights } : {}),
    ...(c.maxWeight !== undefined ? { maxWeight: c.maxWeight } : {}),
    ...(c.reduction ? { reduction: c.reduction } : {}),
  });
  const value = (await read(loss))[0] as number;
  tf.dispose([loss, ...Object.values(t)]);
  return value;
}

function randomCase(seed: number, batchSize = 3, listSize = 5): LossCase {
  const rand = seeded(seed);
  const n = batchSize * listSize;
  return {
    batchSize,
    listSize,
    logits: Array.from({ length: n }, () => 4 * rand() - 2),
    labels: Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0)),
    mask: Array.from({ length: n }, (_, k) => (k % listSize < listSize - (Math.floor(k / listSize) % 3) ? 1 : 0)),
    positionWeights: Array.from({ length: n }, () => 0.5 + 8 * rand()),
    listWeights: Array.from({ length: batchSize }, () => 0.2 + rand()),
  };
}

describe(`click-weighted softmax loss on ${testBackend}`, () => {
  it('matches the float64 reference with masks, position and list weights, both reductions', async () => {
    for (const seed of [1, 2, 3]) {
      const c = randomCase(seed);
      c.labels[0] = 1; // at least one click
      for (const reduction of ['weighted-mean', 'sum'] as const) {
        const got = await libraryLoss({ ...c, reduction });
        expectAllClose([got], [softmaxLossReference({ ...c, reduction })], REL, ABS);
      }
    }
    // [L]-shaped position weights broadcast over the batch; no mask; graded labels.
    const plain: LossCase = { batchSize: 2, listSize: 4, logits: [0.3, -1, 2, 0.5, 1, 1, -0.2, 3], labels: [1, 0, 3, 0, 0, 7, 1, 0], positionWeights: [1, 2, 4, 8] };
    expectAllClose([await libraryLoss(plain)], [softmaxLossReference(plain)], REL, ABS);
  });

  it('gradients with respect to the logits match central finite differences of the float64 reference', async () => {
    const c = randomCase(7, 3, 4);
    c.labels = [1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0];
    const t = lossTensors(c);
    const grad = tf.grad((f: tf.Tensor) =>
      clickWeightedSoftmaxLoss(f, t.labels, { mask: t.mask as tf.Tensor, positionWeights: t.positionWeights as tf.Tensor, listWeights: t.listWeights as tf.Tensor }),
    )(t.logits);
    const got = await read(grad);
    const h = 1e-5;
    const want = c.logits.map((_, k) => {
      const up = [...c.logits];
      const down = [...c.logits];
      up[k] = (up[k] as number) + h;
      down[k] = (down[k] as number) - h;
      return (softmaxLossReference({ ...c, logits: up }) - softmaxLossReference({ ...c, logits: down })) / (2 * h);
    });
    // Finite differences in float64 are accurate to ~1e-10; the float32 gradient to ~1e-6 of O(1) terms.
    expectAllClose(got, want, 1e-4, 1e-5);
    // Padded positions get exactly zero gradient.
    c.mask?.forEach((m, k) => {
      if (m === 0) expect(got[k]).toBe(0);
    });
    tf.dispose([grad, ...Object.values(t)]);
  });

  it('a list without clicks contributes zero loss and zero, finite gradients; a batch without clicks has loss 0', async () => {
    const c = randomCase(11);
    const noClicks = { ...c, labels: c.labels.map(() => 0) };
    expect(Math.abs(await libraryLoss(noClicks))).toBe(0);
    const t = lossTensors(noClicks);
    const grad = tf.grad((f: tf.Tensor) => clickWeightedSoftmaxLoss(f, t.labels, { mask: t.mask as tf.Tensor, positionWeights: t.positionWeights as tf.Tensor }))(t.logits);
    const values = await read(grad);
    expect(values.every((v) => Math.abs(v) === 0)).toBe(true);
    tf.dispose([grad, ...Object.values(t)]);
    // Adding a zero-click list to a batch changes neither the loss nor the other lists' gradients.
    const one: LossCase = { batchSize: 1, listSize: 3, logits: [1, 0.2, -0.5], labels: [0, 1, 0] };
    const two: LossCase = { batchSize: 2, listSize: 3, logits: [1, 0.2, -0.5, 9, -9, 3], labels: [0, 1, 0, 0, 0, 0] };
    expectAllClose([await libraryLoss(two)], [await libraryLoss(one)], 1e-6, 1e-7);
  });

  it('padded positions never affect the loss or the gradients, whatever they hold (NaN included)', async () => {
    const c = randomCase(5, 2, 5);
    c.mask = [1, 1, 1, 0, 0, 1, 1, 0, 0, 0];
    c.labels = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1];
    delete c.listWeights;
    const garbage = { ...c, logits: c.logits.map((v, k) => (c.mask?.[k] === 0 ? (k % 2 === 0 ? Number.NaN : 1e30) : v)), positionWeights: (c.positionWeights as number[]).map((v, k) => (c.mask?.[k] === 0 ? Number.NaN : v)) };
    const results: number[][] = [];
    for (const variant of [c, garbage]) {
      const t = lossTensors(variant);
      const { value, grads } = tf.tidy(() => {
        const f = (x: tf.Tensor) => clickWeightedSoftmaxLoss(x, t.labels, { mask: t.mask as tf.Tensor, positionWeights: t.positionWeights as tf.Tensor });
        return { value: f(t.logits), grads: tf.grad(f)(t.logits) };
      });
      results.push([...(await read(value)), ...(await read(grads))]);
      tf.dispose([value, grads, ...Object.values(t)]);
    }
    expect(results[1]).toEqual(results[0]);
    expect((results[0] as number[]).every(Number.isFinite)).toBe(true);
    expectAllClose([(results[0] as number[])[0] as number], [softmaxLossReference(c)], REL, ABS);
  });

  it('maxWeight really clips: it equals the reference with min(w, M), and differs from the unclipped loss', async () => {
    const c: LossCase = { batchSize: 1, listSize: 4, logits: [0.5, 0.1, -0.3, 0.2], labels: [1, 0, 1, 1], positionWeights: [1, 3, 12, 40] };
    const clipped = await libraryLoss({ ...c, maxWeight: 10 });
    expectAllClose([clipped], [softmaxLossReference({ ...c, positionWeights: [1, 3, 10, 10] })], REL, ABS);
    expect(Math.abs(clipped - (await libraryLoss(c)))).toBeGreaterThan(1e-3);
    const w = weightsRelativeToFirst(tf.tensor1d([0, -1, -3, -5]), { maxWeight: 10 });
    expectAllClose(await read(w), [1, Math.E, 10, 10], 1e-6, 0);
    w.dispose();
    expectAllClose(ipwWeightsFromPropensities([0.68, 0.34, 0.06], { maxWeight: 10 }), [1, 2, 10], 1e-12, 0);
  });

  it('weights are 1 at position 1 and do not change when a constant is added to the logits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 2, maxLength: 10 }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        async (g, shift) => {
          const a = weightsRelativeToFirst(tf.tensor1d(g));
          const b = weightsRelativeToFirst(tf.tensor1d(g.map((x) => x + shift)));
          const [wa, wb] = [await read(a), await read(b)];
          tf.dispose([a, b]);
          expect(wa[0]).toBe(1);
          // exp(g_1 - g_i) of float32 logits up to |8|: relative 2e-5 after a shift of up to 20 (rounding of g + c).
          expectAllClose(wb, wa, 2e-5, 0);
          expectAllClose(wa, g.map((x) => Math.exp((g[0] as number) - x)), 2e-5, 0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('the loss is unchanged by f -> f + c per list and by scaling all weights (normalised form)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), async (seed, shift, factor) => {
        const c = randomCase(seed);
        c.labels[0] = 1;
        const base = await libraryLoss(c);
        const shifted = await libraryLoss({ ...c, logits: c.logits.map((v) => v + shift) });
        const scaled = await libraryLoss({ ...c, positionWeights: (c.positionWeights as number[]).map((w) => w * factor) });
        expectAllClose([shifted, scaled], [base, base], 1e-4, 1e-5);
      }),
      { numRuns: 10 },
    );
  });

  it('bad inputs throw UnbiasedError naming the field', () => {
    const f = tf.zeros([2, 3]);
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(f, tf.zeros([2, 4])), 'SHAPE_MISMATCH', 'labels');
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(f, tf.zeros([2, 3]), { mask: tf.ones([3, 2]) }), 'SHAPE_MISMATCH', 'mask');
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(f, tf.zeros([2, 3]), { listWeights: tf.ones([3]) }), 'SHAPE_MISMATCH', 'listWeights');
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(f, tf.zeros([2, 3]), { positionWeights: tf.ones([4]) }), 'SHAPE_MISMATCH', 'positionWeights');
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(tf.zeros([6]), tf.zeros([6])), 'SHAPE_MISMATCH', 'logits');
    expectUnbiasedError(() => clickWeightedSoftmaxLoss(f, tf.zeros([2, 3]), { maxWeight: 0 }), 'INVALID_HYPERPARAMETER', 'maxWeight');
    expectUnbiasedError(() => ipwWeightsFromPropensities([0.5, 0]), 'BAD_PROPENSITY', 'propensities[1]');
    expectUnbiasedError(() => ipwWeightsFromPropensities([1.5, 0.5]), 'BAD_PROPENSITY', 'propensities[0]');
    expectUnbiasedError(() => ipwWeightsFromPropensities([0.5, Number.NaN]), 'BAD_PROPENSITY', 'propensities[1]');
    tf.disposeVariables();
  });
});
