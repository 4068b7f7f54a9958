import * as tf from '@tensorflow/tfjs-core';
import { TransformOptimizer } from '../adapter/transform-optimizer.js';
import type { PerfCase, PerfContext, PerfInstance, PerfSuite } from '../registry/registry.js';
import { chain } from '../transforms/combine.js';
import { addDecayedWeights, scaleByLearningRate } from '../transforms/elementwise.js';
import { type Impl, scaleByAdam } from '../transforms/moments.js';

/** Adam moves at least 28 bytes per float32 parameter per step (read p, g, m, v; write p, m, v). */
export const ADAM_BYTES_PER_PARAMETER = 28;

/** Sets up `count` variables totalling `size` parameters with fixed gradients, stepped by `makeOptimizer`. */
export async function optimizerPerfInstance(size: number, count: number, makeOptimizer: () => tf.Optimizer): Promise<PerfInstance> {
  const per = Math.floor(size / count);
  const sizes = Array.from({ length: count }, (_, i) => (i === count - 1 ? size - per * (count - 1) : per));
  const tag = Math.random().toString(36).slice(2);
  const variables = sizes.map((n, i) => tf.tidy(() => tf.variable(tf.fill([n], 0.5), true, `perf_${tag}_${i}`)));
  const grads: tf.NamedTensorMap = Object.fromEntries(variables.map((v, i) => [v.name, tf.fill([sizes[i] as number], 1e-3 * ((i % 7) + 1))]));
  const optimizer = makeOptimizer();
  const first = variables[0] as tf.Variable;
  return {
    step: () => optimizer.applyGradients(grads),
    async fence() {
      // cpu and wasm kernels run synchronously; a read there would time a copy (wasm's Slice copies the input).
      if (tf.getBackend() !== 'webgpu') return;
      const probe = tf.slice(first, 0, 1);
      await probe.data();
      probe.dispose();
    },
    dispose() {
      optimizer.dispose();
      tf.dispose(Object.values(grads));
      for (const v of variables) v.dispose();
    },
  };
}

/** The cases: tfjs's Adam, our chain with the fused or reference Adam, and AdamW (fused Adam, decoupled decay). */
type Variant = Impl | 'tf' | 'adamw';

function adamCases(size: number, count: number, variant: Variant): PerfCase {
  const label = count === 1 ? '1 variable' : `${count} variables`;
  const name =
    variant === 'tf'
      ? `tf.train.adam, ${label}`
      : variant === 'adamw'
        ? `chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate), ${label}`
        : `chain(scaleByAdam[${variant}], scaleByLearningRate), ${label}`;
  const transform = () =>
    variant === 'adamw'
      ? chain(scaleByAdam(), addDecayedWeights(1e-2), scaleByLearningRate(1e-3))
      : chain(scaleByAdam({ impl: variant as Impl }), scaleByLearningRate(1e-3));
  return {
    name,
    n: size,
    baseline: variant === 'tf' ? null : `tf.train.adam, ${label}`,
    bytesPerStep: ADAM_BYTES_PER_PARAMETER * size,
    setup: () =>
      optimizerPerfInstance(size, count, () =>
        // nonFinite 'off': tf.train.adam does not check gradients either (the check costs one extra read of g).
        variant === 'tf' ? tf.train.adam(1e-3) : new TransformOptimizer(transform(), { nonFinite: 'off' }),
      ),
  };
}

/**
 * `unbiased perf transforms`: `chain(scaleByAdam, scaleByLearningRate)` (fused and reference) and AdamW
 * (`chain(scaleByAdam, addDecayedWeights, scaleByLearningRate)`, fused) against `tf.train.adam` on the same
 * backend, with the parameters as 1 variable and as 512 variables.
 */
export const transformsPerfSuite: PerfSuite = {
  id: 'transforms',
  title: 'chain(scaleByAdam, scaleByLearningRate) vs tf.train.adam',
  packageName: '@unbiased/core',
  cases({ size }: PerfContext): PerfCase[] {
    return [1, 512].flatMap((count) => (['tf', 'fused', 'reference', 'adamw'] as const).map((variant) => adamCases(size, count, variant)));
  },
};
