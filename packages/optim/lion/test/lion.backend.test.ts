import * as tf from '@tensorflow/tfjs-core';
import { getOptimizer, TransformOptimizer } from '@unbiased/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../../tooling/vitest/backend.js';
import { lion, lionDirection } from '../src/index.js';
import '../src/register.js';
import { expectClose, expectParity, expectRestoreMismatchFails, expectUnbiasedError, fitLosses, optimizerTrajectory, runTrajectory } from '../../../../tooling/vitest/optim.js';

// Parameters vs the float64 reference: the sign of c is exact (every c below is 0 or >= 1e-5 in magnitude,
// far from float32 rounding), so each step adds 3 float32 roundings of values below 4: <= 3 * 2^-24 * 4 per
// step, below 5e-6 over 7 steps. rel 1e-6 plus abs 5e-6.
const REL = 1e-6;
const ABS = 5e-6;

const start = { w: [1, -2, 0.5, 3, 0, -0.25], b: [0.1, -0.1] };
const grads = [
  { w: [0.5, -1, 0, 3e-4, 12, -7], b: [1e-3, -2] },
  { w: [0.25, 1, -0.5, 1e-3, -8, 0.5], b: [0, 4] },
  { w: [-0.75, 0.5, 2, 0, 1, 0.25], b: [-1e-3, 0.5] },
  { w: [1, -2, 0.125, 5e-2, 3, -1], b: [2, -0.25] },
  { w: [0, 0, 0, 0, 0, 0], b: [0, 0] },
  { w: [-3, 0.1, -0.2, 0.3, -0.4, 0.5], b: [1, 1] },
  { w: [0.3, -0.3, 0.2, -0.2, 0.1, -0.1], b: [-0.5, 0.5] },
];

/** Lion (Chen et al. 2023, Program 1) in float64, written from the paper: c = b1 m + (1-b1) g; p -= lr (sign(c) + wd p); m = b2 m + (1-b2) g. */
function lionReference(lr: number, b1: number, b2: number, wd: number): Record<string, number[]>[] {
  const p: Record<string, number[]> = { w: [...start.w], b: [...start.b] };
  const m: Record<string, number[]> = { w: start.w.map(() => 0), b: start.b.map(() => 0) };
  return grads.map((g) => {
    for (const k of ['w', 'b'] as const) {
      g[k].forEach((gi, i) => {
        const c = b1 * m[k]![i]! + (1 - b1) * gi;
        p[k]![i] = p[k]![i]! - lr * (Math.sign(c) + wd * p[k]![i]!);
        m[k]![i] = b2 * m[k]![i]! + (1 - b2) * gi;
      });
    }
    return { w: [...p.w!], b: [...p.b!] };
  });
}

describe(`lion on ${testBackend}`, () => {
  it('matches float64 Lion with decoupled weight decay (default and other betas)', async () => {
    for (const [b1, b2] of [
      [0.9, 0.99],
      [0.5, 0.9],
      [0.95, 0.98],
    ] as const) {
      const got = await runTrajectory(lion({ learningRate: 0.1, b1, b2, weightDecay: 0.05 }), start, grads);
      const want = lionReference(0.1, b1, b2, 0.05);
      got.forEach((row, t) => {
        for (const k of ['w', 'b']) expectClose(row[k]!, want[t]![k]!, REL, ABS, `b=(${b1},${b2}) step ${t + 1} ${k}`);
      });
    }
  });

  it('lionDirection outputs b1 m + (1-b1) g and carries m = b2 m + (1-b2) g (float64 reference, property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.float({ min: 0, max: Math.fround(0.999), noNaN: true }),
        fc.float({ min: 0, max: Math.fround(0.999), noNaN: true }),
        async (seq, b1, b2) => {
          const tx = lionDirection({ b1, b2 });
          const p = { w: tf.zeros([4]) };
          let state = tx.init(p);
          let m = [0, 0, 0, 0];
          for (const g of seq) {
            const gt = { w: tf.tensor1d(g) };
            const { updates, state: next } = tx.update(gt, state, p);
            // Two float32 products and a sum: <= 3 * 2^-24 relative to max(|m|, |g|) <= 100, plus the carried
            // rounding of m (same bound per step): 5 steps -> abs 1e-4 on values up to 100.
            expectClose(await read(updates.w!), m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!), 0, 1e-4, 'c');
            m = m.map((mi, i) => b2 * mi + (1 - b2) * g[i]!);
            expectClose(await read(next.m.w!), m, 0, 1e-4, 'm');
            tf.dispose([gt.w, updates.w!, ...Object.values(state.m)]);
            state = next;
          }
          tf.dispose([p.w, ...Object.values(state.m)]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("impl 'fused' (@unbiased/optim-sign-kernels) equals the reference path, through update() and through applyStep", async () => {
    for (const options of [
      { learningRate: 0.1, weightDecay: 0.05 },
      { learningRate: 0.25, b1: 0.5, b2: 0.9 },
      { learningRate: (t: number) => 0.1 / (t + 1), weightDecay: (t: number) => 0.05 * (t + 1) },
    ]) {
      const reference = await runTrajectory(lion(options), start, grads);
      expectParity(await runTrajectory(lion({ ...options, impl: 'fused' }), start, grads), reference, 4);
      const referenceStep = await optimizerTrajectory(() => lion(options), start, grads);
      expectParity(referenceStep, reference, 4);
      expectParity(await optimizerTrajectory(() => lion({ ...options, impl: 'fused' }), start, grads), referenceStep, 4);
    }
  });

  it("a checkpoint written under impl 'reference' restores under 'fused' and back, and continues bit for bit", async () => {
    const options = { learningRate: 0.1, weightDecay: 0.05 };
    for (const [from, to] of [
      ['reference', 'fused'],
      ['fused', 'reference'],
    ] as const) {
      const straight = await optimizerTrajectory(() => lion({ ...options, impl: from }), start, grads);
      expectParity(await optimizerTrajectory(() => lion({ ...options, impl: from }), start, grads, { atStep: 3, into: () => lion({ ...options, impl: to }) }), straight, 4);
    }
  });

  it('with b1 = b2 Lion is Signum (the two decays are what separate them)', async () => {
    const rows = await runTrajectory(lion({ learningRate: 0.1, b1: 0.9, b2: 0.9 }), start, grads);
    const p: Record<string, number[]> = { w: [...start.w], b: [...start.b] };
    const m: Record<string, number[]> = { w: start.w.map(() => 0), b: start.b.map(() => 0) };
    grads.forEach((g, t) => {
      for (const k of ['w', 'b'] as const) {
        g[k].forEach((gi, i) => {
          m[k]![i] = 0.9 * m[k]![i]! + 0.1 * gi;
          p[k]![i] = p[k]![i]! - 0.1 * Math.sign(m[k]![i]!);
        });
        expectClose(rows[t]![k]!, p[k]!, REL, ABS, `step ${t + 1} ${k}`);
      }
    });
  });

  it('a tiny direction (|c| < 2^-23) still moves its coordinate by exactly lr', async () => {
    const tiny = [1e-6, -1e-8, 1e-19, 1e-37];
    const rows = await runTrajectory(lion({ learningRate: 0.5 }), { w: [0, 0, 0, 0] }, [{ w: tiny }]);
    expect(rows[0]!.w).toEqual(tiny.map((g) => -0.5 * Math.sign(g)));
  });

  describe('as a tf.Optimizer with tfjs-layers model.fit', () => {
    // See packages/core/test/adapter.backend.test.ts: tfjs-backend-wasm's fusedMatMul trips tfjs's IS_TEST check.
    beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
    afterAll(() => tf.env().set('IS_TEST', true));
    it('loss decreases and no tensor leaks across epochs', async () => {
      const { initial, final } = await fitLosses(new TransformOptimizer(getOptimizer('lion').create({ learningRate: 0.01 })));
      expect(final).toBeLessThan(initial * 0.5);
    });
  });

  it('restoring lion state for different shapes or variables fails naming them', async () => {
    await expectRestoreMismatchFails(() => lion({ learningRate: 0.1 }));
  });

  it('rejects bad hyperparameters naming the field', () => {
    expectUnbiasedError(() => lion({ learningRate: -1e-4 }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => lion({ learningRate: 1e-4, b1: 1 }), 'INVALID_HYPERPARAMETER', 'b1');
    expectUnbiasedError(() => lion({ learningRate: 1e-4, b2: -0.5 }), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => lion({ learningRate: 1e-4, weightDecay: -1 }), 'INVALID_HYPERPARAMETER', 'weightDecay');
    expectUnbiasedError(() => lionDirection({ b2: 1.5 }), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => lion({ learningRate: 1e-4, impl: 'gpu' as 'fused' }), 'INVALID_ARGUMENT', 'impl');
    expectUnbiasedError(() => lion({ learningRate: 1e-4, impl: 'fused', b2: 1 }), 'INVALID_HYPERPARAMETER', 'b2');
  });

  it('registers lion with usable defaults', () => {
    const entry = getOptimizer('lion');
    expect(entry.packageName).toBe('@unbiased/optim-lion');
    expect(entry.defaults).toMatchObject({ learningRate: 1e-4, b1: 0.9, b2: 0.99, weightDecay: 0 });
  });
});

// The optimizer conformance (float64 reference, fused = reference, checkpoints, leaks, errors) is the table in
// tooling/conformance/table.backend.test.ts, driven by this package's registry entries and their variants.
