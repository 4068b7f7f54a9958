import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';

/**
 * How many compute pipelines the active WebGPU backend has compiled (tfjs-backend-webgpu 4.22 keeps them in
 * the private `pipelineCache`, keyed by shader key plus shapes/dtypes). Kernels that pass hyperparameters as
 * uniforms keep this flat across steps; tests assert that. Throws `NOT_REGISTERED` when the active backend
 * is not webgpu (or has no such cache: re-check after upgrading tfjs).
 */
export function webgpuPipelineCount(): number {
  const backend = tf.backend() as unknown as { pipelineCache?: Record<string, unknown> };
  if (tf.getBackend() !== 'webgpu' || backend.pipelineCache === undefined || backend.pipelineCache === null) {
    throw new UnbiasedError('NOT_REGISTERED', `webgpuPipelineCount needs the webgpu backend; the active backend is "${tf.getBackend()}"`, {
      field: 'backend',
    });
  }
  return Object.keys(backend.pipelineCache).length;
}
