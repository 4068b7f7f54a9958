/**
 * `tf.stop_gradient` for tfjs-core, which has none (nor `torch.no_grad`), and the float32 cast that keeps
 * its gradient.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `fn(...inputs)` in the forward pass, a zero gradient for every input in the backward pass. `fn` runs inside
 * a `tf.customGrad` forward, where tfjs records nothing on the gradient tape, so `fn` may use ops that have
 * no gradient (comparisons, random draws) and the backward pass never visits them. Nothing is `save`d: on
 * wasm, `save` copies tensors inside the op, which tfjs's `IS_TEST` leak check reports as a kernel leak.
 * DLA's IPW/IRW weights (Ai et al. 2018, "Unbiased Learning to Rank with Unbiased Propensity Estimation",
 * §4) and FairRec's frozen discriminator (Wu et al. 2021, §3.3) are computed this way.
 */
export function withoutGradient<T extends tf.Tensor>(fn: (...xs: tf.Tensor[]) => T, ...inputs: tf.Tensor[]): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: fn(...xs), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  });
  return (op as (...ts: tf.Tensor[]) => tf.Tensor)(...inputs) as T;
}

/** `x` in the forward pass, a zero gradient in the backward pass (see {@link withoutGradient}). */
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
