import * as tf from '@tensorflow/tfjs-core';

/**
 * `fn(...inputs)` in the forward pass, zero gradient for every input in the backward pass: the
 * `tf.stop_gradient` / `torch.no_grad` of tfjs-core, which has neither. It is a `customGrad` whose
 * forward runs with the gradient tape off, so `fn` may use ops that have no gradient (comparisons,
 * random draws). DLA computes its IPW and IRW weights this way (Ai et al. 2018; ULTRA `dla.py`).
 */
export function withoutGradient<T extends tf.Tensor>(fn: (...xs: tf.Tensor[]) => T, ...inputs: tf.Tensor[]): T {
  const op = tf.customGrad((...args: (tf.Tensor | ((tensors: tf.Tensor[]) => void))[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: fn(...xs), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  });
  return op(...inputs) as T;
}

/** `x` in the forward pass, zero gradient in the backward pass (see {@link withoutGradient}). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return withoutGradient((input) => tf.clone(input) as T, x);
}

/**
 * `t` as float32. Casting a float32 tensor to float32 in tfjs-core 4.22 records a Cast node whose gradient
 * is lost ("Cannot read properties of null (reading 'clone')" in backprop), so only other dtypes are cast.
 */
export function asFloat32(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}
