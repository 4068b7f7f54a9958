import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';

/** The backends every custom kernel of this package is registered for. */
export const KERNEL_BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;

/**
 * Registers each config unless a kernel of that name is already registered for that backend (idempotent,
 * and safe when two copies of this package share one tfjs registry). Called lazily by the ops, never at
 * import time: the package is `sideEffects: false`.
 */
export function registerKernelsIfMissing(configs: readonly tf.KernelConfig[]): void {
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) {
      tf.registerKernel(config);
    }
  }
}

/** Throws `NOT_REGISTERED` when the active backend is not one these kernels are implemented for. */
export function checkKernelBackend(kernelName: string, hint = ''): string {
  const backend = tf.getBackend();
  if (!(KERNEL_BACKENDS as readonly string[]).includes(backend)) {
    throw new UnbiasedError(
      'NOT_REGISTERED',
      `kernel ${kernelName} has no implementation for backend "${String(backend)}" (only ${KERNEL_BACKENDS.join(', ')})${hint}`,
      { field: 'backend' },
    );
  }
  return backend;
}
