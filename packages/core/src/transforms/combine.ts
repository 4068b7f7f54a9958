import type * as tf from '@tensorflow/tfjs-core';
import type { GradientTransformation, NamedTensors, StateTree, UpdateInfo } from './types.js';

/** A transform that returns its input unchanged (as clones, so callers may dispose updates freely). */
export function identity(): GradientTransformation<StateTree> {
  return {
    name: 'identity',
    init: () => ({}),
    update: (grads, state) => ({ updates: { ...grads }, state }),
  };
}

function stageKey(index: number, name: string): string {
  return `${index}:${name}`;
}

/**
 * Composes transforms left to right, like optax `chain`: the updates of one are the gradients of the next.
 * State is `{ "0:<name>": state0, "1:<name>": state1, ... }`. Intermediate updates are disposed as soon as
 * the next stage has consumed them; the caller's gradients are never disposed.
 *
 * ```ts
 * const adam = chain(scaleByAdam(), scaleByLearningRate(1e-3));
 * ```
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<StateTree> {
  const chained: GradientTransformation<StateTree> = {
    name: 'chain',
    init(params) {
      const state: StateTree = {};
      transforms.forEach((t, i) => {
        state[stageKey(i, t.name)] = t.init(params);
      });
      return state;
    },
    update(grads, state, params) {
      const original = new Set<tf.Tensor>(Object.values(grads));
      const next: StateTree = {};
      let info: UpdateInfo | undefined;
      let current: NamedTensors = grads;
      transforms.forEach((t, i) => {
        const key = stageKey(i, t.name);
        const result = t.update(current, state[key] as StateTree, params);
        next[key] = result.state;
        if (result.info) info = { ...info, ...result.info };
        const produced = new Set<tf.Tensor>(Object.values(result.updates));
        for (const u of Object.values(current)) {
          if (!original.has(u) && !produced.has(u)) u.dispose();
        }
        current = result.updates;
      });
      return info ? { updates: current, state: next, info } : { updates: current, state: next };
    },
  };
  // Fusion: when the last stage only scales by a host scalar (the learning rate) and the stage before can
  // apply a scaled step in one pass (fused Adam), the whole step needs no separate Mul and Add per variable.
  const last = transforms[transforms.length - 1];
  const beforeLast = transforms[transforms.length - 2];
  if (last?.scaleFactor && beforeLast?.applyScaled) {
    const scaleFactor = last.scaleFactor.bind(last);
    const applyScaled = beforeLast.applyScaled.bind(beforeLast);
    chained.applyStep = (grads, state, params) => {
      const original = new Set<tf.Tensor>(Object.values(grads));
      const next: StateTree = {};
      let info: UpdateInfo | undefined;
      let current: NamedTensors = grads;
      // Every stage but the last two runs as in `update`.
      transforms.slice(0, -2).forEach((t, i) => {
        const key = stageKey(i, t.name);
        const result = t.update(current, state[key] as StateTree, params);
        next[key] = result.state;
        if (result.info) info = { ...info, ...result.info };
        for (const u of Object.values(current)) if (!original.has(u) && !Object.values(result.updates).includes(u)) u.dispose();
        current = result.updates;
      });
      const lastKey = stageKey(transforms.length - 1, last.name);
      const beforeKey = stageKey(transforms.length - 2, beforeLast.name);
      const { scale, state: lastState } = scaleFactor(state[lastKey] as StateTree, current, params);
      const result = applyScaled(current, state[beforeKey] as StateTree, params, scale);
      for (const u of Object.values(current)) if (!original.has(u)) u.dispose();
      next[beforeKey] = result.state;
      next[lastKey] = lastState;
      if (result.info) info = { ...info, ...result.info };
      return info ? { params: result.params, state: next, info } : { params: result.params, state: next };
    };
  }
  return chained;
}
