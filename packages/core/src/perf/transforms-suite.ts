import * as tf from '@tensorflow/tfjs-core';
import { TransformOptimizer } from '../adapter/transform-optimizer.js';
import type { PerfCase, PerfContext, PerfInstance, PerfSuite } from '../registry/registry.js';
import { chain } from '../transforms/combine.js';
import { addDecayedWeights, scaleByLearningRate } from '../transforms/elementwise.js';
import { adamApplyFusedRunner } from '../kernels/adam-moments.js';
import { type Impl, scaleByAdam } from '../transforms/moments.js';
import { checkSameVariables } from '../transforms/tree.js';
import { optaxPeers } from './optax-peer.js';
import { streamFloorCases } from './stream-floor.js';
import type { GradientTransformation, NamedTensors } from '../transforms/types.js';

/** Adam moves at least 28 bytes per float32 parameter per step (read p, g, m, v; write p, m, v). */
export const ADAM_BYTES_PER_PARAMETER = 28;

/** Sets up `count` variables totalling `size` parameters with fixed gradients, stepped by `makeOptimizer`. */
export async function optimizerPerfInstance(
  size: number,
  count: number,
  makeOptimizer: () => tf.Optimizer,
  prepare?: (optimizer: tf.Optimizer, grads: tf.NamedTensorMap) => Promise<void>,
): Promise<PerfInstance> {
  const per = Math.floor(size / count);
  const sizes = Array.from({ length: count }, (_, i) => (i === count - 1 ? size - per * (count - 1) : per));
  const tag = Math.random().toString(36).slice(2);
  const variables = sizes.map((n, i) => tf.tidy(() => tf.variable(tf.fill([n], 0.5), true, `perf_${tag}_${i}`)));
  const grads: tf.NamedTensorMap = Object.fromEntries(variables.map((v, i) => [v.name, tf.fill([sizes[i] as number], 1e-3 * ((i % 7) + 1))]));
  const optimizer = makeOptimizer();
  if (prepare) await prepare(optimizer, grads);
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
type Variant = Impl | 'tf' | 'adamw' | 'adamw-late' | 'per-variable';

/** The step a `from step N` case starts at: both bias corrections of Adam's defaults are exactly 1 in float32 by then. */
export const LATE_STEP = 20_000;
// No thousands separator: the peer protocol separates case ids by commas.
const LATE_STEP_LABEL = String(LATE_STEP);

/**
 * Moves an optimizer to step `step` the way a restored checkpoint does (one step first, so its state exists;
 * then `getWeights`, every step counter set to `step`, `setWeights`), so a perf case times a late step.
 */
async function startAtStep(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, step: number): Promise<void> {
  optimizer.applyGradients(grads);
  const weights = await optimizer.getWeights();
  const counters = weights.map((w) => (w.name === 'iter' || /(^|\/)count$/.test(w.name) ? { name: w.name, tensor: tf.scalar(step, 'int32') } : w));
  await optimizer.setWeights(counters);
  tf.dispose([...weights.map((w) => w.tensor), ...counters.map((w) => w.tensor)]);
}

/**
 * `scaleByAdam()` with the fused step of the previous release kept for comparison: one allocating
 * `UnbiasedAdamApply` kernel call per variable (cpu: the scalar JS loop), where the current fused step runs one
 * multi-tensor call in place.
 */
function perVariableAdam(): GradientTransformation {
  const adam = scaleByAdam();
  return {
    ...adam,
    applyScaled: (grads, state, params, scale, weightDecay) => {
      const s = state as unknown as { count: number; mu: NamedTensors; nu: NamedTensors };
      checkSameVariables('gradients', grads, 'adam state', s.mu);
      checkSameVariables('gradients', grads, 'parameters', params);
      const count = s.count + 1;
      const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0, biasCorrection1: 1 - 0.9 ** count, biasCorrection2: 1 - 0.999 ** count };
      const kernel = adamApplyFusedRunner(options, scale);
      const next: NamedTensors = {};
      const mu: NamedTensors = {};
      const nu: NamedTensors = {};
      for (const name of Object.keys(grads).sort()) {
        const out = kernel(grads[name] as tf.Tensor, s.mu[name] as tf.Tensor, s.nu[name] as tf.Tensor, params[name] as tf.Tensor, weightDecay?.[name] ?? 0);
        next[name] = out.params;
        mu[name] = out.m;
        nu[name] = out.v;
      }
      return { params: next, state: { count, mu, nu } };
    },
  } as GradientTransformation;
}

function adamCases(size: number, count: number, variant: Variant): PerfCase {
  const label = count === 1 ? '1 variable' : `${count} variables`;
  const name =
    variant === 'tf'
      ? `tf.train.adam, ${label}`
      : variant === 'adamw'
        ? `chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate), ${label}`
        : variant === 'adamw-late'
          ? `chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate) from step ${LATE_STEP_LABEL}, ${label}`
        : variant === 'per-variable'
          ? `chain(scaleByAdam[fused, per-variable allocating kernels], scaleByLearningRate), ${label}`
          : `chain(scaleByAdam[${variant}], scaleByLearningRate), ${label}`;
  const transform = () =>
    variant === 'adamw' || variant === 'adamw-late'
      ? chain(scaleByAdam(), addDecayedWeights(1e-2), scaleByLearningRate(1e-3))
      : variant === 'per-variable'
        ? chain(perVariableAdam(), scaleByLearningRate(1e-3))
        : chain(scaleByAdam({ impl: variant as Impl }), scaleByLearningRate(1e-3));
  return {
    name,
    n: size,
    baseline: variant === 'tf' ? null : `tf.train.adam, ${label}`,
    bytesPerStep: ADAM_BYTES_PER_PARAMETER * size,
    setup: () =>
      optimizerPerfInstance(
        size,
        count,
        () =>
          // nonFinite 'off': tf.train.adam does not check gradients either (the check costs one extra read of g).
          variant === 'tf' ? tf.train.adam(1e-3) : new TransformOptimizer(transform(), { nonFinite: 'off' }),
        variant === 'adamw-late' ? (optimizer, grads) => startAtStep(optimizer, grads, LATE_STEP) : undefined,
      ),
  };
}

/**
 * `unbiased perf transforms`: `chain(scaleByAdam, scaleByLearningRate)` (fused; the previous release's fused
 * step, one allocating kernel per variable; reference) and AdamW
 * (`chain(scaleByAdam, addDecayedWeights, scaleByLearningRate)`, fused) against `tf.train.adam` on the same
 * backend, with the parameters as 1 variable and as 512 variables; AdamW also from step 20000 (a late step of a
 * long run, restored from a checkpoint: the bias corrections are then exactly 1 in float32, and the fused kernel
 * needs one division per parameter instead of three, with the same bits); on wasm also the memory floor of a step
 * (`stream-floor.ts`: Adam's 28 and Signum's 20 bytes per parameter moved with no arithmetic).
 */
export const transformsPerfSuite: PerfSuite = {
  id: 'transforms',
  title: 'chain(scaleByAdam, scaleByLearningRate) vs tf.train.adam',
  packageName: '@unbiased/core',
  peers: optaxPeers([
    'tf.train.adam',
    'chain(scaleByAdam[fused], scaleByLearningRate)',
    'chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate)',
    `chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate) from step ${LATE_STEP_LABEL}`,
  ]),
  cases({ size, backend }: PerfContext): PerfCase[] {
    const adam = [1, 512].flatMap((count) => (['tf', 'fused', 'per-variable', 'reference', 'adamw', 'adamw-late'] as const).map((variant) => adamCases(size, count, variant)));
    // On wasm, the memory floor of a step (its loads and stores alone): what no exact kernel can beat here.
    return [...adam, ...streamFloorCases(backend, size, 'tf.train.adam, 1 variable')];
  },
};
