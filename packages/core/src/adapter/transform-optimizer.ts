import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types.js';
import { UnbiasedError } from '../errors.js';
import { disposeReplaced, disposeState, flattenState, sameNames, stateTensors, unflattenState, withCheckedVariables } from '../transforms/tree.js';
import { findVariable, registeredVariables } from '../tfjs/variables.js';
import { withInPlaceUpdates } from '../kernels/in-place.js';
import type { GradientTransformation, NamedTensors, StateLeaf, StateTree, UpdateInfo } from '../transforms/types.js';
import { finiteFlags, hostLeaves, NonFiniteWatch, selectState, surelyFinite, withHostLeaves } from './non-finite-guard.js';

/** Largest integer a numeric state leaf may hold (it is checkpointed as the bits of an int32). */
const MAX_UINT32 = 2 ** 32 - 1;

function lookupVariable(name: string): tf.Variable {
  const variable = findVariable(name);
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
 * - `error` (default): a step whose gradients are not all finite is never applied. A device-side guard keeps
 *   the old parameters and state (selected on the device, no read-back in the step; on cpu and wasm one
 *   synchronous read of a single sum of sums first lets a clean step skip the selects), and every later step is
 *   a no-op too until the error has been thrown: `UnbiasedError('NON_FINITE')` naming the step and the
 *   variables, thrown by the next `minimize` / `applyGradients` / `step` / `flush` call once the host knows.
 *   On cpu and wasm that is always the very next call, even in a synchronous loop (the flag is already
 *   computed in host memory; reading it is a copy of a few bytes). On webgpu the flag is read asynchronously
 *   (a synchronous read would stall the GPU): the error comes from the first call after that read resolved,
 *   so a synchronous loop that never awaits sees it only at `await flush()`; the steps in between were no-ops.
 *   When it is thrown, parameters, state and `iterations` are those after the last good step, so the caller
 *   can catch it, fix the data and continue. `step()` checks before applying and throws from that same call.
 * - `skip`: the step is skipped (parameters and state tensors unchanged), on the device, no read-back. Host
 *   counters in the state (step counts) still advance in `applyGradients`; `step()` skips exactly.
 * - `off`: no check and no guard (fastest: the check reads every gradient once more). You get what the
 *   arithmetic gives: a NaN gradient makes Adam's moments and the parameters NaN; in sign methods (SignSGD,
 *   Signum, Lion, StoSignSGD) the momentum of that coordinate becomes NaN for good and its sign is 0 on cpu
 *   and wasm (NaN on some GPUs), so the coordinate silently stops moving.
 */
export type NonFiniteMode = 'error' | 'skip' | 'off';

/** Options of {@link TransformOptimizer}. */
export interface TransformOptimizerOptions {
  /** Non-finite gradient handling (default `'error'`); see {@link NonFiniteMode}. */
  nonFinite?: NonFiniteMode;
}

function nonFiniteError(variables: string[], step: number, lastStep = step): UnbiasedError {
  const later = lastStep > step ? `; steps ${step + 1} to ${lastStep} were not applied either` : '';
  return new UnbiasedError(
    'NON_FINITE',
    `non-finite gradient for ${variables.map((v) => `"${v}"`).join(', ')} at step ${step}; nothing of that step was applied` +
      `${later} (parameters and optimizer state are those after step ${step - 1}); pass nonFinite: 'skip' to skip such steps`,
    { field: variables[0] ?? '' },
  );
}

/** How `commit` treats non-finite gradients: not at all, skip the step, or skip and record it (`error`). */
type Guard = 'none' | 'skip' | 'record';

/**
 * Any {@link GradientTransformation} as a `tf.Optimizer`, usable with tfjs-layers `model.compile({ optimizer })`
 * and `model.fit`, or with `optimizer.minimize(loss)` in a raw loop.
 *
 * State is created on the first `applyGradients` from the variables it sees, keyed by variable name; a later
 * step with a different set of variables throws `KEY_MISMATCH` naming them. `getWeights()` returns the
 * iteration count (tfjs convention, first) and every state leaf under a path name such as
 * `0%3Ascale_by_adam/mu/dense_Dense1%2Fkernel`, as new tensors the caller owns; `setWeights()` validates
 * the list (the `iter` entry first, no duplicates), names, shapes and dtypes against the current variables and
 * the values (finite, integer counters), changes nothing when any check fails, and restores the state exactly,
 * so training continues with identical numbers. Non-finite gradients: see {@link NonFiniteMode}. No path
 * (errors included) leaves tensors behind: `tf.memory().numTensors` stays flat across steps.
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
  private readonly watch = new NonFiniteWatch();
  /** Per-step caches (see `sortedNames`, `variablesOf`). */
  private lastKeys: string[] = [];
  private lastSorted: string[] = [];
  private variableCache: { names: string[]; params: NamedTensors; variables: tf.Variable[] } | undefined;

  constructor(transform: GradientTransformation, { nonFinite = 'error' }: TransformOptimizerOptions = {}) {
    super();
    if (nonFinite !== 'error' && nonFinite !== 'skip' && nonFinite !== 'off') {
      throw new UnbiasedError('INVALID_ARGUMENT', `nonFinite must be "error", "skip" or "off"; got "${String(nonFinite)}"`, { field: 'nonFinite' });
    }
    this.transform = transform;
    this.nonFinite = nonFinite;
  }

  /**
   * The gradients' names, sorted; the same array as last step while the keys are the same (in the same
   * order), so that what is derived from it can be reused. Never mutated.
   */
  private sortedNames(grads: NamedTensors): string[] {
    const keys = Object.keys(grads);
    if (!sameNames(keys, this.lastKeys)) {
      this.lastKeys = keys;
      this.lastSorted = [...keys].sort();
    }
    return this.lastSorted;
  }

  private ensureState(names: string[]): StateTree {
    if (this.state && this.variableNames === undefined) {
      // Restored state with no per-variable entries (e.g. SignSGD's step counts): adopt the first step's variables.
      this.variableNames = names;
      return this.state;
    }
    const known = this.variableNames;
    if (this.state && known) {
      if (sameNames(known, names)) return this.state;
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

  /**
   * `tf.Optimizer.minimize`, except that a non-finite step already known (see {@link NonFiniteMode}) throws
   * before `f` runs, and that the gradients and the cost are disposed when applying them throws.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    this.throwKnownNonFinite();
    const { value, grads } = this.computeGradients(f, varList);
    try {
      if (varList != null) this.applyGradients(varList.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
      else this.applyGradients(grads);
    } catch (error) {
      tf.dispose([value, ...Object.values(grads)]);
      throw error;
    }
    tf.dispose(grads);
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.throwKnownNonFinite();
    const grads = toGradientMap(variableGradients);
    const names = this.sortedNames(grads);
    this.commit(grads, names, this.nonFinite === 'error' ? 'record' : this.nonFinite === 'skip' ? 'skip' : 'none');
  }

  /**
   * One step with the non-finite check resolved before anything is applied (one tiny read-back): with
   * `nonFinite: 'error'` a non-finite gradient throws `NON_FINITE` naming the variables and the step, with
   * `'skip'` the step is skipped and `{ skipped: true, nonFiniteVariables }` is returned. Use it in raw loops.
   */
  async step(variableGradients: tf.NamedTensorMap | NamedTensor[]): Promise<UpdateInfo> {
    await this.flush();
    const grads = toGradientMap(variableGradients);
    const names = this.sortedNames(grads);
    if (this.nonFinite !== 'off' && names.length > 0) {
      const flags = tf.tidy(() => finiteFlags(grads, names));
      let values: tf.TypedArray;
      try {
        values = (await flags.data()) as tf.TypedArray;
      } finally {
        flags.dispose();
      }
      const bad = names.filter((_, i) => values[i] === 0);
      if (bad.length > 0) {
        if (this.nonFinite === 'error') throw nonFiniteError(bad, this.iterations + 1);
        this.lastInfo = { skipped: true, nonFiniteVariables: bad.join(',') };
        return this.lastInfo;
      }
    }
    this.commit(grads, names, 'none');
    return this.lastInfo ?? { skipped: false };
  }

  /**
   * Waits until the non-finite checks of every step so far have been read and throws `NON_FINITE` if one
   * failed (with `nonFinite: 'error'`; a no-op otherwise). On webgpu this is where a synchronous loop learns it.
   */
  async flush(): Promise<void> {
    await this.watch.settled();
    this.throwKnownNonFinite();
  }

  /**
   * Throws the error of a non-finite step the host knows of (on cpu/wasm: reads the device flag, a few bytes)
   * after rolling the host side back to the last good step: the device side (parameters, state tensors) is
   * already there, since the guard turned that step and every later one into no-ops.
   */
  private throwKnownNonFinite(): void {
    const report = this.watch.take();
    if (!report) return;
    this.watch.clear();
    if (this.state && report.hostLeavesBefore) this.state = withHostLeaves(this.state, report.hostLeavesBefore);
    const lastStep = this.iterations;
    this.iterations_ = report.step - 1;
    this.lastInfo = undefined;
    throw nonFiniteError(report.variables, report.step, lastStep);
  }

  private commit(grads: NamedTensors, names: string[], guard: Guard): void {
    const previous = this.ensureState(names);
    const params = this.variablesOf(names);
    const transform = this.transform;
    const step = this.iterations + 1;
    const record = guard === 'record' && names.length > 0 ? this.watch.current(names) : undefined;
    // On cpu and wasm the finiteness of the gradients is known now (a few bytes in host memory): a clean step
    // (the usual case) then runs without the device-side guard's selects, with the same result. Otherwise the
    // guard below decides on the device, as on webgpu.
    const guarded = guard !== 'none' && names.length > 0 && !tf.tidy(() => surelyFinite(grads, names) === true);
    let next: StateTree = previous;
    let stepInfo: UpdateInfo | undefined;
    // Everything runs in one tidy: the new parameters are assigned and the new state kept inside it, so that
    // the scope has only the record to look for in its result (no walk over every variable's tensors).
    const nextRecord = tf.tidy(() => {
      let newParams: NamedTensors;
      let state: StateTree;
      let info: UpdateInfo | undefined;
      if (transform.applyStep) {
        const applyStep = transform.applyStep.bind(transform);
        // Unguarded, the results are assigned whatever they hold: fused kernels may then update the buffers
        // the optimizer owns alone in place (see kernels/in-place.ts). The guard needs the old values.
        // The stages check the same gradient and parameter maps against each other: once per step is enough.
        const run = () => withCheckedVariables(() => applyStep(grads, previous, params));
        ({ params: newParams, state, info } = guarded ? run() : withInPlaceUpdates(run));
      } else {
        const r = withCheckedVariables(() => transform.update(grads, previous, params));
        newParams = {};
        for (const n of names) newParams[n] = tf.add(params[n] as tf.Tensor, r.updates[n] as tf.Tensor);
        ({ state, info } = r);
      }
      let nextRecord: tf.Tensor | undefined;
      if (guarded) {
        // Device-side guard: keep the old parameters and state unless every gradient is finite (and, with a
        // record, no earlier step was non-finite). No read-back here.
        const flags = finiteFlags(grads, names);
        const allFinite = tf.equal(tf.min(flags), tf.scalar(1, 'int32'));
        let apply = allFinite;
        if (record) {
          // On cpu and wasm the record is always clean here (a recorded step throws at the start of the next call).
          const clean = tf.equal(tf.reshape(tf.slice(record, [0], [1]), []), tf.scalar(0, 'int32'));
          apply = tf.logicalAnd(clean, allFinite);
          const firstBad = tf.logicalAnd(clean, tf.logicalNot(allFinite));
          const entry = tf.concat([tf.tensor1d([step], 'int32'), tf.sub(tf.scalar(1, 'int32'), flags)]);
          nextRecord = tf.where(firstBad, entry, record);
        }
        const selected: NamedTensors = {};
        for (const n of names) selected[n] = tf.where(apply, newParams[n] as tf.Tensor, params[n] as tf.Tensor);
        newParams = selected;
        state = selectState(apply, state, previous);
      }
      // A fused step that updated a variable in place returns the variable itself (kernels/in-place.ts):
      // nothing to assign (assigning a variable to itself would free its buffer).
      if (newParams !== params) {
        for (const n of names) {
          const value = newParams[n] as tf.Tensor;
          if (value !== params[n]) (params[n] as tf.Variable).assign(value);
        }
      }
      for (const t of stateTensors(state)) tf.keep(t);
      next = state;
      stepInfo = info;
      return nextRecord;
    }) as tf.Tensor1D | undefined;
    disposeReplaced(previous, next);
    if (nextRecord) this.watch.advance(nextRecord, step, hostLeaves(previous));
    this.state = next;
    this.lastInfo = stepInfo !== undefined && Object.keys(stepInfo).length > 0 ? stepInfo : undefined;
    this.incrementIterations();
  }

  /** The variables named `names`, looked up once and reused while the names stay and none is disposed. */
  private variablesOf(names: string[]): NamedTensors {
    const cached = this.variableCache;
    if (cached && cached.names === names) {
      let live = true;
      for (const v of cached.variables) if (v.isDisposed) live = false;
      if (live) return cached.params;
    }
    const params: NamedTensors = {};
    const variables: tf.Variable[] = [];
    for (const n of names) {
      const v = lookupVariable(n);
      params[n] = v;
      variables.push(v);
    }
    this.variableCache = { names, params, variables };
    return params;
  }

  /** The current state tree (undefined before the first step). Owned by the optimizer: do not dispose. */
  getState(): StateTree | undefined {
    return this.state;
  }

  /**
   * The checkpoint: `iter` first, then every state leaf by path name (new tensors the caller owns). With
   * `nonFinite: 'error'` it first waits for the pending checks and throws a non-finite step's error like the
   * next step would (a checkpoint is then taken of the state after the last good step).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    await this.flush();
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

  /**
   * Restores a checkpoint from {@link getWeights}. Throws, changing nothing, when the list is not one
   * (`BAD_STATE`: empty, not `iter` first, a duplicate or unknown entry, a missing one), when an entry does not
   * fit the variables (`SHAPE_MISMATCH`, `DTYPE_MISMATCH`), or when a value is NaN or infinite (`NON_FINITE`
   * naming the entry). Discards a pending non-finite report: the state it was about is replaced.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const { iterations, rest } = await readIterations(weightValues);
    if (rest.length === 0) {
      this.replaceState(undefined, [], iterations);
      return;
    }
    // Variable names are the last path segment of per-variable entries; find the registered ones.
    const registered = registeredVariables();
    const names = new Set<string>();
    for (const { name } of rest) {
      const last = decodeURIComponent(name.split('/').pop() as string);
      if (registered[last]) names.add(last);
    }
    const sortedNames = [...names].sort();
    const params = Object.fromEntries(sortedNames.map((n) => [n, registered[n] as tf.Variable]));
    const template = tf.tidy(() => this.transform.init(params) as unknown as tf.TensorContainer) as unknown as StateTree;
    const created: tf.Tensor[] = [];
    try {
      const templateLeaves = new Map(flattenState(template).map(({ name, leaf }) => [name, leaf]));
      // Names, shapes and dtypes first (host-only checks), then the values (one read for all tensors).
      const given = new Map<string, StateLeaf>(rest.map(({ name, tensor }) => [name, typeof templateLeaves.get(name) === 'number' ? 0 : tensor]));
      unflattenState(template, given);
      const numbers = await readCounters(rest.filter(({ name }) => typeof templateLeaves.get(name) === 'number'));
      await checkFinite(rest.filter(({ name }) => templateLeaves.get(name) instanceof tf.Tensor));
      const values = new Map<string, StateLeaf>();
      for (const { name, tensor } of rest) {
        const counter = numbers.get(name);
        if (counter !== undefined) {
          values.set(name, counter);
        } else {
          const copy = tf.keep(tf.clone(tensor));
          created.push(copy);
          values.set(name, copy);
        }
      }
      const restored = unflattenState(template, values);
      this.replaceState(restored, sortedNames.length > 0 ? sortedNames : undefined, iterations);
    } catch (error) {
      for (const t of created) t.dispose();
      throw error;
    } finally {
      disposeState(template);
    }
  }

  private replaceState(state: StateTree | undefined, variableNames: string[] | undefined, iterations: number): void {
    if (this.state) disposeState(this.state);
    this.state = state;
    this.variableNames = variableNames;
    this.iterations_ = iterations;
    this.lastInfo = undefined;
    this.watch.reset();
  }

  override dispose(): void {
    if (this.state) disposeState(this.state);
    this.state = undefined;
    this.variableNames = [];
    this.variableCache = undefined;
    this.watch.reset();
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { transform: this.transform.name };
  }
}

function badState(message: string, field: string): UnbiasedError {
  return new UnbiasedError('BAD_STATE', message, { field });
}

/** The value of a one-element entry as a float64 number (an async read). */
async function readOne({ name, tensor }: NamedTensor): Promise<number> {
  if (tensor.size !== 1) {
    throw badState(`optimizer weight "${decodeURIComponent(name)}" must hold one number; got shape [${tensor.shape}]`, decodeURIComponent(name));
  }
  return (await tensor.data())[0] as number;
}

/** Validates the list's shape and the leading `iter` entry; returns the iteration count and the other entries. */
async function readIterations(weightValues: NamedTensor[]): Promise<{ iterations: number; rest: NamedTensor[] }> {
  if (!Array.isArray(weightValues) || weightValues.length === 0) {
    throw badState('setWeights expects the list getWeights() returns: the "iter" entry first, then the state entries; got an empty list', 'iter');
  }
  const seen = new Set<string>();
  weightValues.forEach((entry, index) => {
    const name = (entry as Partial<NamedTensor> | undefined)?.name;
    const tensor = (entry as Partial<NamedTensor> | undefined)?.tensor;
    if (typeof name !== 'string' || !(tensor instanceof tf.Tensor) || tensor.isDisposed) {
      throw badState(`optimizer weight #${index} must be { name: string, tensor: tf.Tensor } with a live tensor`, typeof name === 'string' ? name : `#${index}`);
    }
    if (seen.has(name)) throw badState(`optimizer weight "${decodeURIComponent(name)}" is given twice`, decodeURIComponent(name));
    seen.add(name);
  });
  const [first, ...rest] = weightValues as [NamedTensor, ...NamedTensor[]];
  if (first.name !== 'iter') throw badState(`the first optimizer weight must be "iter" (the iteration count); got "${first.name}"`, 'iter');
  const iterations = await readOne(first);
  if (!Number.isFinite(iterations)) throw new UnbiasedError('NON_FINITE', `optimizer weight "iter" is ${iterations}`, { field: 'iter' });
  if (!Number.isInteger(iterations) || iterations < 0) throw badState(`optimizer weight "iter" must be a non-negative integer; got ${iterations}`, 'iter');
  return { iterations, rest };
}

/** Host counters (saved as int32 bits of a uint32): finite integers, returned as uint32 by name. */
async function readCounters(entries: NamedTensor[]): Promise<Map<string, number>> {
  const values = await Promise.all(entries.map(readOne));
  const out = new Map<string, number>();
  entries.forEach(({ name }, i) => {
    const value = values[i] as number;
    const field = decodeURIComponent(name);
    if (!Number.isFinite(value)) throw new UnbiasedError('NON_FINITE', `optimizer weight "${field}" is ${value}`, { field });
    if (!Number.isInteger(value) || value < -(2 ** 31) || value > MAX_UINT32) {
      throw badState(`optimizer weight "${field}" must be an integer counter (int32 bits of a uint32); got ${value}`, field);
    }
    out.set(name, value >>> 0);
  });
  return out;
}

/** Throws `NON_FINITE` naming the first floating-point entry with a NaN or an infinity (one read for all). */
async function checkFinite(entries: NamedTensor[]): Promise<void> {
  const floats = entries.filter(({ tensor }) => tensor.dtype === 'float32');
  if (floats.length === 0) return;
  const flags = tf.tidy(() => tf.stack(floats.map(({ tensor }) => tf.cast(tf.all(tf.isFinite(tensor)), 'int32'))));
  let values: tf.TypedArray;
  try {
    values = (await flags.data()) as tf.TypedArray;
  } finally {
    flags.dispose();
  }
  const bad = floats.filter((_, i) => values[i] === 0).map(({ name }) => decodeURIComponent(name));
  if (bad.length > 0) {
    throw new UnbiasedError('NON_FINITE', `optimizer weight ${bad.map((n) => `"${n}"`).join(', ')} holds NaN or Infinity`, { field: bad[0] as string });
  }
}

/** Wraps a transform as a `tf.Optimizer` (see {@link TransformOptimizer}). */
export function toTfOptimizer(transform: GradientTransformation, options: TransformOptimizerOptions = {}): TransformOptimizer {
  return new TransformOptimizer(transform, options);
}
