import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LossMonitor, sgdLoopStep } from '../src/index.js';
import { expectUnbiased } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('LossMonitor', () => {
  it('reads the losses in windows and keeps them as the curve', async () => {
    const monitor = new LossMonitor(3);
    for (let step = 1; step <= 7; step++) await monitor.record(step, tf.scalar(step / 2));
    await monitor.flush();
    expect(monitor.steps).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(monitor.losses).toEqual([0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('names the first non-finite step, at the latest one window later', async () => {
    const monitor = new LossMonitor(2);
    const values = [1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY, 6, 7, 8];
    let thrownAt = 0;
    const error = await expectUnbiased(async () => {
      for (let step = 1; step <= values.length; step++) {
        thrownAt = step;
        await monitor.record(step, tf.scalar(values[step - 1] as number));
      }
      await monitor.flush();
    }, 'NON_FINITE', 'loss');
    monitor.dispose();
    expect(error.message).toContain('NaN at step 4');
    // window [3, 4] is read while window [5, 6] is recorded: the error surfaces at step 6
    expect(thrownAt).toBe(6);
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('the perf floor: per-pair SGD loop', () => {
  it('one pair: the update is -lr times the float64 gradient of the squared local loss', () => {
    const params = {
      dim: 2,
      userEmbedding: Float32Array.of(0.5, -0.25),
      itemEmbedding: Float32Array.of(0.75, 0.5),
      userBias: Float32Array.of(0.1),
      itemBias: Float32Array.of(-0.2),
      globalBias: Float32Array.of(0.05),
    };
    // z = 0.5*0.75 - 0.25*0.5 + 0.1 - 0.2 + 0.05 = 0.2 (with the biases as stored in float32); a = 1, b = 0.5
    const f32 = Math.fround;
    const z = 0.5 * 0.75 - 0.25 * 0.5 + f32(0.1) + f32(-0.2) + f32(0.05);
    const s = 1 / (1 + Math.exp(-z));
    const c = -2 * (1 - s) ** 2 * s + 0.5 * 2 * s * s * (1 - s);
    const loss = sgdLoopStep(params, { users: Int32Array.of(0), items: Int32Array.of(0), positive: Float32Array.of(1), negative: Float32Array.of(0.5) }, { learningRate: 0.1, l2: 0.01 });
    expect(loss).toBeCloseTo((1 - s) ** 2 + 0.5 * s * s, 12);
    expect(Array.from(params.userEmbedding)).toEqual([f32(0.5 - 0.1 * (c * 0.75 + 0.01 * 0.5)), f32(-0.25 - 0.1 * (c * 0.5 + 0.01 * -0.25))]);
    expect(Array.from(params.itemEmbedding)).toEqual([f32(0.75 - 0.1 * (c * 0.5 + 0.01 * 0.75)), f32(0.5 - 0.1 * (c * -0.25 + 0.01 * 0.5))]);
    expect(params.globalBias[0]).toBe(f32(f32(0.05) - 0.1 * c));
  });
});
