import * as tf from '@tensorflow/tfjs-core';
import { checkChoice, checkDecay, checkNonNegative, UnbiasedError } from '../errors.js';
import { adamApplyFusedMany, adamMomentsFusedRunner, adamMomentsReference } from '../kernels/adam-moments.js';
import { checkStateDtype, roundToStateDtype, type StateDtype } from '../quantize/state-dtype.js';
import { checkSameVariables, mapNamed, sameNames, zerosLikeAll } from './tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from './types.js';

/** Which implementation of a kernel-backed transform to run. `fused` is one kernel per variable. */
export type Impl = 'reference' | 'fused';

const IMPLS: readonly Impl[] = ['reference', 'fused'];

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
   * a fused fast path keeps this same layout. `float32` runs exactly the unrounded code path.
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
  checkDecay('decay', decay);
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
  /**
   * `fused`: one custom kernel per variable on cpu, wasm and webgpu; `reference`: plain tfjs ops. Default
   * `fused` when `stateDtype` is `float32`, else `reference` (the fused kernel stores float32 moments only;
   * asking for `fused` with another `stateDtype` throws `INVALID_ARGUMENT` naming `impl`).
   */
  impl?: Impl;
  /**
   * Storage format of `m` and `v` (default `float32`): with `bf16` or `e4m3` both are rounded to that format
   * after each update (e4m3 with per-tensor amax scaling, bf16 without; see `ema`), and the update is
   * computed from the rounded values. The reference path simulates the format in float32 tensors, so the
   * state tree is the same for every `stateDtype`.
   */
  stateDtype?: StateDtype;
}

/** State of {@link scaleByAdam}: step count, first moments `mu` and second moments `nu` per variable. */
export interface AdamState extends StateTree {
  count: number;
  mu: NamedTensors;
  nu: NamedTensors;
}

type AdamStepOptions = { beta1: number; beta2: number; eps: number; epsRoot: number; biasCorrection1: number; biasCorrection2: number };

// Adam's step with m and v rounded to `storage` before the update reads them; same op order as the float32 reference.
function roundedAdamStep(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: AdamStepOptions, storage: StateDtype): { update: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  return tf.tidy(() => {
    const s = (x: number) => tf.scalar(x, 'float32');
    const mNew = roundToStateDtype(tf.add(tf.mul(s(o.beta1), m), tf.mul(s(1 - o.beta1), g)), storage);
    const vNew = roundToStateDtype(tf.add(tf.mul(s(o.beta2), v), tf.mul(s(1 - o.beta2), tf.square(g))), storage);
    const denominator = tf.add(tf.sqrt(tf.add(tf.div(vNew, s(o.biasCorrection2)), s(o.epsRoot))), s(o.eps));
    return { update: tf.div(tf.div(mNew, s(o.biasCorrection1)), denominator), m: mNew, v: vNew };
  });
}

/**
 * Adam's preconditioning (Kingma & Ba 2015, Alg. 1; optax `scale_by_adam`):
 * `m_t = b1 m + (1-b1) g`, `v_t = b2 v + (1-b2) g^2`,
 * `u_t = (m_t / (1-b1^t)) / (sqrt(v_t / (1-b2^t) + epsRoot) + eps)`.
 * Chain it with `scaleByLearningRate` for Adam, and with `addDecayedWeights` for AdamW.
 * Bias corrections are computed on the host in float64 and passed to the kernel as uniforms. With
 * `stateDtype` `bf16` / `e4m3`, `m_t` and `v_t` are stored rounded and `u_t` is computed from the rounded
 * values (reference path only; see {@link ScaleByAdamOptions.impl}).
 */
export function scaleByAdam({ b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, impl, stateDtype = 'float32' }: ScaleByAdamOptions = {}): GradientTransformation<AdamState> {
  checkDecay('b1', b1);
  checkDecay('b2', b2);
  checkNonNegative('eps', eps);
  checkNonNegative('epsRoot', epsRoot);
  const storage = checkStateDtype(stateDtype);
  const fused = checkChoice('impl', impl, IMPLS, storage === 'float32' ? 'fused' : 'reference') === 'fused';
  if (fused && storage !== 'float32') {
    throw new UnbiasedError('INVALID_ARGUMENT', `impl "fused" stores float32 moments; stateDtype "${storage}" needs impl "reference"`, { field: 'impl' });
  }
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
      const kernel = fused
        ? adamMomentsFusedRunner(options)
        : storage === 'float32'
          ? (g: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => adamMomentsReference(g, m, v, options)
          : (g: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => roundedAdamStep(g, m, v, options, storage);
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
    // One kernel call for the whole step of every variable when a learning rate follows (see `chain`); in
    // place where the adapter allows it and the buffers are the optimizer's alone (see `adamApplyFusedMany`).
    let lastKeys: string[] = [];
    let names: string[] = [];
    // The kernel's input map, reused while the names stay (only its values change).
    let inputs: tf.NamedTensorMap = {};
    adam.applyScaled = (grads, state, params, scale, weightDecay) => {
      checkSameVariables('gradients', grads, 'adam state', state.mu);
      checkSameVariables('gradients', grads, 'parameters', params);
      const keys = Object.keys(grads);
      if (!sameNames(keys, lastKeys)) {
        lastKeys = keys;
        names = [...keys].sort();
        inputs = {};
      }
      const count = state.count + 1;
      const out = adamApplyFusedMany(names, grads, state.mu, state.nu, params, momentOptions(count), scale, weightDecay, inputs);
      return { params: out.params, state: { count, mu: out.m, nu: out.v } };
    };
  }
  return adam;
}
