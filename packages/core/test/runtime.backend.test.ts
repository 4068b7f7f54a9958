import * as tf from '@tensorflow/tfjs-core';
import { describeRuntime, useBackend } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';

describe(`runtime on ${testBackend}`, () => {
  it('reports the backend that is really active', async () => {
    const info = await useBackend(testBackend);
    expect(info.backend).toBe(testBackend);
    expect(tf.getBackend()).toBe(testBackend);
    expect(describeRuntime().backend).toBe(testBackend);
    expect(info.detail.length).toBeGreaterThan(0);
  });

  it('rejects unknown backend names with the valid list', async () => {
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(isUnbiasedError(error, 'UNKNOWN_BACKEND')).toBe(true);
    expect((error as Error).message).toContain('cpu, wasm, webgpu');
    expect(tf.getBackend()).toBe(testBackend);
  });

  it('computes on the backend', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.mul(x, x);
    expect(Array.from(await y.data())).toEqual([1, 4, 9]);
    tf.dispose([x, y]);
  });
});
