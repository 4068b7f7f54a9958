import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';

/** The backends every custom kernel of this package is registered for. */
export const KERNEL_BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;

/** One of {@link KERNEL_BACKENDS}. */
export type KernelBackend = (typeof KERNEL_BACKENDS)[number];

/**
 * The registry configs of one kernel, one per backend of {@link KERNEL_BACKENDS}. Each function receives
 * tfjs's `{ inputs, backend, attrs }` and is typed by its own file (hence `never` here).
 */
export function kernelConfigs(kernelName: string, kernelFuncs: Record<KernelBackend, (args: never) => unknown>): tf.KernelConfig[] {
  return KERNEL_BACKENDS.map((backendName) => ({ kernelName, backendName, kernelFunc: kernelFuncs[backendName] as unknown as tf.KernelFunc }));
}

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

/**
 * Throws `NOT_REGISTERED` when the active backend is not one these kernels are implemented for; returns
 * the backend. `hint` is appended to the message (for example, which path to use instead).
 */
export function checkKernelBackend(kernelName: string, hint = ''): KernelBackend {
  const backend = tf.getBackend();
  if (!(KERNEL_BACKENDS as readonly string[]).includes(backend)) {
    throw new UnbiasedError(
      'NOT_REGISTERED',
      `kernel ${kernelName} has no implementation for backend "${String(backend)}" (only ${KERNEL_BACKENDS.join(', ')})${hint}`,
      { field: 'backend' },
    );
  }
  return backend as KernelBackend;
}
