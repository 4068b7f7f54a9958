import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors, StateLeaf, StateTree } from '../transforms/types.js';
import { isHostBackend, readSmallOnHostBackend } from './host-read.js';

/** One int32 flag per variable (in `names` order), 1 when every element of its gradient is finite. Call inside a tidy. */
export function finiteFlags(grads: NamedTensors, names: string[]): tf.Tensor1D {
  return tf.stack(names.map((n) => tf.cast(tf.all(tf.isFinite(grads[n] as tf.Tensor)), 'int32'))) as tf.Tensor1D;
}

/**
 * On cpu and wasm: true when every gradient is certainly finite, read synchronously after one reduction per
 * variable (a sum: NaN and infinities propagate through every addition, so a non-finite element makes its
 * sum, and the sum of the sums, non-finite). False means "maybe not": a sum of large finite values can
 * overflow, and gradients that are not float32 are not summed; the caller then runs the exact check.
 * Undefined on other backends (no synchronous read there). Call inside a tidy.
 */
export function surelyFinite(grads: NamedTensors, names: string[]): boolean | undefined {
  if (!isHostBackend()) return undefined;
  const sums: tf.Tensor[] = [];
  for (const n of names) {
    const g = grads[n] as tf.Tensor;
    if (g.dtype !== 'float32') return false;
    sums.push(tf.sum(g));
  }
  const total = sums.length === 1 ? (sums[0] as tf.Tensor) : tf.addN(sums);
  const value = readSmallOnHostBackend(total)?.[0] as number;
  return Number.isFinite(value);
}

/** `cond ? a : b` over two state trees of the same structure; host numbers are taken from `a`. Call inside a tidy. */
export function selectState(cond: tf.Tensor, a: StateTree, b: StateTree): StateTree {
  const out: StateTree = {};
  for (const key of Object.keys(a)) {
    const x = a[key] as StateLeaf | StateTree;
    const y = b[key] as StateLeaf | StateTree;
    if (x instanceof tf.Tensor) out[key] = tf.where(cond, x, y as tf.Tensor);
    else if (typeof x === 'number') out[key] = x;
    else out[key] = selectState(cond, x, y as StateTree);
  }
  return out;
}

/** The host numbers of a state tree (step counts, RNG words) by path. */
export function hostLeaves(state: StateTree, prefix = '', out = new Map<string, number>()): Map<string, number> {
  for (const key of Object.keys(state)) {
    const child = state[key] as StateLeaf | StateTree;
    const path = `${prefix}/${encodeURIComponent(key)}`;
    if (typeof child === 'number') out.set(path, child);
    else if (!(child instanceof tf.Tensor)) hostLeaves(child, path, out);
  }
  return out;
}

/** A copy of `state` (same tensors) with its host numbers replaced by those of `leaves` (from {@link hostLeaves}). */
export function withHostLeaves(state: StateTree, leaves: Map<string, number>, prefix = ''): StateTree {
  const out: StateTree = {};
  for (const key of Object.keys(state)) {
    const child = state[key] as StateLeaf | StateTree;
    const path = `${prefix}/${encodeURIComponent(key)}`;
    if (typeof child === 'number') out[key] = leaves.get(path) ?? child;
    else if (child instanceof tf.Tensor) out[key] = child;
    else out[key] = withHostLeaves(child, leaves, path);
  }
  return out;
}

/** The first non-finite step the device saw: its number, the variables, and the host numbers of the state before it. */
export interface NonFiniteReport {
  step: number;
  variables: string[];
  hostLeavesBefore: Map<string, number> | undefined;
}

/**
 * Device-side record of the first step whose gradients were not all finite, for `nonFinite: 'error'`.
 *
 * The record is one int32 tensor `[firstBadStep, bad_1, ..., bad_n]` (0 = none yet; `bad_i` = 1 when variable
 * i's gradient had a NaN or an infinity at that step). Each guarded step computes, on the device,
 * `apply = (firstBadStep == 0) && allFinite(grads)` and keeps the old parameters and state unless `apply`:
 * once a step is bad, every later step is a no-op until the host has learned of it and thrown, so what the
 * user sees when the error is thrown is the state after the last good step, whatever the backend.
 *
 * How the host learns of it: on cpu and wasm the record is read synchronously (a few bytes in host memory) at
 * the next call; on other backends (webgpu) one asynchronous `data()` read is in flight at a time and its
 * result is reported at the first call after it resolved (a synchronous JS loop never lets it resolve: there
 * `flush()` reports it). Host numbers of the state before each unconfirmed step are kept so that they can be
 * restored with the tensors.
 */
export class NonFiniteWatch {
  private record: tf.Tensor1D | undefined;
  private names: string[] = [];
  /** The record being read asynchronously (kept alive until the read ends, even if replaced). */
  private reading: tf.Tensor | undefined;
  private readPromise: Promise<void> | undefined;
  private readError: unknown;
  /** Bumped on reset, so that a read started before it is ignored. */
  private generation = 0;
  private lastStep = 0;
  private confirmedStep = 0;
  private readonly snapshots = new Map<number, Map<string, number>>();
  private report: NonFiniteReport | undefined;

  /** The record to guard the next step with; a fresh all-clear one for a new set of variables. */
  current(names: string[]): tf.Tensor1D {
    const same =
      this.record !== undefined && (this.names === names || (this.names.length === names.length && this.names.every((n, i) => n === names[i])));
    if (!same) {
      this.release(this.record);
      this.record = tf.keep(tf.zeros([names.length + 1], 'int32'));
      this.names = names;
    }
    return this.record as tf.Tensor1D;
  }

  /** Installs the record a guarded step produced (`next`, owned from now on) for step `step`. */
  advance(next: tf.Tensor1D, step: number, hostLeavesBefore: Map<string, number>): void {
    const previous = this.record;
    this.record = tf.keep(next);
    this.release(previous);
    this.lastStep = step;
    this.snapshots.set(step, hostLeavesBefore);
    if (!isHostBackend()) this.startRead();
  }

  /**
   * The report of a non-finite step, if the host knows of one now (reading the record on cpu/wasm); takes it
   * (a second call returns undefined). Rethrows an error of the asynchronous read, if one failed.
   */
  take(): NonFiniteReport | undefined {
    if (this.readError !== undefined) {
      const error = this.readError;
      this.readError = undefined;
      throw error;
    }
    if (!this.report && this.record && this.lastStep > this.confirmedStep) {
      const values = readSmallOnHostBackend(this.record);
      if (values) this.settle(values, this.lastStep);
    }
    const report = this.report;
    this.report = undefined;
    return report;
  }

  /** Resolves once every step so far is confirmed finite or a report is ready (at most one read at a time). */
  async settled(): Promise<void> {
    while (!this.report && this.readError === undefined && this.record && this.lastStep > this.confirmedStep) {
      const values = readSmallOnHostBackend(this.record);
      if (values) {
        this.settle(values, this.lastStep);
        return;
      }
      this.startRead();
      await this.readPromise;
    }
  }

  /**
   * After the error of a report was thrown: an all-clear record for the same variables (one tensor replaces
   * one, so the tensor count does not move), nothing pending.
   */
  clear(): void {
    const previous = this.record;
    const names = this.names;
    this.reset();
    if (previous) {
      this.record = tf.keep(tf.zeros([names.length + 1], 'int32'));
      this.names = names;
    }
  }

  /** Forgets everything (a restore, or dispose): the next step starts a fresh record. */
  reset(): void {
    this.generation += 1;
    this.release(this.record);
    this.record = undefined;
    this.names = [];
    this.snapshots.clear();
    this.report = undefined;
    this.lastStep = 0;
    this.confirmedStep = 0;
  }

  private settle(values: tf.TypedArray, coveredStep: number): void {
    const firstBad = values[0] as number;
    if (firstBad !== 0) {
      this.report = {
        step: firstBad,
        variables: this.names.filter((_, i) => values[i + 1] !== 0),
        hostLeavesBefore: this.snapshots.get(firstBad),
      };
      return;
    }
    this.confirmedStep = Math.max(this.confirmedStep, coveredStep);
    for (const step of this.snapshots.keys()) if (step <= coveredStep) this.snapshots.delete(step);
  }

  private startRead(): void {
    if (this.readPromise || !this.record) return;
    const tensor = this.record;
    const covered = this.lastStep;
    const generation = this.generation;
    this.reading = tensor;
    this.readPromise = tensor
      .data()
      .then(
        (values) => {
          if (generation === this.generation && !this.report) this.settle(values as tf.TypedArray, covered);
        },
        (error: unknown) => {
          if (generation === this.generation) this.readError = error;
        },
      )
      .finally(() => {
        this.reading = undefined;
        this.readPromise = undefined;
        if (tensor !== this.record && !tensor.isDisposed) tensor.dispose();
      });
  }

  private release(tensor: tf.Tensor | undefined): void {
    if (tensor && tensor !== this.reading && !tensor.isDisposed) tensor.dispose();
  }
}
