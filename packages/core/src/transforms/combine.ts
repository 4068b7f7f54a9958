import type * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
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
 * Runs the `update` of `stages` (the first stages of a chain, in order) on `grads`, writing each stage's new
 * state into `next`; intermediate updates are disposed once the next stage has consumed them, the caller's
 * gradients never. Returns the last updates and the merged info.
 */
function runStages(
  stages: readonly GradientTransformation[],
  grads: NamedTensors,
  state: StateTree,
  params: NamedTensors | undefined,
  next: StateTree,
): { updates: NamedTensors; info: UpdateInfo | undefined; original: Set<tf.Tensor> } {
  const original = new Set<tf.Tensor>(Object.values(grads));
  let info: UpdateInfo | undefined;
  let current: NamedTensors = grads;
  stages.forEach((t, i) => {
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
  return { updates: current, info, original };
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
export function chain(...transforms: GradientTransformation[]): GradientTransformation<StateTree> {
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
      const next: StateTree = {};
      const { updates, info } = runStages(transforms, grads, state, params, next);
      return info ? { updates, state: next, info } : { updates, state: next };
    },
  };
  // Fusion: when the last stage only scales by a host scalar (the learning rate), optionally preceded by a
  // decoupled weight decay, and the stage before can apply a scaled step in one pass (fused Adam; a fused
  // sign stage that also runs the momentum stages it names in `fusesPrevious`), the whole step needs no
  // separate Mul and Add (and no decay Mul and Add) per variable. The state tree stays `update`'s.
  const n = transforms.length;
  const last = transforms[n - 1];
  const decayStage = transforms[n - 2]?.decoupledDecay ? transforms[n - 2] : undefined;
  const fusedIndex = decayStage ? n - 3 : n - 2;
  const fusable = transforms[fusedIndex];
  const absorbed = fusable?.fusesPrevious ?? [];
  const firstFused = fusedIndex - absorbed.length;
  const absorbedInPlace = firstFused >= 0 && absorbed.every((t, j) => transforms[firstFused + j] === t);
  if (last?.scaleFactor && fusable?.applyScaled && fusedIndex >= 0 && absorbedInPlace) {
    const scaleFactor = last.scaleFactor.bind(last);
    const applyScaled = fusable.applyScaled.bind(fusable);
    const decoupledDecay = decayStage?.decoupledDecay?.bind(decayStage);
    const absorbedKeys = absorbed.map((t, j) => stageKey(firstFused + j, t.name));
    const stageKeys = transforms.map((t, i) => stageKey(i, t.name));
    const before = transforms.slice(0, firstFused);
    const decayKey = decayStage ? stageKey(n - 2, decayStage.name) : '';
    const lastKey = stageKey(n - 1, last.name);
    const fusedKey = stageKey(fusedIndex, fusable.name);
    chained.applyStep = (grads, state, params) => {
      // The stages before the fused ones run as in `update` (usually there are none: nothing to run or free).
      const next: StateTree = {};
      let current = grads;
      let info: UpdateInfo | undefined;
      let original: Set<tf.Tensor> | undefined;
      if (before.length > 0) ({ updates: current, info, original } = runStages(before, grads, state, params, next));
      let weightDecay: Record<string, number> | undefined;
      if (decayStage && decoupledDecay) {
        const decay = decoupledDecay(state[decayKey] as StateTree, current, params);
        weightDecay = decay.weightDecay;
        next[decayKey] = decay.state;
      }
      const { scale, state: lastState } = scaleFactor(state[lastKey] as StateTree, current, params);
      const result =
        absorbedKeys.length === 0
          ? applyScaled(current, state[fusedKey] as StateTree, params, scale, weightDecay)
          : applyScaled(
              current,
              state[fusedKey] as StateTree,
              params,
              scale,
              weightDecay,
              absorbedKeys.map((key) => state[key] as StateTree),
            );
      if (original) for (const u of Object.values(current)) if (!original.has(u)) u.dispose();
      next[fusedKey] = result.state;
      next[lastKey] = lastState;
      if (absorbedKeys.length > 0 && result.previous?.length !== absorbedKeys.length) {
        throw new UnbiasedError('BAD_STATE', `${fusable.name}.applyScaled must return the new states of ${absorbedKeys.join(', ')} as "previous"`, {
          field: fusedKey,
        });
      }
      for (let j = 0; j < absorbedKeys.length; j++) next[absorbedKeys[j] as string] = result.previous?.[j] as StateTree;
      if (result.info) info = { ...info, ...result.info };
      // Stage order in the state tree as in `update`.
      const ordered: StateTree = {};
      for (const key of stageKeys) ordered[key] = next[key] as StateTree;
      return info ? { params: result.params, state: ordered, info } : { params: result.params, state: ordered };
    };
  }
  return chained;
}
