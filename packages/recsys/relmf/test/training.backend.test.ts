// See mf-gradients.backend.test.ts: the reference (autodiff) path needs the ES build's op handler.
import * as tf from '@tensorflow/tfjs-core';
import { Rng, scaleByLearningRate } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../../tooling/vitest/backend.js';
import {
  allPairs,
  fullBatch,
  generateMnarToy,
  type GradientImpl,
  MatrixFactorization,
  naive,
  type PairBatch,
  pairPropensities,
  relMf,
  trainMatrixFactorization,
  uniformBatches,
} from '../src/index.js';
import { expectAllClose, expectUnbiased } from './helpers.js';

const toy = generateMnarToy(Rng.fromSeed(9).fold('toy'), { numUsers: 40, numItems: 12, testItemsPerUser: 3 });
const grid = allPairs(toy.numUsers, toy.numItems);
const pairs: PairBatch = {
  users: grid.users,
  items: grid.items,
  labels: Float32Array.from(toy.clicks),
  propensities: pairPropensities(toy.exposure, grid.items),
};

async function parameters(model: MatrixFactorization): Promise<number[]> {
  const out: number[] = [];
  for (const v of Object.values(model.variables)) out.push(...(await read(v)));
  return out;
}

function newModel(seed = 1): MatrixFactorization {
  return new MatrixFactorization({ numUsers: toy.numUsers, numItems: toy.numItems, dim: 4, rng: Rng.fromSeed(seed).fold('model') });
}

describe(`training on ${testBackend}`, () => {
  it('leaks no tensor across steps, and frees everything but the model at the end', async () => {
    const model = newModel();
    const start = tf.memory().numTensors;
    const atWindow: number[] = [];
    await trainMatrixFactorization(model, uniformBatches(pairs, { batchSize: 64, rng: Rng.fromSeed(2) }), {
      estimator: relMf(),
      steps: 24,
      checkEvery: 4,
      onStep: (step) => {
        if (step % 4 === 0) atWindow.push(tf.memory().numTensors);
      },
    });
    // at every window boundary: the model, the optimizer state, and one pending read
    expect(new Set(atWindow).size).toBe(1);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('is deterministic for a seed (fused kernel, minibatches)', async () => {
    const run = async () => {
      const model = newModel(3);
      const result = await trainMatrixFactorization(model, uniformBatches(pairs, { batchSize: 50, rng: Rng.fromSeed(4) }), {
        estimator: relMf(),
        loss: 'log',
        steps: 15,
        learningRate: 0.05,
        checkEvery: 5,
      });
      const params = await parameters(model);
      model.dispose();
      return { params, curve: result.curve };
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.curve.step).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('reduces the objective (full batch, squared loss, Adam)', async () => {
    const model = newModel();
    const { curve, steps, aborted } = await trainMatrixFactorization(model, fullBatch(pairs), { estimator: naive(), steps: 40, learningRate: 0.05 });
    expect(steps).toBe(40);
    expect(aborted).toBe(false);
    expect(curve.loss[39]!).toBeLessThan(0.5 * curve.loss[0]!);
    model.dispose();
  });

  it('fused and reference gradients give the same SGD trajectory', async () => {
    const final: Record<string, number[]> = {};
    for (const impl of ['fused', 'reference'] as GradientImpl[]) {
      const model = newModel(5);
      await trainMatrixFactorization(model, fullBatch(pairs), { estimator: relMf(), loss: 'log', transform: scaleByLearningRate(0.5), steps: 10, impl });
      final[impl] = await parameters(model);
      model.dispose();
    }
    // ten SGD steps compound the float32 differences of the two gradient paths (~1e-7 relative per step)
    expectAllClose(final.fused!, final.reference!, { rel: 1e-4, abs: 1e-5 });
  });

  it('stops with NON_FINITE naming the step where the loss stopped being finite', async () => {
    const model = newModel();
    // lr jumps to 1e30 on the 4th update: the parameters reach ~1e28, so the objective of step 5
    // (evaluated before its update) has an L2 term ||P||^2 beyond float32 (Infinity).
    const transform = scaleByLearningRate((t) => (t < 3 ? 0.01 : 1e30));
    let last = 0;
    const error = await expectUnbiased(
      () =>
        trainMatrixFactorization(model, fullBatch(pairs), {
          estimator: naive(),
          transform,
          steps: 50,
          l2: 1e-4,
          checkEvery: 2,
          onStep: (step) => {
            last = step;
          },
        }),
      'NON_FINITE',
      'loss',
    );
    expect(error.message).toContain('at step 5');
    // found while training, not at the end: at most two windows after step 5
    expect(last).toBeLessThanOrEqual(8);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    model.dispose();
  });

  it('the clipped log-loss Rel-MF objective stays finite under full-batch Adam', async () => {
    const model = newModel(6);
    const { curve } = await trainMatrixFactorization(model, fullBatch(pairs), { estimator: relMf(), loss: 'log', steps: 60, learningRate: 0.1 });
    expect(curve.loss.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('bad input: missing propensities, ids out of range, bad options', async () => {
    const model = newModel();
    const withoutTheta = { users: pairs.users, items: pairs.items, labels: pairs.labels };
    await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(withoutTheta), { estimator: relMf(), steps: 1 }), 'BAD_INPUT', 'propensities');
    const badTheta = { ...pairs, propensities: Float32Array.from(pairs.propensities!, (t, j) => (j === 7 ? 0 : t)) };
    const e = await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(badTheta), { estimator: relMf(), steps: 1 }), 'BAD_INPUT', 'propensities');
    expect(e.message).toContain('propensities[7]');
    const badUser = { ...pairs, users: Int32Array.from(pairs.users, (u, j) => (j === 3 ? toy.numUsers : u)) };
    await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(badUser), { estimator: naive(), steps: 1 }), 'BAD_INPUT', 'users');
    await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(pairs), { estimator: naive(), steps: 0 }), 'INVALID_ARGUMENT', 'steps');
    await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(pairs), { estimator: naive(), steps: 1, impl: 'fast' as GradientImpl }), 'INVALID_ARGUMENT', 'impl');
    await expectUnbiased(() => trainMatrixFactorization(model, fullBatch(pairs), { estimator: naive(), steps: 1, l2: -1 }), 'INVALID_ARGUMENT', 'l2');
    model.dispose();
  });

  it('scores every pair like the per-pair logits', async () => {
    const model = newModel(7);
    const all = model.scoreAll();
    const users = tf.tensor1d([0, 3, 39], 'int32');
    const items = tf.tensor1d([11, 0, 5], 'int32');
    const some = model.logits(users, items);
    const dense = await read(all);
    expectAllClose(await read(some), [dense[11]!, dense[3 * 12]!, dense[39 * 12 + 5]!], { rel: 1e-5, abs: 1e-6 });
    tf.dispose([all, users, items, some]);
    model.dispose();
  });
});
