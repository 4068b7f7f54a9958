import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cosineDecaySchedule, getOptimizer, listOptimizers, signHyperparametersFromAdamW, TransformOptimizer } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { signum } from '@unbiased/optim-signsgd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../../tooling/vitest/backend.js';
import { stoSignAdam, stoSignLion, stoSignPlainSGD, stoSignSGD, stoSignSGDOptimizer } from '../src/index.js';
import '../src/register.js';
import { expectClose, expectParity, expectRestoreMismatchFails, expectUnbiasedError, fitLosses, optimizerTrajectory, runTrajectory } from '../../../../tooling/vitest/optim.js';

const STOSIGN_NAMES = ['stosignsgd', 'stosign-adam', 'stosign-lion', 'stosign-sgd'];

describe(`StoSign optimizers on ${testBackend}`, () => {
  it('registers stosignsgd, stosign-adam, stosign-lion and stosign-sgd with JSON-able defaults', () => {
    const registered = listOptimizers().map((e) => e.name);
    for (const name of STOSIGN_NAMES) {
      expect(registered).toContain(name);
      const entry = getOptimizer(name);
      expect(entry.packageName).toBe('@unbiased/optim-stosignsgd');
      expect(JSON.parse(JSON.stringify(entry.defaults))).toEqual(entry.defaults);
      expect(entry.defaults).toMatchObject({ learningRate: 1e-4, seed: 0 });
      expect(typeof entry.create().update).toBe('function');
    }
  });

  describe("impl 'fused' (the sign-momentum kernel, @unbiased/optim-sign-kernels) equals the reference path, and checkpoints move between them", () => {
    const start = { 'dense/kernel': [1, -2, 0.5, 3, 0, -0.25], 'dense/bias': [0.1, -0.1, 2] };
    // Exact zeros included: sign(0) = 0 on both paths (both use an exact sign; see core's exactSign).
    const grads = [
      { 'dense/kernel': [0.5, -1, 0.25, -0.3, 12, -7], 'dense/bias': [0.75, -2, 0.5] },
      { 'dense/kernel': [0.25, 1, -0.5, 1.5, -8, 0.5], 'dense/bias': [0, 4, -1] },
      { 'dense/kernel': [-0.75, 0.5, 2, 0, 1, 0.25], 'dense/bias': [-0.5, 0.5, 0.25] },
      { 'dense/kernel': [1, -2, 0.375, 2.5, 3, -1], 'dense/bias': [2, -0.25, 1] },
      { 'dense/kernel': [0, 0, 0, 0, 0, 0], 'dense/bias': [0, 0, 0] },
      { 'dense/kernel': [-3, 0.25, -0.5, 0.3, -0.4, 0.5], 'dense/bias': [1, 1, -1] },
    ];
    const cases: Parameters<typeof stoSignSGD>[0][] = [
      { learningRate: 0.1, seed: 1 },
      { learningRate: 0.1, beta1: 0, weightDecay: 0.05, seed: 2 },
      { learningRate: 0.1, noiseScale: 2, seed: 0xfeedface },
      { learningRate: 0.05, mode: 'restored', seed: 4 },
      { learningRate: 0.1, envelope: 'tensor', seed: 5 },
      { learningRate: 0.1, envelope: 'ema-max', envelopeDecay: 0.75, seed: 6 },
      { learningRate: (t) => 0.1 / (t + 1), weightDecay: 0.01, seed: 7 },
      { learningRate: 0.1, stateDtype: 'bf16', seed: 8 },
      { learningRate: 0.1, weightDecay: (t) => 0.1 / (t + 1), envelope: 'tensor', mode: 'restored', seed: 9 },
    ];
    cases.forEach((options, i) => {
      const label = JSON.stringify({ ...options, learningRate: typeof options.learningRate === 'number' ? options.learningRate : 'schedule' });
      it(`case ${i}: ${label}`, async () => {
        // Magnitudes: |p| <= 4 and restored steps <= lr * max S (12): float32 roundings are relative to 4 + 0.6.
        const reference = await runTrajectory(stoSignSGD(options), start, grads);
        expectParity(await runTrajectory(stoSignSGD({ ...options, impl: 'fused' }), start, grads), reference, 5);
        const referenceStep = await optimizerTrajectory(() => stoSignSGD(options), start, grads);
        expectParity(referenceStep, reference, 5);
        expectParity(await optimizerTrajectory(() => stoSignSGD({ ...options, impl: 'fused' }), start, grads), referenceStep, 5);
      });
    });
    // A TransformOptimizer checkpoint written under one impl restores under the other and continues bit for bit.
    const checkpointCases: Parameters<typeof stoSignSGD>[0][] = [
      { learningRate: 0.1, weightDecay: 0.05, seed: 11 },
      { learningRate: 0.05, mode: 'restored', seed: 12 },
      { learningRate: 0.1, envelope: 'tensor', seed: 13 },
      { learningRate: 0.05, envelope: 'tensor', mode: 'restored', weightDecay: 0.01, seed: 14 },
      { learningRate: 0.1, stateDtype: 'bf16', seed: 15 },
    ];
    for (const options of checkpointCases) {
      for (const [from, to] of [
        ['reference', 'fused'],
        ['fused', 'reference'],
      ] as const) {
        it(`checkpoint ${from} -> ${to}: ${JSON.stringify(options)}`, async () => {
          const straight = await optimizerTrajectory(() => stoSignSGD({ ...options, impl: from }), start, grads);
          const resumed = await optimizerTrajectory(() => stoSignSGD({ ...options, impl: from }), start, grads, {
            atStep: 3,
            into: () => stoSignSGD({ ...options, impl: to }),
          });
          expectParity(resumed, straight, 5);
        });
      }
    }
  });

  it('stoSignAdam with noiseScale 0 steps like sign(m) (Signum with beta = b1): sign-Adam', async () => {
    const start = { w: [1, -2, 0.5, 3] };
    const grads = [
      { w: [0.5, -1, 0.25, 3] },
      { w: [-1, 0.5, 0.25, -4] },
      { w: [0.1, 0.2, -2, 1] },
    ];
    const adam = await runTrajectory(stoSignAdam({ learningRate: 0.125, noiseScale: 0, seed: 0 }), start, grads);
    const sign = await runTrajectory(signum({ learningRate: 0.125, beta: 0.9 }), start, grads);
    // sign(m_hat / (sqrt(v_hat) + eps)) = sign(m): no m here is within rounding of 0, so both move by exactly lr.
    adam.forEach((row, t) => {
      expectClose(row.w!, sign[t]!.w!, 0, 1e-6, `step ${t + 1}`);
    });
  });

  it("restored StoSign-Adam is unbiased for Adam's step: the mean of K = 1e5 draws is Adam's update", async () => {
    // K copies of 4 coordinates; two steps. Float64 Adam (Kingma & Ba 2015) gives u_2 and S_2 = max(|u_1|, |u_2|).
    const K = 100_000;
    const g1 = [1, -0.5, 2, 0.25];
    const g2 = [0.25, -1, -1, 0.2];
    const lr = 1;
    const b1 = 0.9;
    const b2 = 0.999;
    const adamU = (gs: number[][]) =>
      g1.map((_, j) => {
        let m = 0;
        let v = 0;
        gs.forEach((g) => {
          m = b1 * m + (1 - b1) * g[j]!;
          v = b2 * v + (1 - b2) * g[j]! ** 2;
        });
        const t = gs.length;
        return m / (1 - b1 ** t) / (Math.sqrt(v / (1 - b2 ** t)) + 1e-8);
      });
    const u1 = adamU([g1]);
    const u2 = adamU([g1, g2]);
    const s2 = u1.map((u, j) => Math.max(Math.abs(u), Math.abs(u2[j]!)));
    const rows = await runTrajectory(
      stoSignAdam({ learningRate: lr, mode: 'restored', seed: 99, adamImpl: 'reference' }),
      { w: new Array(4 * K).fill(0) },
      [{ w: Array.from({ length: K }, () => g1).flat() }, { w: Array.from({ length: K }, () => g2).flat() }],
      { w: [K, 4] },
    );
    u2.forEach((u, j) => {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += -(rows[1]!.w![k * 4 + j]! - rows[0]!.w![k * 4 + j]!);
      const mean = sum / K;
      // 4 sigma of the mean of S sign(.) (variance S^2 - u^2), plus float32 rounding of u and S (1e-5 relative).
      const tol = 4 * Math.sqrt((s2[j]! ** 2 - u * u) / K) + 1e-5 * s2[j]!;
      expect(Math.abs(mean - u), `coordinate ${j}: ${mean} vs ${u}`).toBeLessThanOrEqual(tol);
    });
  });

  describe('as a tf.Optimizer with tfjs-layers model.fit', () => {
    // See packages/core/test/adapter.backend.test.ts: tfjs-backend-wasm's fusedMatMul trips tfjs's IS_TEST check.
    beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
    afterAll(() => tf.env().set('IS_TEST', true));

    for (const name of STOSIGN_NAMES) {
      it(`${name}: loss decreases and no tensor leaks across epochs`, async () => {
        const { initial, final } = await fitLosses(new TransformOptimizer(getOptimizer(name).create({ learningRate: 0.01, seed: 5 })));
        expect(final).toBeLessThan(initial * 0.5);
      });
    }

    it('stoSignSGDOptimizer: checkpoint (getWeights), restore (setWeights) and continue gives identical numbers', async () => {
      const n = 64;
      const x = tf.tidy(() => tf.reshape(tf.sin(tf.range(0, 4 * n)), [n, 4]));
      const y = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([0.5, -1, 0.25, 2])), 1, true));
      const model = tfl.sequential();
      model.add(tfl.layers.dense({ units: 8, inputShape: [4], activation: 'tanh' }));
      model.add(tfl.layers.dense({ units: 1 }));
      const options = { learningRate: 0.01, weightDecay: 0.01, seed: 17 };
      const optimizer = stoSignSGDOptimizer(options);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const trainThreeEpochs = () => model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
      const bits = async () => {
        const out: number[] = [];
        for (const w of model.getWeights()) out.push(...new Uint32Array(new Float32Array(await w.data()).buffer));
        return out;
      };
      await trainThreeEpochs();
      const savedModel = model.getWeights().map((w) => tf.clone(w));
      const savedOptimizer = await optimizer.getWeights();
      await trainThreeEpochs();
      const continued = await bits();

      model.setWeights(savedModel);
      const restored = stoSignSGDOptimizer(options);
      await restored.setWeights(savedOptimizer);
      expect(restored.iterations).toBe(12);
      model.compile({ optimizer: restored, loss: 'meanSquaredError' });
      await trainThreeEpochs();
      expect(await bits()).toEqual(continued);

      tf.dispose([...savedModel, ...savedOptimizer.map((w) => w.tensor), x, y]);
      model.dispose();
      optimizer.dispose();
      restored.dispose();
    });
  });

  it('a raw loop with minimize() and step() descends', async () => {
    // A fixed variable name: the dither stream is keyed by (seed, variable name), so the run is reproducible.
    const w = tf.variable(tf.tensor1d([2, -3, 1]), true, 'stosign_raw_loop_w');
    const target = tf.tensor1d([0.5, 0.5, -0.5]);
    // Annealed: at a constant lr the stochastic sign keeps a spread of about lr * G / (2a) around the optimum.
    const optimizer = stoSignSGDOptimizer({ learningRate: cosineDecaySchedule({ init: 0.2, decaySteps: 120 }), seed: 1 });
    const loss = () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar;
    const start = tf.tidy(loss);
    const initial = (await start.data())[0]!;
    for (let t = 0; t < 100; t++) optimizer.minimize(loss);
    for (let t = 0; t < 20; t++) {
      const { grads } = tf.variableGrads(loss);
      await optimizer.step(grads);
      tf.dispose(Object.values(grads));
    }
    const final = tf.tidy(loss);
    expect((await final.data())[0]!).toBeLessThan(0.05 * initial);
    tf.dispose([w, target, start, final]);
    optimizer.dispose();
  });

  for (const name of STOSIGN_NAMES) {
    it(`restoring ${name} state for different shapes or variables fails naming them`, async () => {
      await expectRestoreMismatchFails(() => getOptimizer(name).create({ learningRate: 0.1, seed: 3 }));
    });
  }

  it('rejects bad hyperparameters at construction naming the field', () => {
    const base = { learningRate: 1e-3, seed: 0 };
    expectUnbiasedError(() => stoSignSGD({ ...base, learningRate: -1e-3 }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => stoSignSGD({ ...base, beta1: 1 }), 'INVALID_HYPERPARAMETER', 'beta1');
    expectUnbiasedError(() => stoSignSGD({ ...base, beta1: -0.1 }), 'INVALID_HYPERPARAMETER', 'beta1');
    expectUnbiasedError(() => stoSignSGD({ ...base, weightDecay: -0.1 }), 'INVALID_HYPERPARAMETER', 'weightDecay');
    expectUnbiasedError(() => stoSignSGD({ ...base, noiseScale: -1 }), 'INVALID_HYPERPARAMETER', 'noiseScale');
    expectUnbiasedError(() => stoSignSGD({ ...base, noiseScale: Number.POSITIVE_INFINITY }), 'INVALID_HYPERPARAMETER', 'noiseScale');
    expectUnbiasedError(() => stoSignSGD({ ...base, envelope: 'row' as 'coord' }), 'INVALID_HYPERPARAMETER', 'envelope');
    expectUnbiasedError(() => stoSignSGD({ ...base, envelopeDecay: 0 }), 'INVALID_HYPERPARAMETER', 'envelopeDecay');
    expectUnbiasedError(() => stoSignSGD({ ...base, envelopeDecay: 1.5 }), 'INVALID_HYPERPARAMETER', 'envelopeDecay');
    expectUnbiasedError(() => stoSignSGD({ ...base, mode: 'scaled' as 'bounded' }), 'INVALID_HYPERPARAMETER', 'mode');
    expectUnbiasedError(() => stoSignSGD({ learningRate: 1e-3 } as Parameters<typeof stoSignSGD>[0]), 'INVALID_ARGUMENT', 'seed');
    expectUnbiasedError(() => stoSignSGD({ ...base, seed: -1 }), 'INVALID_ARGUMENT', 'seed');
    expectUnbiasedError(() => stoSignSGD({ ...base, seed: 1.5 }), 'INVALID_ARGUMENT', 'seed');
    expectUnbiasedError(() => stoSignSGD({ ...base, impl: 'gpu' as 'fused' }), 'INVALID_ARGUMENT', 'impl');
    expectUnbiasedError(() => stoSignSGD({ ...base, impl: 'fused', stateDtype: 'e4m3' }), 'INVALID_HYPERPARAMETER', 'stateDtype');
    expectUnbiasedError(() => stoSignSGD({ ...base, impl: 'fused', noiseScale: -1 }), 'INVALID_HYPERPARAMETER', 'noiseScale');
    expectUnbiasedError(() => stoSignSGD({ ...base, stateDtype: 'fp16' as 'bf16' }), 'INVALID_HYPERPARAMETER', 'stateDtype');
    expectUnbiasedError(() => stoSignPlainSGD({ ...base, stateDtype: 'fp16' as 'bf16' }), 'INVALID_HYPERPARAMETER', 'stateDtype');
    expectUnbiasedError(() => stoSignAdam({ ...base, b1: 1 }), 'INVALID_HYPERPARAMETER', 'b1');
    expectUnbiasedError(() => stoSignAdam({ ...base, b2: -1 }), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => stoSignAdam({ ...base, eps: -1 }), 'INVALID_HYPERPARAMETER', 'eps');
    expectUnbiasedError(() => stoSignLion({ ...base, b2: 1.5 }), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => stoSignLion({ ...base, noiseScale: -0.5 }), 'INVALID_HYPERPARAMETER', 'noiseScale');
    expectUnbiasedError(() => stoSignPlainSGD({ ...base, learningRate: Number.NaN }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => stoSignPlainSGD({ learningRate: 1e-3 } as Parameters<typeof stoSignPlainSGD>[0]), 'INVALID_ARGUMENT', 'seed');
  });

  it('a learning-rate schedule that returns NaN fails at that step with BAD_SCHEDULE', async () => {
    const tx = stoSignSGD({ learningRate: (t) => (t < 1 ? 0.1 : Number.NaN), seed: 0 });
    const error = await runTrajectory(tx, { w: [1] }, [{ w: [1] }, { w: [1] }]).catch((e: unknown) => e);
    expect(isUnbiasedError(error, 'BAD_SCHEDULE')).toBe(true);
    expect((error as { field?: string }).field).toBe('learningRate');
  });

  it('signHyperparametersFromAdamW feeds stoSignSGD directly', async () => {
    const transferred = signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: 0.01 });
    const tx = stoSignSGD({ ...transferred, seed: 0 });
    // One step from p = 1 with g = 1: -lr (1 + wd * 1) = -1e-4 * 1.1.
    const [row] = await runTrajectory(tx, { w: [1] }, [{ w: [1] }]);
    expectClose(row!.w!, [1 - 1e-4 * 1.1], 0, 1e-7);
  });
});

// The optimizer conformance (float64 reference, fused = reference, checkpoints, leaks, errors) is the table in
// tooling/conformance/table.backend.test.ts, driven by this package's registry entries and their variants.
