import * as tf from '@tensorflow/tfjs-core';
import { checkKernelBackend, type KernelBackend, kernelConfigs, registerKernelsIfMissing } from './registration.js';

/** A custom tfjs kernel defined by {@link defineCustomKernel}: lazy registration and a typed way to run it. */
export interface CustomKernel {
  /** Name of the kernel in the tfjs registry. */
  readonly kernelName: string;
  /** Registers the kernel for cpu, wasm and webgpu unless already registered (idempotent). */
  ensureRegistered(): void;
  /**
   * Runs the kernel on the active backend: throws `NOT_REGISTERED` (with `hint` appended) on a backend other
   * than cpu, wasm, webgpu, registers lazily, and returns the outputs as tensors (always an array). Attribute
   * values are passed to the kernel functions unchanged (numbers, arrays of numbers).
   */
  run(inputs: tf.NamedTensorMap, attrs: object, hint?: string): tf.Tensor[];
}

/**
 * Defines a custom kernel with one implementation per backend of `KERNEL_BACKENDS`, so that a package of the
 * family registers and runs its own kernels without reaching into tfjs (registration is lazy, never at
 * import time; several copies of a package share one registration). Each function receives tfjs's
 * `{ inputs, backend, attrs }`.
 *
 * ```ts
 * const kernel = defineCustomKernel('MyStep', { cpu: cpuStep, wasm: wasmStep, webgpu: webgpuStep });
 * const [pNew, mNew] = kernel.run({ p, g, m }, { beta: 0.9 });
 * ```
 */
export function defineCustomKernel(kernelName: string, kernelFuncs: Record<KernelBackend, (args: never) => unknown>): CustomKernel {
  const configs = kernelConfigs(kernelName, kernelFuncs);
  const ensureRegistered = () => registerKernelsIfMissing(configs);
  return {
    kernelName,
    ensureRegistered,
    run(inputs, attrs, hint = '') {
      checkKernelBackend(kernelName, hint);
      ensureRegistered();
      const out = tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
      return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
    },
  };
}
