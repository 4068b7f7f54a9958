import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs the registered kernel `kernelName` on the active backend (tfjs's `engine().runKernel`, which tfjs-core
 * does not export as a function): the way to call a custom kernel registered with `@unbiased/core/kernels`.
 * `attrs` are passed as given (numbers, strings, arrays); outputs come back as tensors tracked by the engine
 * (inside a `tidy` they are disposed with it).
 */
export function runKernel<T extends tf.Tensor | tf.Tensor[] = tf.Tensor>(kernelName: string, inputs: tf.NamedTensorMap, attrs: object = {}): T {
  return tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as T;
}

/** True when the tfjs engine has already created (initialised) the backend `name`. */
export function isBackendInitialised(name: string): boolean {
  return tf.engine().registry[name] !== undefined;
}
