import * as tf from '@tensorflow/tfjs-core';

/** Backends whose tensors live in host memory and whose kernels have already run when an op returns. */
const HOST_BACKENDS = new Set(['cpu', 'wasm']);

/** True when the active tfjs backend is cpu or wasm (synchronous, host memory); false on webgpu and others. */
export function isHostBackend(): boolean {
  return HOST_BACKENDS.has(tf.getBackend());
}

/**
 * The values of a small tensor (a few flags), read synchronously, on the cpu and wasm backends only;
 * `undefined` on every other backend, where callers read with `await tensor.data()` instead.
 *
 * This is the library's single synchronous read (the no-sync-reads lint test allows this line only). On cpu
 * and wasm the kernels have already run when an op returns and the data sits in host memory (JS or the wasm
 * heap), so the read is a copy of a few bytes and stalls nothing; a synchronous JS loop never runs promise
 * callbacks, so this is the only way such a loop can learn a device-side flag. On webgpu a synchronous read
 * would stall the GPU queue (and under Node goes through OffscreenCanvas), so it is never done there.
 */
export function readSmallOnHostBackend(tensor: tf.Tensor): tf.TypedArray | undefined {
  if (!isHostBackend()) return undefined;
  return tensor.dataSync() as tf.TypedArray;
}
