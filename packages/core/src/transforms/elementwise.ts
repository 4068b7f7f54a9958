import * as tf from '@tensorflow/tfjs-core';
import { checkHyperparameter, checkPositive, checkScalarOrSchedule, UnbiasedError } from '../errors.js';
import { exactSign } from '../tfjs/exact-sign.js';
import type { ScalarOrSchedule } from './schedules.js';
import { checkSameVariables, mapNamed, sameNames } from './tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from './types.js';

/** Builds a stateless transform that maps every update independently. */
function stateless(name: string, fn: (u: tf.Tensor, name: string, params?: NamedTensors) => tf.Tensor): GradientTransformation<StateTree> {
  return {
    name,
    init: () => ({}),
    update(grads, state, params) {
      if (params) checkSameVariables('gradients', grads, 'parameters', params);
      return { updates: mapNamed(grads, (u, varName) => tf.tidy(() => fn(u, varName, params))), state };
    },
  };
}

/** Multiplies updates by a constant `factor` (optax `scale`). */
export function scale(factor: number): GradientTransformation<StateTree> {
  checkHyperparameter('factor', factor);
  return stateless('scale', (u) => tf.mul(u, tf.scalar(factor, u.dtype)));
}

/**
 * `sign(u)` elementwise, with sign(0) = 0 (optax `scale_by_sign`), exact on every backend (`exactSign` of
 * `@unbiased/core/tfjs`). The core of SignSGD and Signum.
 */
export function scaleBySign(): GradientTransformation<StateTree> {
  return stateless('scale_by_sign', (u) => exactSign(u));
}

/** Reads a scalar-or-schedule at `step` and validates the value, naming `field` and the step on failure. */
export function evaluateSchedule(field: string, value: ScalarOrSchedule, step: number): number {
  const v = typeof value === 'function' ? value(step) : value;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new UnbiasedError('BAD_SCHEDULE', `${field} schedule returned ${String(v)} at step ${step}; it must return a finite number`, {
      field,
    });
  }
  return v;
}

/** State of transforms that only count steps. */
export interface CountState extends StateTree {
  count: number;
}

/**
 * Scales updates by the learning rate, negated by default so that `p + u` descends:
 * `u <- -lr(t) * u` with `t` the number of previous updates. `learningRate` is a number or a schedule
 * (see `./schedules.ts`); a schedule returning NaN or Infinity throws `BAD_SCHEDULE`.
 */
export function scaleByLearningRate(
  learningRate: ScalarOrSchedule,
  { flipSign = true }: { flipSign?: boolean } = {},
): GradientTransformation<CountState> {
  checkScalarOrSchedule('learningRate', learningRate, { min: 0 });
  const scaleFactor = (state: CountState, grads: NamedTensors, params?: NamedTensors) => {
    if (params) checkSameVariables('gradients', grads, 'parameters', params);
    const lr = evaluateSchedule('learningRate', learningRate, state.count);
    return { scale: flipSign ? -lr : lr, state: { count: state.count + 1 } };
  };
  return {
    name: 'scale_by_learning_rate',
    init: () => ({ count: 0 }),
    scaleFactor,
    update(grads, state, params) {
      const { scale: factor, state: next } = scaleFactor(state, grads, params);
      // One factor tensor per dtype for all variables: a scalar upload per variable is measurable per step.
      const factors = new Map<tf.DataType, tf.Scalar>();
      try {
        const updates = mapNamed(grads, (u) => {
          let scalar = factors.get(u.dtype);
          if (scalar === undefined) {
            scalar = tf.scalar(factor, u.dtype);
            factors.set(u.dtype, scalar);
          }
          return tf.mul(u, scalar);
        });
        return { updates, state: next };
      } finally {
        for (const scalar of factors.values()) scalar.dispose();
      }
    },
  };
}

/** Which variables a transform applies to: a map of name -> boolean, or a predicate. */
export type VariableMask = Record<string, boolean> | ((name: string, param: tf.Tensor) => boolean);

function maskSelects(mask: VariableMask | undefined, name: string, param: tf.Tensor): boolean {
  if (mask === undefined) return true;
  if (typeof mask === 'function') return mask(name, param);
  if (!(name in mask)) {
    throw new UnbiasedError('KEY_MISMATCH', `mask has no entry for variable "${name}"`, { field: name });
  }
  return mask[name] === true;
}

/**
 * Adds decoupled weight decay `u <- u + weightDecay * p` (optax `add_decayed_weights`), for the variables the
 * `mask` selects (default all). Chained before `scaleByLearningRate`, this gives AdamW's decoupled decay
 * (Loshchilov & Hutter 2019). Needs `params`. A predicate `mask` must depend only on the name and the parameter:
 * it is evaluated once per parameter map (the same map object and names, as the tfjs adapter passes every step),
 * as optax evaluates a mask function once per trace.
 */
export function addDecayedWeights(
  weightDecay: ScalarOrSchedule,
  { mask }: { mask?: VariableMask } = {},
): GradientTransformation<CountState> {
  checkScalarOrSchedule('weightDecay', weightDecay, { min: 0 });
  if (mask !== undefined && (mask === null || (typeof mask !== 'function' && typeof mask !== 'object'))) {
    throw new UnbiasedError('INVALID_ARGUMENT', `mask must be a name -> boolean map or a predicate; got ${String(mask)}`, { field: 'mask' });
  }
  // The factor map is reused while the factor and the variable names stay (it is never mutated), instead of one
  // new map entry (and one predicate call) per variable per step: always without a mask, and with a predicate
  // while the parameter map is the same object. A map mask may be edited between steps: evaluated every step.
  let lastKeys: string[] = [];
  let lastWd = Number.NaN;
  let lastFactors: Record<string, number> | undefined;
  let lastParams: NamedTensors | undefined;
  const cacheable = mask === undefined || typeof mask === 'function';
  const decoupledDecay = (state: CountState, grads: NamedTensors, params?: NamedTensors) => {
    if (!params) {
      throw new UnbiasedError('INVALID_ARGUMENT', 'addDecayedWeights needs the parameters: pass params to update()', { field: 'params' });
    }
    checkSameVariables('gradients', grads, 'parameters', params);
    const wd = evaluateSchedule('weightDecay', weightDecay, state.count);
    const keys = Object.keys(grads);
    const next = { count: state.count + 1 };
    const sameParams = mask === undefined || params === lastParams;
    if (cacheable && sameParams && lastFactors !== undefined && wd === lastWd && sameNames(keys, lastKeys)) return { weightDecay: lastFactors, state: next };
    const factors: Record<string, number> = {};
    for (const name of keys) factors[name] = wd !== 0 && maskSelects(mask, name, params[name] as tf.Tensor) ? wd : 0;
    if (cacheable) [lastKeys, lastWd, lastFactors, lastParams] = [keys, wd, factors, params];
    return { weightDecay: factors, state: next };
  };
  return {
    name: 'add_decayed_weights',
    init: () => ({ count: 0 }),
    decoupledDecay,
    update(grads, state, params) {
      const { weightDecay: factors, state: next } = decoupledDecay(state, grads, params);
      const updates = mapNamed(grads, (u, name) => {
        const p = (params as NamedTensors)[name] as tf.Tensor;
        const wd = factors[name] as number;
        if (wd === 0) return tf.clone(u);
        return tf.tidy(() => tf.add(u, tf.mul(p, tf.scalar(wd, p.dtype))));
      });
      return { updates, state: next };
    },
  };
}

/**
 * Clips updates by their global L2 norm (Pascanu et al. 2013; optax `clip_by_global_norm`):
 * `u <- u * min(1, maxNorm / ||u||_2)` with the norm over all variables. The per-variable sums of squares
 * are added in sorted-name order, so the result does not depend on the order of the keys. No device read-back.
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<StateTree> {
  checkPositive('maxNorm', maxNorm);
  return {
    name: 'clip_by_global_norm',
    init: () => ({}),
    update(grads, state, params) {
      if (params) checkSameVariables('gradients', grads, 'parameters', params);
      const names = Object.keys(grads).sort();
      if (names.length === 0) return { updates: {}, state };
      const factor = tf.tidy(() => {
        const squares = names.map((n) => tf.sum(tf.square(tf.cast(grads[n] as tf.Tensor, 'float32'))));
        const norm = tf.sqrt(squares.length === 1 ? (squares[0] as tf.Tensor) : tf.addN(squares));
        return tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), norm));
      });
      const updates = mapNamed(grads, (u) => tf.tidy(() => tf.mul(u, tf.cast(factor, u.dtype))));
      factor.dispose();
      return { updates, state };
    },
  };
}
