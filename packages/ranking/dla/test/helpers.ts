// Test helpers: float64 references written independently of the library, and error assertions.
import * as tf from '@tensorflow/tfjs-core';
import type { UnbiasedErrorCode } from '@unbiased/core/errors';
import { expect } from 'vitest';
import { expectUnbiasedError as expectUnbiasedErrorNaming } from '../../../../tooling/vitest/assert.js';

export { memorySnapshot, read, testBackend } from '../../../../tooling/vitest/backend.js';
/** Deterministic pseudo-random numbers for test inputs (mulberry32). */
export { mulberry32 as seeded } from '../../../../tooling/vitest/random.js';

/** Elementwise `|a - e| <= abs + rel |e|`, naming the first offending element. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) throw new Error(`element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
  }
}

/** Asserts `fn` throws an UnbiasedError with `code` and `error.field === field`, whose message names the field (without an `[i]` suffix). */
export function expectUnbiasedError(fn: () => unknown, code: UnbiasedErrorCode, field: string): void {
  expectUnbiasedErrorNaming(fn, code, field, field.replace(/\[\d+\]$/, ''));
}

/** Inputs of the float64 softmax-loss reference: row-major [B, L] arrays. */
export interface LossCase {
  batchSize: number;
  listSize: number;
  logits: number[];
  labels: number[];
  mask?: number[];
  /** [B * L] or [L]. */
  positionWeights?: number[];
  listWeights?: number[];
  maxWeight?: number;
  reduction?: 'weighted-mean' | 'sum';
}

/**
 * Float64 reference of the click-weighted softmax loss:
 * `-sum lambda_q c_qi min(w_qi, M) log softmax_valid(f_q)_i / sum lambda c min(w, M)` over valid positions.
 */
export function softmaxLossReference(c: LossCase): number {
  const { batchSize: bs, listSize: l } = c;
  let num = 0;
  let den = 0;
  for (let b = 0; b < bs; b++) {
    const valid: number[] = [];
    for (let i = 0; i < l; i++) if ((c.mask?.[b * l + i] ?? 1) > 0) valid.push(i);
    if (valid.length === 0) continue;
    const max = Math.max(...valid.map((i) => c.logits[b * l + i] as number));
    let sumExp = 0;
    for (const i of valid) sumExp += Math.exp((c.logits[b * l + i] as number) - max);
    const logZ = max + Math.log(sumExp);
    for (const i of valid) {
      const rawW = c.positionWeights === undefined ? 1 : c.positionWeights.length === l ? (c.positionWeights[i] as number) : (c.positionWeights[b * l + i] as number);
      const w = Math.min(rawW, c.maxWeight ?? Infinity);
      const weight = (c.labels[b * l + i] as number) * w * (c.listWeights?.[b] ?? 1);
      num -= weight * ((c.logits[b * l + i] as number) - logZ);
      den += weight;
    }
  }
  if (c.reduction === 'sum') return num;
  return den > 0 ? num / den : 0;
}

/** The library call for a {@link LossCase}, as tensors. */
export function lossTensors(c: LossCase): { logits: tf.Tensor2D; labels: tf.Tensor2D; mask?: tf.Tensor2D; positionWeights?: tf.Tensor; listWeights?: tf.Tensor1D } {
  const shape: [number, number] = [c.batchSize, c.listSize];
  return {
    logits: tf.tensor2d(c.logits, shape),
    labels: tf.tensor2d(c.labels, shape),
    ...(c.mask ? { mask: tf.tensor2d(c.mask, shape) } : {}),
    ...(c.positionWeights
      ? { positionWeights: c.positionWeights.length === c.listSize ? tf.tensor1d(c.positionWeights) : tf.tensor2d(c.positionWeights, shape) }
      : {}),
    ...(c.listWeights ? { listWeights: tf.tensor1d(c.listWeights) } : {}),
  };
}
