import { TransformOptimizer, type TransformOptimizerOptions } from '@unbiased/core';
import { type StoSignSGDOptions, stoSignSGD } from './stosignsgd.js';

/**
 * {@link stoSignSGD} as a `tf.Optimizer` (core's `TransformOptimizer`): use it with tfjs-layers
 * `model.compile({ optimizer })` / `model.fit`, or `optimizer.minimize(loss)` / `await optimizer.step(grads)`
 * in a raw loop. State (`m`, `S`, step counts and the noise key) is checkpointed by `getWeights()` and
 * restored by `setWeights()`.
 */
export function stoSignSGDOptimizer(options: StoSignSGDOptions, adapterOptions: TransformOptimizerOptions = {}): TransformOptimizer {
  return new TransformOptimizer(stoSignSGD(options), adapterOptions);
}
