import type { Tensor } from '@tensorflow/tfjs-core';

/** Tensors keyed by variable name (never by position). */
export type NamedTensors = Record<string, Tensor>;

/**
 * A leaf of transform state: a tensor, or a host integer in [0, 2^32) such as a step count or an RNG
 * key word (kept on the host so that no step needs a device read-back).
 */
export type StateLeaf = Tensor | number;

/** Transform state: a plain tree of leaves keyed by name, so it can be checkpointed and compared. */
export interface StateTree {
  [key: string]: StateLeaf | StateTree;
}

/** Information a transform may report about a step (e.g. skipped non-finite steps, sign agreement). */
export type UpdateInfo = Record<string, number | boolean | string>;

/** The result of one `update`: the updates (same keys and shapes as the gradients) and the new state. */
export interface UpdateResult<S extends StateTree = StateTree> {
  updates: NamedTensors;
  state: S;
  info?: UpdateInfo;
}

/**
 * An optax-shaped gradient transformation.
 *
 * `init(params)` builds state keyed by variable name; `update(grads, state, params)` returns updates and
 * a new state. Transforms are functional: `update` never disposes its inputs. Tensors it returns either
 * are new or are carried over unchanged from the old state; the caller (e.g. {@link applyTransform} or the
 * tfjs adapter) disposes what the new state no longer holds. Updates are *added* to parameters
 * (`p <- p + u`), so descent direction and learning rate are folded in by `scaleByLearningRate`.
 */
export interface GradientTransformation<S extends StateTree = StateTree> {
  /** Short name used in state paths and errors, e.g. `scale_by_adam`. */
  readonly name: string;
  init(params: NamedTensors): S;
  update(grads: NamedTensors, state: S, params?: NamedTensors): UpdateResult<S>;
  /**
   * Optional fast path for a whole optimizer step: returns the new parameter values `p + u` (new tensors)
   * and the new state, typically from one fused kernel pass over p, g and the state. It must agree with
   * `applyUpdates(params, update(grads, state, params).updates)` (parity-tested by each optimizer package).
   * The tfjs adapter uses it when present. `chain` defines it when its last stages fuse: a stage with
   * `applyScaled`, optionally one with `decoupledDecay`, then one with `scaleFactor` (e.g. `scaleByAdam()`,
   * `addDecayedWeights(wd)`, `scaleByLearningRate(lr)`). Inside core's `withInPlaceUpdates` (the adapter's
   * unguarded steps) a fused kernel may update a buffer the step owns alone in place and return the input
   * tensor itself (a variable, a state tensor): callers then must not `assign` a variable to itself nor dispose
   * a returned tensor as replaced.
   */
  applyStep?(grads: NamedTensors, state: S, params: NamedTensors): StepResult<S>;
  /**
   * Optional: this transform's step followed by multiplying its updates by `scale` and adding them to the
   * parameters, in one pass: returns `p + f32(u * scale)` (with `weightDecay[name]` non-zero,
   * `p + f32(f32(u + f32(p * wd)) * scale)`) and the new state. Must agree with `update` then
   * that Mul and Add (fused Adam implements it with one kernel per variable).
   */
  applyScaled?(
    grads: NamedTensors,
    state: S,
    params: NamedTensors,
    scale: number,
    weightDecay?: Record<string, number>,
    previous?: StateTree[],
  ): ScaledStepResult<S>;
  /**
   * Optional, with `applyScaled`: the transforms whose work `applyScaled` also does, in chain order (e.g. the
   * momentum `ema` before a sign stage, so that one kernel pass reads g, m, S and p and writes m', S', p').
   * `chain` fuses only when exactly these transform objects (by identity) directly precede this one; it then
   * passes `applyScaled` the gradients they would receive, their states as `previous`, and stores the
   * result's `previous` as their new states, so the state tree is the same as `update`'s.
   */
  readonly fusesPrevious?: readonly GradientTransformation<StateTree>[];
  /**
   * Optional, for transforms that add decoupled weight decay `u + wd * p` (`addDecayedWeights`): the factor
   * `wd` of each variable this step (0 = not decayed) and the next state. Lets `chain` fold the decay into a
   * preceding `applyScaled` stage (AdamW). Must agree with `update`.
   */
  decoupledDecay?(state: S, grads: NamedTensors, params?: NamedTensors): { weightDecay: Record<string, number>; state: S };
  /**
   * Optional, for transforms that multiply every update by one host scalar (`scaleByLearningRate`): that
   * scalar for this step and the next state, without touching any tensor. Must agree with `update`.
   */
  scaleFactor?(state: S, grads: NamedTensors, params?: NamedTensors): { scale: number; state: S };
}

/** The result of {@link GradientTransformation.applyStep}: new parameter values and state. */
export interface StepResult<S extends StateTree = StateTree> {
  params: NamedTensors;
  state: S;
  info?: UpdateInfo;
}

/** The result of {@link GradientTransformation.applyScaled}: with `fusesPrevious`, also those stages' new states. */
export interface ScaledStepResult<S extends StateTree = StateTree> extends StepResult<S> {
  previous?: StateTree[];
}
