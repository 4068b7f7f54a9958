import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types.js';
import { UnbiasedError } from '../errors.js';
import { disposeReplaced, disposeState, flattenState, stateTensors, unflattenState } from '../transforms/tree.js';
import type { GradientTransformation, NamedTensors, StateLeaf, StateTree, UpdateInfo } from '../transforms/types.js';

/** Largest integer a numeric state leaf may hold (it is checkpointed as the bits of an int32). */
const MAX_UINT32 = 2 ** 32 - 1;

function lookupVariable(name: string): tf.Variable {
  const variable = tf.engine().registeredVariables[name];
  if (!variable) {
    throw new UnbiasedError('KEY_MISMATCH', `gradient for "${name}" has no registered tf.Variable of that name`, { field: name });
  }
  return variable;
}

function toGradientMap(variableGradients: tf.NamedTensorMap | NamedTensor[]): NamedTensors {
  if (!Array.isArray(variableGradients)) return variableGradients;
  const out: NamedTensors = {};
  for (const { name, tensor } of variableGradients) {
    if (name in out) throw new UnbiasedError('KEY_MISMATCH', `gradient for "${name}" given twice`, { field: name });
    out[name] = tensor;
  }
  return out;
}

/**
 * What the adapter does with non-finite (NaN or infinite) gradients:
 * - `error` (default): `step()` throws `NON_FINITE` naming the variables before applying anything; the
 *   synchronous `applyGradients` (used by `model.fit`) checks without a read-back and throws from the next
 *   call, or from `await flush()`.
 * - `skip`: the step is skipped (parameters and state tensors unchanged), on the device, no read-back. Host
 *   counters in the state (step counts) still advance in `applyGradients`; `step()` skips exactly.
 * - `off`: no check (fastest: the check reads every gradient once more).
 */
export type NonFiniteMode = 'error' | 'skip' | 'off';

export interface TransformOptimizerOptions {
  nonFinite?: NonFiniteMode;
}

function nonFiniteError(variables: string[], step: number): UnbiasedError {
  return new UnbiasedError(
    'NON_FINITE',
    `non-finite gradient for ${variables.map((v) => `"${v}"`).join(', ')} at step ${step}; pass nonFinite: 'skip' to skip such steps`,
    { field: variables[0] as string },
  );
}

/** `cond ? a : b` over two state trees of the same structure (numbers are taken from `a` when `cond` is 1). */
function selectState(cond: tf.Tensor, a: StateTree, b: StateTree): StateTree {
  const out: StateTree = {};
  for (const key of Object.keys(a)) {
    const x = a[key] as StateLeaf | StateTree;
    const y = b[key] as StateLeaf | StateTree;
    if (x instanceof tf.Tensor) out[key] = tf.where(tf.cast(cond, 'bool'), x, y as tf.Tensor);
    else if (typeof x === 'number') out[key] = x;
    else out[key] = selectState(cond, x, y as StateTree);
  }
  return out;
}

/**
 * Any {@link GradientTransformation} as a `tf.Optimizer`, usable with tfjs-layers `model.compile({ optimizer })`
 * and `model.fit`, or with `optimizer.minimize(loss)` in a raw loop.
 *
 * State is created on the first `applyGradients` from the variables it sees, keyed by variable name; a later
 * step with a different set of variables throws `KEY_MISMATCH` naming them. `getWeights()` returns the
 * iteration count (tfjs convention, first) and every state leaf under a path name such as
 * `0%3Ascale_by_adam/mu/dense_Dense1%2Fkernel`, as new tensors the caller owns; `setWeights()` validates
 * names, shapes and dtypes against the current variables and restores the state exactly, so training
 * continues with identical numbers.
 */
export class TransformOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'UnbiasedTransformOptimizer';
  }

  readonly transform: GradientTransformation;
  private state: StateTree | undefined;
  /** Variable names the state was built for; undefined when restored state holds nothing per variable. */
  private variableNames: string[] | undefined = [];
  /** Info reported by the transform on the last step (e.g. skipped steps), if any. */
  lastInfo: UpdateInfo | undefined;

  readonly nonFinite: NonFiniteMode;
  private pendingCheck: Promise<void> | undefined;
  private pendingError: UnbiasedError | undefined;

  constructor(transform: GradientTransformation, { nonFinite = 'error' }: TransformOptimizerOptions = {}) {
    super();
    if (nonFinite !== 'error' && nonFinite !== 'skip' && nonFinite !== 'off') {
      throw new UnbiasedError('INVALID_ARGUMENT', `nonFinite must be "error", "skip" or "off"; got "${String(nonFinite)}"`, { field: 'nonFinite' });
    }
    this.transform = transform;
    this.nonFinite = nonFinite;
  }

  private ensureState(names: string[]): StateTree {
    if (this.state && this.variableNames === undefined) {
      // Restored state with no per-variable entries (e.g. SignSGD's step counts): adopt the first step's variables.
      this.variableNames = names;
      return this.state;
    }
    const known = this.variableNames;
    if (this.state && known) {
      const missing = known.filter((n) => !names.includes(n));
      const extra = names.filter((n) => !known.includes(n));
      if (missing.length > 0 || extra.length > 0) {
        throw new UnbiasedError(
          'KEY_MISMATCH',
          `optimizer state was built for a different set of variables (missing gradients: ${missing.join(', ') || 'none'}; new variables: ${extra.join(', ') || 'none'})`,
          { field: (missing[0] ?? extra[0]) as string },
        );
      }
      return this.state;
    }
    const params = Object.fromEntries(names.map((n) => [n, lookupVariable(n)]));
    const state = tf.tidy(() => this.transform.init(params) as unknown as tf.TensorContainer) as unknown as StateTree;
    for (const t of stateTensors(state)) tf.keep(t);
    this.state = state;
    this.variableNames = names;
    return state;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.throwPendingError();
    const grads = toGradientMap(variableGradients);
    const names = Object.keys(grads).sort();
    if (this.nonFinite === 'skip') {
      this.commit(grads, names, this.finiteFlags(grads, names));
      return;
    }
    if (this.nonFinite === 'error') {
      // Kept: model.fit calls this inside a tidy that would free the flags before the read completes.
      const flags = tf.keep(this.finiteFlags(grads, names));
      const step = this.iterations + 1;
      // Read asynchronously (no sync read-back): a non-finite gradient fails the next call or flush().
      this.pendingCheck = flags
        .data()
        .then((values) => {
          const bad = names.filter((_, i) => values[i] === 0);
          if (bad.length > 0) this.pendingError = nonFiniteError(bad, step);
        })
        .finally(() => flags.dispose());
    }
    this.commit(grads, names);
  }

  /**
   * One step with the non-finite check resolved before anything is applied (one tiny read-back): with
   * `nonFinite: 'error'` a non-finite gradient throws `NON_FINITE` naming the variables and the step, with
   * `'skip'` the step is skipped and `{ skipped: true, nonFiniteVariables }` is returned. Use it in raw loops.
   */
  async step(variableGradients: tf.NamedTensorMap | NamedTensor[]): Promise<UpdateInfo> {
    await this.flush();
    const grads = toGradientMap(variableGradients);
    const names = Object.keys(grads).sort();
    if (this.nonFinite !== 'off') {
      const flags = this.finiteFlags(grads, names);
      const values = await flags.data();
      flags.dispose();
      const bad = names.filter((_, i) => values[i] === 0);
      if (bad.length > 0) {
        if (this.nonFinite === 'error') throw nonFiniteError(bad, this.iterations + 1);
        this.lastInfo = { skipped: true, nonFiniteVariables: bad.join(',') };
        return this.lastInfo;
      }
    }
    this.commit(grads, names);
    return this.lastInfo ?? { skipped: false };
  }

  /** Waits for the pending non-finite check of the last `applyGradients` and throws its error, if any. */
  async flush(): Promise<void> {
    await this.pendingCheck;
    this.throwPendingError();
  }

  private throwPendingError(): void {
    const error = this.pendingError;
    if (error) {
      this.pendingError = undefined;
      throw error;
    }
  }

  /** One flag per variable (sorted), 1 when every element of its gradient is finite. */
  private finiteFlags(grads: NamedTensors, names: string[]): tf.Tensor {
    return tf.tidy(() => tf.stack(names.map((n) => tf.cast(tf.all(tf.isFinite(grads[n] as tf.Tensor)), 'float32'))));
  }

  private commit(grads: NamedTensors, names: string[], finiteFlags?: tf.Tensor): void {
    const previous = this.ensureState(names);
    const params: NamedTensors = Object.fromEntries(names.map((n) => [n, lookupVariable(n)]));
    const transform = this.transform;
    const result = tf.tidy(() => {
      let newParams: NamedTensors;
      let state: StateTree;
      let info: UpdateInfo | undefined;
      if (transform.applyStep) {
        ({ params: newParams, state, info } = transform.applyStep(grads, previous, params));
      } else {
        const r = transform.update(grads, previous, params);
        newParams = Object.fromEntries(names.map((n) => [n, tf.add(params[n] as tf.Tensor, r.updates[n] as tf.Tensor)]));
        ({ state, info } = r);
      }
      if (finiteFlags) {
        // Device-side skip: keep the old parameters and state unless every gradient is finite.
        const ok = tf.equal(tf.min(finiteFlags), tf.scalar(1));
        newParams = Object.fromEntries(names.map((n) => [n, tf.where(ok, newParams[n] as tf.Tensor, params[n] as tf.Tensor)]));
        state = selectState(ok, state, previous);
      }
      return { params: newParams, state, info: info ?? {} } as unknown as tf.TensorContainer;
    }) as unknown as { params: NamedTensors; state: StateTree; info: UpdateInfo };
    finiteFlags?.dispose();
    for (const name of names) (params[name] as tf.Variable).assign(result.params[name] as tf.Tensor);
    tf.dispose(Object.values(result.params));
    for (const t of stateTensors(result.state)) tf.keep(t);
    disposeReplaced(previous, result.state);
    this.state = result.state;
    this.lastInfo = Object.keys(result.info).length > 0 ? result.info : undefined;
    this.incrementIterations();
  }

  /** The current state tree (undefined before the first step). Owned by the optimizer: do not dispose. */
  getState(): StateTree | undefined {
    return this.state;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    if (!this.state) return weights;
    for (const { name, leaf } of flattenState(this.state)) {
      if (typeof leaf === 'number') {
        if (!Number.isInteger(leaf) || leaf < 0 || leaf > MAX_UINT32) {
          throw new UnbiasedError('BAD_STATE', `state entry "${decodeURIComponent(name)}" = ${leaf} is not a uint32 and cannot be saved`, {
            field: name,
          });
        }
        weights.push({ name, tensor: tf.scalar(leaf | 0, 'int32') });
      } else {
        weights.push({ name, tensor: tf.clone(leaf) });
      }
    }
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length === 0) {
      if (this.state) disposeState(this.state);
      this.state = undefined;
      this.variableNames = [];
      return;
    }
    // Variable names are the last path segment of per-variable entries; find the registered ones.
    const registered = tf.engine().registeredVariables;
    const names = new Set<string>();
    for (const { name } of rest) {
      const last = decodeURIComponent(name.split('/').pop() as string);
      if (registered[last]) names.add(last);
    }
    const sortedNames = [...names].sort();
    const params = Object.fromEntries(sortedNames.map((n) => [n, registered[n] as tf.Variable]));
    const template = tf.tidy(() => this.transform.init(params) as unknown as tf.TensorContainer) as unknown as StateTree;
    const templateLeaves = new Map(flattenState(template).map(({ name, leaf }) => [name, leaf]));
    const values = new Map<string, StateLeaf>();
    const created: tf.Tensor[] = [];
    try {
      for (const { name, tensor } of rest) {
        if (typeof templateLeaves.get(name) === 'number') {
          values.set(name, (await tensor.data())[0] as number >>> 0);
        } else {
          const copy = tf.keep(tf.clone(tensor));
          created.push(copy);
          values.set(name, copy);
        }
      }
      const restored = unflattenState(template, values);
      if (this.state) disposeState(this.state);
      this.state = restored;
      this.variableNames = sortedNames.length > 0 ? sortedNames : undefined;
    } catch (error) {
      for (const t of created) t.dispose();
      throw error;
    } finally {
      disposeState(template);
    }
  }

  override dispose(): void {
    if (this.state) disposeState(this.state);
    this.state = undefined;
    this.variableNames = [];
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { transform: this.transform.name };
  }
}

/** Wraps a transform as a `tf.Optimizer` (see {@link TransformOptimizer}). */
export function toTfOptimizer(transform: GradientTransformation, options: TransformOptimizerOptions = {}): TransformOptimizer {
  return new TransformOptimizer(transform, options);
}
