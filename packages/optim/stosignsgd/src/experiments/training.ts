import * as tf from '@tensorflow/tfjs-core';
import {
  applyUpdates,
  disposeReplaced,
  disposeState,
  type ExperimentContext,
  type GradientTransformation,
  type NamedTensors,
  type StateTree,
} from '@unbiased/core';

/**
 * One optimizer run on plain tensors: `params <- params + update(grads)` through a gradient transformation,
 * keeping the state keyed by variable name. Owns its parameter and state tensors; `step` never disposes the
 * caller's gradients.
 */
export class TransformRun {
  params: NamedTensors;
  private state: StateTree;

  constructor(
    readonly transform: GradientTransformation,
    params: NamedTensors,
  ) {
    this.params = params;
    this.state = transform.init(params);
  }

  step(grads: NamedTensors): void {
    const { updates, state } = this.transform.update(grads, this.state, this.params);
    const next = applyUpdates(this.params, updates);
    disposeReplaced(this.state, state, Object.values(updates).filter((u) => !Object.values(grads).includes(u)));
    tf.dispose(Object.values(this.params));
    this.params = next;
    this.state = state;
  }

  dispose(): void {
    disposeState(this.state);
    tf.dispose(Object.values(this.params));
  }
}

/** Steps at which a curve is sampled: about `points` evenly spaced steps, always including the first and the last. */
export function checkpoints(steps: number, points: number): Set<number> {
  const every = Math.max(1, Math.floor(steps / points));
  const out = new Set<number>([1, steps]);
  for (let t = every; t < steps; t += every) out.add(t);
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** Reads a tensor as float64 numbers (asynchronous: no synchronous read-back in library code). */
export async function readNumbers(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

/** Reports progress of stage `index` of `count` at `fraction` within the stage. */
export function stageProgress(ctx: ExperimentContext, index: number, count: number, fraction: number, status: string): void {
  ctx.progress(Math.min(1, (index + fraction) / count), status);
}

/** Formats a number for claim texts: 3 significant digits. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toPrecision(3) : value.toExponential(2);
}

/** A metric key fragment from a method label: lower case, non-alphanumerics to `_`. */
export function metricKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
