// Test helpers shared by the optimizer packages' backend tests (float64 comparisons, trajectories, tfjs-layers fit).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyUpdates, disposeReplaced, disposeState, type GradientTransformation, type NamedTensors, TransformOptimizer } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { expect } from 'vitest';
import { read, testBackend } from './backend.js';


/** |a - e| <= abs + rel * |e| elementwise, naming the first element that is off. */
export function expectClose(actual: number[], expected: number[], rel: number, abs: number, label = ''): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) throw new Error(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
  });
}

/** Asserts that `fn` throws an UnbiasedError with `code` whose `field` is `field`. */
export function expectUnbiasedError(fn: () => unknown, code: string, field: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(isUnbiasedError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as { field?: string }).field).toBe(field);
}

/**
 * Runs `tx` on parameters `start` with the fixed gradient sequence `grads` (p <- p + update) and returns the
 * parameters after every step, as float64 numbers, per variable (flat, row-major; `shapes` default 1-D). Leaks nothing.
 */
export async function runTrajectory(
  tx: GradientTransformation,
  start: Record<string, number[]>,
  grads: Record<string, number[]>[],
  shapes: Record<string, number[]> = {},
): Promise<Record<string, number[]>[]> {
  const tensor = (k: string, v: number[]) => tf.tensor(v, shapes[k] ?? [v.length]);
  let params: NamedTensors = Object.fromEntries(Object.entries(start).map(([k, v]) => [k, tensor(k, v)]));
  let state = tx.init(params);
  const out: Record<string, number[]>[] = [];
  for (const g of grads) {
    const gt: NamedTensors = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tensor(k, v)]));
    const { updates, state: next } = tx.update(gt, state, params);
    const nextParams = applyUpdates(params, updates);
    disposeReplaced(state, next, [...Object.values(updates), ...Object.values(gt), ...Object.values(params)]);
    state = next;
    params = nextParams;
    const row: Record<string, number[]> = {};
    for (const k of Object.keys(params).sort()) row[k] = await read(params[k] as tf.Tensor);
    out.push(row);
  }
  disposeState(state);
  tf.dispose(Object.values(params));
  return out;
}

/** A small dense model (4 -> 8 tanh -> 1), Glorot-uniform kernels, for fit tests. */
export function makeModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 8, inputShape: [4], activation: 'tanh', kernelInitializer: 'glorotUniform' }));
  model.add(tfl.layers.dense({ units: 1, kernelInitializer: 'glorotUniform' }));
  return model;
}

/** 64 rows of y = a fixed nonlinear map of x (x of width 4); deterministic, no randomness. */
export function dataset(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const n = 64;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [Math.sin(i), Math.cos(0.5 * i), ((i % 7) - 3) / 3, ((i % 5) - 2) / 2];
    xs.push(...row);
    ys.push(0.5 * row[0]! - row[1]! + 0.25 * row[2]! * row[3]!);
  }
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor2d(ys, [n, 1]) };
}

/**
 * Trains a small dense model with `model.fit` through `optimizer` (2 warm-up epochs, then `epochs`), asserts
 * the tensor count is flat across epochs and returns the first and last epoch losses. Disposes everything.
 */
export async function fitLosses(optimizer: tf.Optimizer, epochs = 30): Promise<{ initial: number; final: number }> {
  const { x, y } = dataset();
  const model = makeModel();
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const first = await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
  const afterWarmup = tf.memory().numTensors;
  const history = await model.fit(x, y, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
  expect(tf.memory().numTensors).toBe(afterWarmup);
  const initial = first.history.loss![0] as number;
  const final = history.history.loss!.at(-1) as number;
  model.dispose();
  optimizer.dispose();
  tf.dispose([x, y]);
  return { initial, final };
}

/** Checkpoints `create()`'s state after one step, then checks that restoring it for other shapes or names fails naming them. */
export async function expectRestoreMismatchFails(create: () => GradientTransformation): Promise<void> {
  const v = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1, 2]), true, `restore_${Math.random().toString(36).slice(2)}`));
  const opt = new TransformOptimizer(create());
  const g = tf.tensor1d([1, -2, 0.5]);
  opt.applyGradients({ [v.name]: g });
  const weights = await opt.getWeights();
  const reshaped = weights.map((w) => (w.tensor.rank === 1 ? { name: w.name, tensor: tf.zeros([4]) } : w));
  const other = new TransformOptimizer(create());
  const shapeError = await other.setWeights(reshaped).catch((e: unknown) => e);
  expect(isUnbiasedError(shapeError, 'SHAPE_MISMATCH'), String(shapeError)).toBe(true);
  expect((shapeError as Error).message).toContain(v.name);
  const renamed = weights.map((w) => ({ name: w.name.replace('restore_', 'elsewhere_'), tensor: w.tensor }));
  const nameError = await other.setWeights(renamed).catch((e: unknown) => e);
  expect(isUnbiasedError(nameError, 'BAD_STATE'), String(nameError)).toBe(true);
  expect((nameError as Error).message).toMatch(/elsewhere_/);
  tf.dispose([...weights.map((w) => w.tensor), ...reshaped.map((w) => w.tensor), v, g]);
  opt.dispose();
  other.dispose();
}

/**
 * Runs `create()` as a tf.Optimizer (TransformOptimizer: its `applyStep` fast path when the transform has one)
 * on variables named by the keys of `start` (no other live variable may have these names), with the fixed
 * gradients, and returns the parameters after every step. The names match {@link runTrajectory}'s keys because the
 * dither stream is keyed by variable name. With `resume`, the optimizer is checkpointed before step
 * `resume.atStep` (0-based) and restored into a fresh one from `resume.into` (e.g. the other `impl`).
 */
export async function optimizerTrajectory(
  create: () => GradientTransformation,
  start: Record<string, number[]>,
  grads: Record<string, number[]>[],
  resume?: { atStep: number; into: () => GradientTransformation },
): Promise<Record<string, number[]>[]> {
  const vars = Object.fromEntries(Object.entries(start).map(([k, v]) => [k, tf.tidy(() => tf.variable(tf.tensor1d(v), true, k))]));
  let optimizer = new TransformOptimizer(create());
  const out: Record<string, number[]>[] = [];
  for (const [t, g] of grads.entries()) {
    if (resume && t === resume.atStep) {
      // A `getWeights()` checkpoint restored (`setWeights`) into a fresh optimizer from `resume.into`.
      const saved = await optimizer.getWeights();
      optimizer.dispose();
      optimizer = new TransformOptimizer(resume.into());
      await optimizer.setWeights(saved);
      tf.dispose(saved.map((w) => w.tensor));
    }
    const gt = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.tensor1d(v)]));
    await optimizer.step(gt);
    tf.dispose(Object.values(gt));
    const row: Record<string, number[]> = {};
    for (const k of Object.keys(vars).sort()) row[k] = await read(vars[k] as tf.Variable);
    out.push(row);
  }
  optimizer.dispose();
  for (const v of Object.values(vars)) v.dispose();
  return out;
}

/**
 * Fused vs reference trajectories: bit for bit on cpu and wasm (the same float32 operations in the same order;
 * both paths use an exact sign, see core's exactSign);
 * on webgpu within `steps * 4` float32 roundings of `scale`, the largest magnitude involved (a WGSL compiler may
 * contract a*b + c into one FMA).
 */
export function expectParity(fused: Record<string, number[]>[], reference: Record<string, number[]>[], scale: number): void {
  expect(fused.length).toBe(reference.length);
  fused.forEach((row, t) => {
    for (const k of Object.keys(reference[t]!)) {
      if (testBackend === 'webgpu') expectClose(row[k]!, reference[t]![k]!, 0, (t + 1) * 4 * 2 ** -24 * scale, `step ${t + 1} ${k}`);
      else expect(row[k]!.map((x) => x + 0), `step ${t + 1} ${k}`).toEqual(reference[t]![k]!.map((x) => x + 0));
    }
  });
}
