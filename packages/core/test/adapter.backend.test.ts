import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { chain, scaleByAdam, scaleByLearningRate, TransformOptimizer } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';
import { dataset, makeModel } from '../../../tooling/vitest/optim.js';

async function weightsBits(model: tfl.LayersModel): Promise<number[]> {
  const out: number[] = [];
  for (const w of model.getWeights()) out.push(...new Uint32Array(new Float32Array(await w.data()).buffer));
  return out;
}

describe(`tfjs adapter on ${testBackend}`, () => {
  // tfjs-backend-wasm's own fusedMatMul (used by tfjs-layers' Dense) allocates scratch data ids that tfjs's
  // IS_TEST kernel check reports as a leak; that check is about tfjs internals, not this adapter. Our own leak
  // assertion (tf.memory().numTensors flat across epochs) stays on every backend.
  beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
  afterAll(() => tf.env().set('IS_TEST', true));
  it('trains a tfjs-layers model through model.fit, without leaking tensors across epochs', async () => {
    const { x, y } = dataset();
    const model = makeModel();
    const optimizer = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.02)));
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const first = await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    const afterWarmup = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 40, batchSize: 16, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(afterWarmup);
    const initialLoss = first.history.loss![0] as number;
    const finalLoss = history.history.loss!.at(-1) as number;
    expect(finalLoss).toBeLessThan(initialLoss * 0.2);
    expect(optimizer.iterations).toBe(42 * 4);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  });

  it('checkpoint (getWeights), restore (setWeights) and continue gives identical numbers', async () => {
    const { x, y } = dataset();
    const model = makeModel();
    const optimizer = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.02)));
    model.compile({ optimizer, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    const savedModel = model.getWeights().map((w) => tf.clone(w));
    const savedOptimizer = await optimizer.getWeights();
    expect(savedOptimizer[0]!.name).toBe('iter');
    await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    const continued = await weightsBits(model);

    model.setWeights(savedModel);
    const restored = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.02)));
    await restored.setWeights(savedOptimizer);
    expect(restored.iterations).toBe(12);
    model.compile({ optimizer: restored, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    expect(await weightsBits(model)).toEqual(continued);

    tf.dispose([...savedModel, ...savedOptimizer.map((w) => w.tensor), x, y]);
    model.dispose();
    optimizer.dispose();
    restored.dispose();
  });

  it('restoring state for different variables or shapes fails naming them', async () => {
    const v = tf.tidy(() => tf.variable(tf.zeros([3]), true, `adapter_restore_${Math.random()}`));
    const opt = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
    opt.applyGradients({ [v.name]: tf.ones([3]) });
    const weights = await opt.getWeights();
    const tampered = weights.map((w) => (w.name.includes('mu') ? { name: w.name, tensor: tf.zeros([4]) } : w));
    const other = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
    const error = await other.setWeights(tampered).catch((e: unknown) => e);
    expect(isUnbiasedError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(v.name);
    const renamed = weights.map((w) => ({ name: w.name.replace('adapter_restore', 'nope'), tensor: w.tensor }));
    const error2 = await other.setWeights(renamed).catch((e: unknown) => e);
    expect(isUnbiasedError(error2, 'BAD_STATE')).toBe(true);
    expect((error2 as Error).message).toMatch(/nope/);
    tf.dispose([...weights.map((w) => w.tensor), ...tampered.map((w) => w.tensor), v]);
    opt.dispose();
    other.dispose();
  });

  it('a later step with a different set of variables fails naming them', () => {
    const a = tf.tidy(() => tf.variable(tf.zeros([2]), true, `adapter_a_${Math.random()}`));
    const b = tf.tidy(() => tf.variable(tf.zeros([2]), true, `adapter_b_${Math.random()}`));
    const opt = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
    const g = tf.ones([2]);
    opt.applyGradients({ [a.name]: g });
    expect(() => opt.applyGradients({ [b.name]: g })).toThrowError(new RegExp(b.name.replace('.', '\\.')));
    tf.dispose([a, b, g]);
    opt.dispose();
  });

  it('non-finite gradients: error names the variable, skip leaves parameters and state unchanged', async () => {
    const v = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), true, `nonfinite_${Math.random()}`));
    const good = tf.tensor1d([0.5, -0.5, 1]);
    const bad = tf.tensor1d([0.5, Number.NaN, 1]);
    const strict = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
    await strict.step({ [v.name]: good });
    const before = Array.from(await v.data());
    const error = await strict.step({ [v.name]: bad }).catch((e: unknown) => e);
    expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
    expect((error as Error).message).toContain(v.name);
    expect(Array.from(await v.data())).toEqual(before);
    // The synchronous path guards on the device and reports it on the next call (cpu/wasm) or at flush().
    strict.applyGradients({ [v.name]: bad });
    const deferred = await strict.flush().catch((e: unknown) => e);
    expect(isUnbiasedError(deferred, 'NON_FINITE')).toBe(true);

    for (const path of ['step', 'applyGradients'] as const) {
      const skipping = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)), { nonFinite: 'skip' });
      v.assign(tf.tidy(() => tf.tensor1d([1, 2, 3])));
      await skipping.step({ [v.name]: good });
      const p1 = Array.from(await v.data());
      const mu1 = await Promise.all((await skipping.getWeights()).map(async (w) => [w.name, Array.from(await w.tensor.data())]));
      if (path === 'step') expect((await skipping.step({ [v.name]: bad })).skipped).toBe(true);
      else skipping.applyGradients({ [v.name]: bad });
      expect(Array.from(await v.data())).toEqual(p1);
      const mu2 = await Promise.all((await skipping.getWeights()).map(async (w) => [w.name, Array.from(await w.tensor.data())]));
      const tensorsOnly = (rows: unknown[][]) => rows.filter(([name]) => String(name).includes('mu') || String(name).includes('nu'));
      expect(tensorsOnly(mu2)).toEqual(tensorsOnly(mu1));
      await skipping.step({ [v.name]: good });
      expect(Array.from(await v.data())).not.toEqual(p1);
      skipping.dispose();
    }
    tf.dispose([v, good, bad]);
    strict.dispose();
  });
});
