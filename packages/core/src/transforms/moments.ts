import * as tf from '@tensorflow/tfjs-core';
import { checkHyperparameter, UnbiasedError } from '../errors.js';
import { adamApplyFusedRunner, adamMomentsFusedRunner, adamMomentsReference } from '../kernels/adam-moments.js';
import { checkStateDtype, roundToStateDtype, type StateDtype } from '../quantize/state-dtype.js';
import { checkSameVariables, mapNamed, zerosLikeAll } from './tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from './types.js';

/** Which implementation of a kernel-backed transform to run. `fused` is one kernel per variable. */
export type Impl = 'reference' | 'fused';

function checkImpl(impl: string): Impl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_ARGUMENT', `impl must be "reference" or "fused"; got "${impl}"`, { field: 'impl' });
  }
  return impl;
}

/** State of {@link ema}: step count and the running average per variable. */
export interface EmaState extends StateTree {
  count: number;
  ema: NamedTensors;
}

/** Options of {@link ema}. */
export interface EmaOptions {
  /** `decay` in [0, 1). */
  decay: number;
  /** Divide by `1 - decay^t` (default true, as optax). */
  debias?: boolean;
  /**
   * Storage format of the average (default `float32`): with `bf16` or `e4m3` the stored `e_t` is rounded to
   * that format after each update (e4m3 with per-tensor amax scaling, bf16 without), and the output is computed
   * from the rounded value. This reference path simulates the format in float32 tensors (see `quantize/`);
   * fused kernels store bf16 packed. `float32` runs exactly the unrounded code path.
   */
  stateDtype?: StateDtype;
}

/**
 * Exponential moving average of the updates (optax `ema`): `e_t = decay * e_{t-1} + (1 - decay) * u_t`,
 * output `e_t / (1 - decay^t)` when `debias` (default true, as optax), else `e_t`. With `scaleBySign`
 * after it this is Signum's momentum (Bernstein et al. 2018), where debiasing does not change the sign.
 * `stateDtype` simulates low-precision storage of `e_t` (`round(e_t)` is stored and used).
 */
export function ema({ decay, debias = true, stateDtype = 'float32' }: EmaOptions): GradientTransformation<EmaState> {
  checkHyperparameter('decay', decay, { min: 0, max: 1, maxInclusive: false });
  const storage = checkStateDtype(stateDtype);
  return {
    name: 'ema',
    init: (params) => ({ count: 0, ema: zerosLikeAll(params) }),
    update(grads, state) {
      checkSameVariables('gradients', grads, 'ema state', state.ema);
      const count = state.count + 1;
      const next = mapNamed(grads, (g, name) =>
        tf.tidy(() =>
          roundToStateDtype(tf.add(tf.mul(state.ema[name] as tf.Tensor, tf.scalar(decay)), tf.mul(g, tf.scalar(1 - decay))), storage),
        ),
      );
      const correction = 1 - decay ** count;
      const updates = mapNamed(next, (e) => (debias ? tf.tidy(() => tf.div(e, tf.scalar(correction))) : tf.clone(e)));
      return { updates, state: { count, ema: next } };
    },
  };
}

/** Options of {@link scaleByAdam}; defaults are Kingma & Ba (2015). */
export interface ScaleByAdamOptions {
  /** Decay of the first moment. Default 0.9. */
  b1?: number;
  /** Decay of the second moment. Default 0.999. */
  b2?: number;
  /** Added to the root of the second moment. Default 1e-8. */
  eps?: number;
  /** Added inside the root (optax `eps_root`). Default 0. */
  epsRoot?: number;
  /** `fused` (default): one custom kernel per variable on cpu, wasm and webgpu; `reference`: plain tfjs ops. */
  impl?: Impl;
}

/** State of {@link scaleByAdam}: step count, first moments `mu` and second moments `nu` per variable. */
export interface AdamState extends StateTree {
  count: number;
  mu: NamedTensors;
  nu: NamedTensors;
}

/**
 * Adam's preconditioning (Kingma & Ba 2015, Alg. 1; optax `scale_by_adam`):
 * `m_t = b1 m + (1-b1) g`, `v_t = b2 v + (1-b2) g^2`,
 * `u_t = (m_t / (1-b1^t)) / (sqrt(v_t / (1-b2^t) + epsRoot) + eps)`.
 * Chain it with `scaleByLearningRate` for Adam, and with `addDecayedWeights` for AdamW.
 * Bias corrections are computed on the host in float64 and passed to the kernel as uniforms.
 */
export function scaleByAdam({ b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, impl = 'fused' }: ScaleByAdamOptions = {}): GradientTransformation<AdamState> {
  checkHyperparameter('b1', b1, { min: 0, max: 1, maxInclusive: false });
  checkHyperparameter('b2', b2, { min: 0, max: 1, maxInclusive: false });
  checkHyperparameter('eps', eps, { min: 0 });
  checkHyperparameter('epsRoot', epsRoot, { min: 0 });
  const fused = checkImpl(impl) === 'fused';
  const momentOptions = (count: number) => ({ beta1: b1, beta2: b2, eps, epsRoot, biasCorrection1: 1 - b1 ** count, biasCorrection2: 1 - b2 ** count });
  const adam: GradientTransformation<AdamState> = {
    name: 'scale_by_adam',
    init: (params) => ({ count: 0, mu: zerosLikeAll(params), nu: zerosLikeAll(params) }),
    update(grads, state) {
      checkSameVariables('gradients', grads, 'adam state', state.mu);
      const count = state.count + 1;
      const options = momentOptions(count);
      const updates: NamedTensors = {};
      const mu: NamedTensors = {};
      const nu: NamedTensors = {};
      const kernel = fused ? adamMomentsFusedRunner(options) : (g: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => adamMomentsReference(g, m, v, options);
      for (const name of Object.keys(grads).sort()) {
        const out = kernel(grads[name] as tf.Tensor, state.mu[name] as tf.Tensor, state.nu[name] as tf.Tensor);
        updates[name] = out.update;
        mu[name] = out.m;
        nu[name] = out.v;
      }
      return { updates, state: { count, mu, nu } };
    },
  };
  if (fused) {
    // One kernel per variable for the whole step when a learning rate follows (see `chain`).
    adam.applyScaled = (grads, state, params, scale, weightDecay) => {
      checkSameVariables('gradients', grads, 'adam state', state.mu);
      checkSameVariables('gradients', grads, 'parameters', params);
      const count = state.count + 1;
      const kernel = adamApplyFusedRunner(momentOptions(count), scale);
      const next: NamedTensors = {};
      const mu: NamedTensors = {};
      const nu: NamedTensors = {};
      for (const name of Object.keys(grads).sort()) {
        const out = kernel(grads[name] as tf.Tensor, state.mu[name] as tf.Tensor, state.nu[name] as tf.Tensor, params[name] as tf.Tensor, weightDecay?.[name] ?? 0);
        next[name] = out.params;
        mu[name] = out.m;
        nu[name] = out.v;
      }
      return { params: next, state: { count, mu, nu } };
    };
  }
  return adam;
}
