import * as tf from '@tensorflow/tfjs-core';

/** What the forward pass of {@link withCustomGradient} returns: the value and the tensors its backward pass needs. */
export interface ForwardResult<T extends tf.Tensor> {
  value: T;
  /** Tensors handed to `backward` as `saved` (kept alive by tfjs until the backward pass ran). */
  saved?: tf.Tensor[];
}

/**
 * An op with a hand-written gradient: `forward(...inputs)` gives the value (and the tensors to keep),
 * `backward(dy, saved)` gives one gradient per input, in order. A typed wrapper over `tf.customGrad`, whose
 * variadic `(...inputs, save)` signature is easy to get wrong. Use it where the gradient is not the autodiff
 * of the forward ops (e.g. simulated low-precision backward passes). Note: on wasm, `saved` tensors are
 * copied inside the op, which tfjs's `IS_TEST` kernel-leak check reports; save nothing where that matters.
 */
export function withCustomGradient<T extends tf.Tensor>(
  forward: (...inputs: tf.Tensor[]) => ForwardResult<T>,
  backward: (dy: T, saved: tf.Tensor[]) => tf.Tensor[],
): (...inputs: tf.Tensor[]) => T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { value, saved = [] } = forward(...(args.slice(0, -1) as tf.Tensor[]));
    if (saved.length > 0) save(saved);
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[], kept: tf.Tensor[]) => backward(dy as T, kept) };
  });
  return op as unknown as (...inputs: tf.Tensor[]) => T;
}
