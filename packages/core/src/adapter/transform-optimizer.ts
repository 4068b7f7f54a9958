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
  private variableNames: string[] = [];
  /** Info reported by the transform on the last step (e.g. skipped steps), if any. */
  lastInfo: UpdateInfo | undefined;

  constructor(transform: GradientTransformation) {
    super();
    this.transform = transform;
  }

  private ensureState(names: string[]): StateTree {
    if (this.state) {
      const missing = this.variableNames.filter((n) => !names.includes(n));
      const extra = names.filter((n) => !this.variableNames.includes(n));
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
    const grads = toGradientMap(variableGradients);
    const names = Object.keys(grads).sort();
    const previous = this.ensureState(names);
    const params: NamedTensors = Object.fromEntries(names.map((n) => [n, lookupVariable(n)]));
    const result = tf.tidy(() => {
      const r = this.transform.update(grads, previous, params);
      return { updates: r.updates, state: r.state, info: r.info ?? {} } as unknown as tf.TensorContainer;
    }) as unknown as { updates: NamedTensors; state: StateTree; info: UpdateInfo };
    tf.tidy(() => {
      for (const name of names) {
        const variable = params[name] as tf.Variable;
        variable.assign(tf.add(variable, result.updates[name] as tf.Tensor));
      }
    });
    for (const t of stateTensors(result.state)) tf.keep(t);
    disposeReplaced(previous, result.state, Object.values(result.updates).filter((u) => !Object.values(grads).includes(u)));
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
      this.variableNames = sortedNames;
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
export function toTfOptimizer(transform: GradientTransformation): TransformOptimizer {
  return new TransformOptimizer(transform);
}
