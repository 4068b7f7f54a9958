import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyOptions,
  applyUpdates,
  disposeReplaced,
  disposeState,
  type GradientTransformation,
  type NamedTensors,
  type RegisteredOptimizer,
  type ReferenceTolerance,
  type StateTree,
  stateTensors,
  TransformOptimizer,
} from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { type ConformanceProblem, makeProblem, sizeOf } from './problem.js';

/** A failed conformance check; the message names the optimizer, configuration, step and variable. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

/** One row of the table: an optimizer with one configuration (its defaults, or defaults + a variant). */
export interface TableCase {
  entry: RegisteredOptimizer;
  /** `adamw`, `stosignsgd [impl=fused]`, ... */
  label: string;
  options: AnyOptions;
  tolerance: ReferenceTolerance;
}

const FLOAT32_ROUNDING = 2 ** -24;

/**
 * Default tolerance against the float64 reference at step `t`: `|got - expected| <= t * 2^-20 * (1 + |expected|)`.
 * Why: a float32 step rounds the parameter once (2^-24 |p|) and its update a handful of times (each 2^-24 of
 * lr |u| <= |p| + 1 here); 16 roundings per step, accumulated over t steps, is t * 2^-20. The same holds for
 * `bf16` state because the references round their state to bf16 exactly where the implementation stores it.
 * The mutants the table must catch (a negated update, momentum as an average, a flipped Nesterov term) move a
 * parameter by about lr, at least 1e-4 > 6 * 2^-20 * 2 for the registered defaults.
 */
export const DEFAULT_TOLERANCE: ReferenceTolerance = { rel: 2 ** -20, abs: 2 ** -20 };

function describeOptions(options: AnyOptions): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${typeof v === 'function' ? 'fn' : String(v)}`)
    .join(', ');
}

/** The rows of the table for one entry: its defaults, then defaults + each variant. */
export function tableCases(entry: RegisteredOptimizer): TableCase[] {
  const cases: TableCase[] = [{ entry, label: entry.name, options: { ...entry.defaults }, tolerance: DEFAULT_TOLERANCE }];
  for (const variant of entry.variants) {
    cases.push({
      entry,
      label: `${entry.name} [${variant.label ?? describeOptions(variant.options)}]`,
      options: { ...entry.defaults, ...variant.options },
      tolerance: variant.tolerance ?? DEFAULT_TOLERANCE,
    });
  }
  return cases;
}

type Rows = Record<string, Float64Array>[];

function tensorsOf(values: Record<string, Float64Array>, problem: ConformanceProblem, order?: readonly string[]): NamedTensors {
  const keys = order ?? Object.keys(values);
  return Object.fromEntries(keys.map((k) => [k, tf.tensor(Float32Array.from(values[k] as Float64Array), problem.shapes[k], 'float32')]));
}

async function readAll(named: NamedTensors | Record<string, tf.Variable>): Promise<Record<string, Float64Array>> {
  const out: Record<string, Float64Array> = {};
  for (const k of Object.keys(named).sort()) out[k] = Float64Array.from(await (named[k] as tf.Tensor).data());
  return out;
}

/** Fails if an update tensor is (the same object as) a tensor of the new state: the caller would dispose state. */
function checkNoAliasing(label: string, t: number, updates: NamedTensors, state: StateTree): void {
  const held = new Set(stateTensors(state));
  for (const k of Object.keys(updates).sort()) {
    if (held.has(updates[k] as tf.Tensor)) {
      throw new ConformanceFailure(
        `${label} step ${t}, variable ${k}: the update is a tensor of the new state (aliasing); return a new tensor, callers dispose updates after applying them`,
      );
    }
  }
}

/** Runs `tx` through `init`/`update` on the problem (p <- p + update) and returns the parameters after each step. */
export async function functionalTrajectory(
  label: string,
  tx: GradientTransformation,
  problem: ConformanceProblem,
  { order, onStep }: { order?: readonly string[]; onStep?: (t: number) => void } = {},
): Promise<Rows> {
  let params = tensorsOf(problem.start, problem, order);
  let state = tx.init(params);
  const rows: Rows = [];
  try {
    for (let t = 1; t <= problem.grads.length; t++) {
      const grads = tensorsOf(problem.grads[t - 1] as Record<string, Float64Array>, problem, order);
      const { updates, state: next } = tx.update(grads, state, params);
      checkNoAliasing(label, t, updates, next);
      const nextParams = applyUpdates(params, updates);
      disposeReplaced(state, next, [...Object.values(updates), ...Object.values(grads), ...Object.values(params)]);
      state = next;
      params = nextParams;
      rows.push(await readAll(params));
      onStep?.(t);
    }
  } finally {
    disposeState(state);
    tf.dispose(Object.values(params));
  }
  return rows;
}

/** The float64 reference trajectory of `entry` with `options` on the problem. */
export function referenceTrajectory(entry: RegisteredOptimizer, options: AnyOptions, problem: ConformanceProblem): Rows {
  const params = Object.fromEntries(Object.entries(problem.start).map(([k, v]) => [k, Float64Array.from(v)]));
  const contexts = Object.fromEntries(Object.keys(params).map((name) => [name, { options, name, shape: problem.shapes[name] as number[] }]));
  const states = Object.fromEntries(Object.keys(params).map((k) => [k, entry.reference.init(problem.shapes[k] as number[], contexts[k]!)]));
  const rows: Rows = [];
  problem.grads.forEach((grads, index) => {
    for (const k of Object.keys(params).sort()) {
      entry.reference.step(params[k] as Float64Array, Float64Array.from(grads[k] as Float64Array), states[k]!, index + 1, contexts[k]!);
    }
    rows.push(Object.fromEntries(Object.keys(params).sort().map((k) => [k, Float64Array.from(params[k] as Float64Array)])));
  });
  return rows;
}

/** Compares rows within `tolerance` (scaled by the step count), naming the first element that is off. */
export function compareToReference(label: string, got: Rows, expected: Rows, tolerance: ReferenceTolerance, firstStep = 1): void {
  expected.forEach((row, index) => {
    const t = firstStep + index;
    for (const k of Object.keys(row).sort()) {
      const e = row[k] as Float64Array;
      const g = got[index]?.[k];
      if (!g || g.length !== e.length) throw new ConformanceFailure(`${label} step ${t}, variable ${k}: expected ${e.length} values, got ${g?.length ?? 'none'}`);
      for (let i = 0; i < e.length; i++) {
        const bound = t * (tolerance.abs + tolerance.rel * Math.abs(e[i] as number));
        const diff = Math.abs((g[i] as number) - (e[i] as number));
        if (!(diff <= bound)) {
          throw new ConformanceFailure(
            `${label} step ${t}, variable ${k}[${i}]: expected ${e[i]}, got ${g[i]} (|diff| ${diff.toExponential(3)} > tolerance ${bound.toExponential(3)})`,
          );
        }
      }
    }
  });
}

/**
 * Compares two float32 trajectories: bit for bit on cpu and wasm (the same float32 operations in the same
 * order); on webgpu within `t * 4` float32 roundings of the largest magnitude (a WGSL compiler may contract
 * a * b + c into one FMA).
 */
export function compareBits(label: string, got: Rows, expected: Rows, firstStep = 1): void {
  const exact = tf.getBackend() !== 'webgpu';
  expected.forEach((row, index) => {
    const t = firstStep + index;
    for (const k of Object.keys(row).sort()) {
      const e = row[k] as Float64Array;
      const g = got[index]?.[k] as Float64Array;
      const scale = e.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
      for (let i = 0; i < e.length; i++) {
        const a = (g[i] as number) + 0;
        const b = (e[i] as number) + 0;
        const ok = exact ? Object.is(a, b) : Math.abs(a - b) <= t * 4 * FLOAT32_ROUNDING * scale;
        if (!ok) throw new ConformanceFailure(`${label} step ${t}, variable ${k}[${i}]: expected ${b}, got ${a}${exact ? ' (must be bit-identical)' : ''}`);
      }
    }
  });
}

/** 1. The implementation follows the float64 reference step by step (functional `init`/`update` path). */
export async function checkReferenceTrajectory(c: TableCase, problem: ConformanceProblem = makeProblem()): Promise<void> {
  const expected = referenceTrajectory(c.entry, c.options, problem);
  const got = await functionalTrajectory(c.label, c.entry.create(c.options), problem);
  compareToReference(c.label, got, expected, c.tolerance);
}

function variables(values: Record<string, Float64Array>, problem: ConformanceProblem): Record<string, tf.Variable> {
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((k) => [k, tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(values[k] as Float64Array), problem.shapes[k], 'float32'), true, k))]),
  );
}

async function optimizerSteps(optimizer: TransformOptimizer, vars: Record<string, tf.Variable>, problem: ConformanceProblem, from: number, to: number): Promise<Rows> {
  const rows: Rows = [];
  for (let t = from; t <= to; t++) {
    const grads = tensorsOf(problem.grads[t - 1] as Record<string, Float64Array>, problem);
    await optimizer.step(grads);
    tf.dispose(Object.values(grads));
    rows.push(await readAll(vars));
  }
  return rows;
}

/** The trajectory through the tfjs adapter (`TransformOptimizer.step`: the transform's fused `applyStep` when it has one). */
export async function optimizerTrajectory(create: () => GradientTransformation, problem: ConformanceProblem): Promise<Rows> {
  const vars = variables(problem.start, problem);
  const optimizer = new TransformOptimizer(create());
  try {
    return await optimizerSteps(optimizer, vars, problem, 1, problem.grads.length);
  } finally {
    optimizer.dispose();
    for (const v of Object.values(vars)) v.dispose();
  }
}

/** The same options with the other `impl`, or null when the case has no `impl` option. */
export function otherImpl(options: AnyOptions): AnyOptions | null {
  if (options.impl === 'fused') return { ...options, impl: 'reference' };
  if (options.impl === 'reference') return { ...options, impl: 'fused' };
  return null;
}

/** 2. For `impl: 'fused'`: the fused path gives the reference path's numbers (through the tfjs adapter). */
export async function checkFusedMatchesReference(c: TableCase, problem: ConformanceProblem = makeProblem()): Promise<void> {
  const reference = otherImpl(c.options);
  if (c.options.impl !== 'fused' || !reference) return;
  const fused = await optimizerTrajectory(() => c.entry.create(c.options), problem);
  const expected = await optimizerTrajectory(() => c.entry.create(reference), problem);
  compareBits(`${c.label} fused vs impl=reference`, fused, expected);
}

/**
 * 3. Checkpoints: `getWeights` after 3 steps under `c.options`, `setWeights` into a fresh optimizer built with
 * `restoreOptions` (the same options: a state round trip; the other `impl`: a checkpoint across impl), continue
 * 3 steps; the parameters must equal those of the uninterrupted run (bit for bit on cpu and wasm).
 */
export async function checkCheckpoint(c: TableCase, restoreOptions: AnyOptions, problem: ConformanceProblem = makeProblem()): Promise<void> {
  const half = Math.floor(problem.grads.length / 2);
  const what = restoreOptions === c.options ? 'state round trip' : `checkpoint impl=${String(c.options.impl)} -> impl=${String(restoreOptions.impl)}`;
  const label = `${c.label} ${what}:`;
  const vars = variables(problem.start, problem);
  const first = new TransformOptimizer(c.entry.create(c.options));
  let second: TransformOptimizer | undefined;
  let saved: { name: string; tensor: tf.Tensor }[] = [];
  try {
    await optimizerSteps(first, vars, problem, 1, half);
    saved = await first.getWeights();
    const snapshot = await readAll(vars);
    const expected = await optimizerSteps(first, vars, problem, half + 1, problem.grads.length);
    for (const [k, v] of Object.entries(vars)) v.assign(tf.tensor(Float32Array.from(snapshot[k] as Float64Array), problem.shapes[k], 'float32'));
    second = new TransformOptimizer(c.entry.create(restoreOptions));
    try {
      await second.setWeights(saved);
    } catch (error) {
      throw new ConformanceFailure(`${label} setWeights after step ${half} failed: ${(error as Error).message}`);
    }
    if (second.iterations !== half) throw new ConformanceFailure(`${label} iterations after setWeights: expected ${half}, got ${second.iterations}`);
    const got = await optimizerSteps(second, vars, problem, half + 1, problem.grads.length);
    compareBits(label, got, expected, half + 1);
  } finally {
    tf.dispose(saved.map((w) => w.tensor));
    first.dispose();
    second?.dispose();
    for (const v of Object.values(vars)) v.dispose();
  }
}

/** 4. No tensor growth: the tensor count is flat from step 2 on (functional and adapter paths) and returns to baseline. */
export async function checkNoTensorGrowth(c: TableCase, problem: ConformanceProblem = makeProblem()): Promise<void> {
  const baseline = tf.memory().numTensors;
  const counts: number[] = [];
  const flat = (path: string) => {
    for (let i = 2; i < counts.length; i++) {
      if (counts[i] !== counts[1]) {
        throw new ConformanceFailure(`${c.label} ${path} step ${i + 1}: tensor count ${counts[i]}, expected ${counts[1]} as after step 2 (a leak)`);
      }
    }
  };
  await functionalTrajectory(c.label, c.entry.create(c.options), problem, { onStep: () => counts.push(tf.memory().numTensors) });
  flat('init/update');
  counts.length = 0;
  const vars = variables(problem.start, problem);
  const optimizer = new TransformOptimizer(c.entry.create(c.options));
  for (let t = 1; t <= problem.grads.length; t++) {
    await optimizerSteps(optimizer, vars, problem, t, t);
    counts.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  for (const v of Object.values(vars)) v.dispose();
  flat('TransformOptimizer');
  const after = tf.memory().numTensors;
  if (after !== baseline) throw new ConformanceFailure(`${c.label}: ${after - baseline} tensors left after disposing everything (baseline ${baseline})`);
}

/** 5. Typed errors: `create` rejects bad hyperparameters with an `UnbiasedError` naming the field. */
export function checkInvalidOptions(entry: RegisteredOptimizer): void {
  const examples = [...entry.invalid];
  if (typeof entry.defaults.learningRate === 'number') {
    examples.push({ options: { learningRate: -1 }, field: 'learningRate' }, { options: { learningRate: Number.NaN }, field: 'learningRate' });
  }
  for (const { options, field } of examples) {
    let error: unknown;
    try {
      entry.create({ ...entry.defaults, ...options });
    } catch (e) {
      error = e;
    }
    const got = error === undefined ? 'it returned a transform' : `it threw ${String(error)}${isUnbiasedError(error) ? ` (field ${String(error.field)})` : ''}`;
    if (!isUnbiasedError(error) || error.field !== field) {
      throw new ConformanceFailure(`${entry.name}: create(${describeOptions(options)}) must throw an UnbiasedError naming field "${field}"; ${got}`);
    }
  }
}

/** 6. The gradients' key order does not change any number (state is keyed by name, not position). */
export async function checkShuffledKeys(c: TableCase, problem: ConformanceProblem = makeProblem()): Promise<void> {
  const keys = Object.keys(problem.shapes).sort();
  const sorted = await functionalTrajectory(c.label, c.entry.create(c.options), problem, { order: keys });
  const shuffled = await functionalTrajectory(c.label, c.entry.create(c.options), problem, { order: [...keys.slice(2), ...keys.slice(0, 2)].reverse() });
  expectIdentical(`${c.label} shuffled gradient keys:`, shuffled, sorted);
}

function expectIdentical(label: string, got: Rows, expected: Rows): void {
  expected.forEach((row, index) => {
    for (const k of Object.keys(row).sort()) {
      const e = row[k] as Float64Array;
      const g = got[index]?.[k] as Float64Array;
      for (let i = 0; i < e.length; i++) {
        if (!Object.is((g[i] as number) + 0, (e[i] as number) + 0)) {
          throw new ConformanceFailure(`${label} step ${index + 1}, variable ${k}[${i}]: expected ${e[i]}, got ${g[i]} (must be bit-identical)`);
        }
      }
    }
  });
}

/** 7. Updates keep the gradients' dtype and shape; missing keys and wrong shapes are rejected naming the variable. */
export function checkDtypeShapeAndKeys(c: TableCase, problem: ConformanceProblem = makeProblem()): void {
  const tx = c.entry.create(c.options);
  const params = tensorsOf(problem.start, problem);
  const grads = tensorsOf(problem.grads[0] as Record<string, Float64Array>, problem);
  const state = tx.init(params);
  const wrong = tf.zeros([sizeOf(problem.shapes['dense/bias'] as number[]) + 1]);
  try {
    const rejects = (what: string, bad: NamedTensors) => {
      let error: unknown;
      try {
        const out = tx.update(bad, state, params);
        tf.dispose(Object.values(out.updates));
      } catch (e) {
        error = e;
      }
      if (!/dense\/bias/.test(String((error as Error | undefined)?.message))) {
        throw new ConformanceFailure(`${c.label}: update with ${what} must throw naming "dense/bias"; ${error === undefined ? 'it did not throw' : `got ${String(error)}`}`);
      }
    };
    const { 'dense/bias': _bias, ...missing } = grads;
    rejects('gradient dense/bias missing', missing);
    rejects('gradient dense/bias of the wrong shape', { ...grads, 'dense/bias': wrong });
    const { updates, state: next } = tx.update(grads, state, params);
    for (const k of Object.keys(grads).sort()) {
      const u = updates[k];
      const g = grads[k] as tf.Tensor;
      if (!u || u.dtype !== g.dtype || u.shape.join('x') !== g.shape.join('x')) {
        throw new ConformanceFailure(`${c.label} step 1, variable ${k}: update ${u ? `${u.dtype}[${u.shape}]` : 'missing'}, expected ${g.dtype}[${g.shape}]`);
      }
    }
    tf.dispose(Object.values(updates));
    disposeReplaced(state, next);
    disposeState(next);
  } finally {
    disposeState(state); // no-op for what disposeReplaced freed
    tf.dispose([wrong, ...Object.values(grads), ...Object.values(params)]);
  }
}
