// Helpers for `*.backend.test.ts` files.
import * as tf from '@tensorflow/tfjs-core';

/** The backend this vitest project runs on (cpu, wasm or webgpu). */
export const testBackend = process.env.UNBIASED_TEST_BACKEND ?? 'cpu';

/** Reads a tensor as float64 numbers (async: works on WebGPU under Node). */
export async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

/** Asserts-ready snapshot of tensor count and bytes, for leak checks across steps. */
export function memorySnapshot(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
