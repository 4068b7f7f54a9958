import { registerAdamMomentsKernels } from './adam-moments.js';
import { registerHashUniformKernels } from './hash-uniform.js';

/**
 * Registers every custom kernel of this package (`UnbiasedHashUniform`, `UnbiasedAdamMoments`) for cpu,
 * wasm and webgpu, skipping any already registered. The ops call this lazily; call it yourself only to
 * run the kernels through `tf.engine().runKernel` directly.
 */
export function ensureKernelsRegistered(): void {
  registerHashUniformKernels();
  registerAdamMomentsKernels();
}
