/**
 * Input and option checks of the rankers, losses and learners (generic option checks are `@unbiased/errors`'s).
 * Internal: not re-exported.
 * Shapes are checked on the host from tensor metadata (no read-back); `error.field` names the input.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkPositive, UnbiasedError } from '@unbiased/core/errors';

export { invalidArgument } from '@unbiased/core/errors';

/** Throws `SHAPE_MISMATCH` naming `field`. */
export function shapeMismatch(field: string, message: string): never {
  throw new UnbiasedError('SHAPE_MISMATCH', message, { field });
}

/** A maximum weight: `Infinity` (no clipping) or a finite number > 0. */
export function maxWeightOption(field: string, value: number | undefined): number {
  if (value === undefined || value === Infinity) return Infinity;
  return checkPositive(field, value);
}

function describe(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks that `t` is a tensor of rank `rank`; returns its shape. */
export function checkRank(field: string, t: tf.Tensor | undefined, rank: number, what: string): number[] {
  if (t === undefined || t === null || typeof t !== 'object' || !Array.isArray((t as tf.Tensor).shape)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be a tensor (${what}); got ${String(t)}`, { field });
  }
  if (t.shape.length !== rank) shapeMismatch(field, `${field} must have rank ${rank} (${what}); got shape ${describe(t.shape)}`);
  return t.shape;
}

/** Checks `t` against an expected shape (broadcast shapes are not accepted: the shape must be exact). */
export function checkShape(field: string, t: tf.Tensor | undefined, expected: readonly number[], what: string): void {
  const shape = checkRank(field, t, expected.length, what);
  if (shape.some((d, i) => d !== expected[i])) {
    shapeMismatch(field, `${field} must have shape ${describe(expected)} (${what}); got ${describe(shape)}`);
  }
}

/** Shapes of a batch of lists: `batchSize` lists of `listSize` positions. */
export interface ListShape {
  batchSize: number;
  listSize: number;
}

/** Validates the optional `mask` [B, L] and `listWeights` [B] of a batch against its labels [B, L]. */
export function checkListExtras(shape: ListShape, mask: tf.Tensor | undefined, listWeights: tf.Tensor | undefined): void {
  const { batchSize, listSize } = shape;
  if (mask !== undefined) checkShape('mask', mask, [batchSize, listSize], 'batch x list; 1 = real document, 0 = padding');
  if (listWeights !== undefined) checkShape('listWeights', listWeights, [batchSize], 'one weight per list');
}

/** `LIST_TOO_LONG` naming `field` when a batch has more positions than a model was built for. */
export function checkListLength(field: string, listSize: number, maxListSize: number, model: string): void {
  if (listSize > maxListSize) {
    throw new UnbiasedError(
      'LIST_TOO_LONG',
      `${field} has lists of ${listSize} positions but ${model} was built for at most ${maxListSize}; build it with listSize >= ${listSize} or cut the lists`,
      { field },
    );
  }
}

/**
 * Examination propensities by position: each finite and in (0, 1] (a position never examined cannot be
 * corrected by inverse weighting). `BAD_PROPENSITY` naming `propensities[i]` otherwise.
 */
export function checkPropensities(field: string, values: ArrayLike<number>): Float64Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number' || values.length === 0) {
    throw new UnbiasedError('BAD_PROPENSITY', `${field} must be a non-empty array of examination probabilities in (0, 1]`, { field });
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const p = values[i];
    if (typeof p !== 'number' || !(p > 0 && p <= 1)) {
      throw new UnbiasedError('BAD_PROPENSITY', `${field}[${i}] must be an examination probability in (0, 1]; got ${String(p)}`, {
        field: `${field}[${i}]`,
      });
    }
    out[i] = p;
  }
  return out;
}
