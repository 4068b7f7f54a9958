/**
 * Input checks of the metrics. Internal: not re-exported from the package index. The generic option and
 * array checks are `@unbiased/errors`'s (re-exported below for the metric files); what is left here is
 * what only metrics check (relevance labels, binary labels, scores, rank cutoffs).
 *
 * Conventions: problems with the data arrays throw `BAD_INPUT`; problems with an option (k, eps,
 * threshold, an enum value) throw `INVALID_ARGUMENT`. Every message starts with the argument's name
 * and `error.field` holds it. Nothing is coerced: a string in a number array is an error, not a cast.
 */
import { badInput, checkOptionalNumber, checkPositiveInteger, describeValue, type NumberBounds } from '@unbiased/errors';

export { badInput, checkArrayLike, checkChoice, checkOptions, checkSameLength, invalidArgument } from '@unbiased/errors';

function elementAt(field: string, values: ArrayLike<number>, i: number): number {
  const v: unknown = values[i];
  if (typeof v !== 'number') badInput(field, `${field}[${i}] must be a number; got ${describeValue(v)}`);
  return v;
}

/** Scores: any number except NaN (±Infinity orders fine and is kept). */
export function checkScores(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(elementAt(field, values, i))) badInput(field, `${field}[${i}] is NaN; scores must not be NaN`);
  }
}

/** Graded relevance labels: finite and >= 0. Returns the largest label (0 for an empty list). */
export function checkRelevance(field: string, values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (!Number.isFinite(v) || v < 0) badInput(field, `${field}[${i}] must be a finite relevance label >= 0; got ${describeValue(v)}`);
    if (v > max) max = v;
  }
  return max;
}

/** Binary labels: exactly 0 or 1. Returns the number of positives. */
export function checkBinaryLabels(field: string, values: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (v !== 0 && v !== 1) badInput(field, `${field}[${i}] must be 0 or 1 (binary label); got ${describeValue(v)}`);
    positives += v;
  }
  return positives;
}

/** Probabilities: in [0, 1]; NaN rejected. */
export function checkProbabilities(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (!(v >= 0 && v <= 1)) badInput(field, `${field}[${i}] must be a probability in [0, 1]; got ${describeValue(v)}`);
  }
}

/** Class ids: non-negative integers (0/1 for binary, 0..C-1 for multiclass). */
export function checkClassIds(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (!Number.isInteger(v) || v < 0) badInput(field, `${field}[${i}] must be a non-negative integer class id; got ${describeValue(v)}`);
  }
}

/** Throws `BAD_INPUT` unless `length > 0`. */
export function checkNonEmpty(field: string, length: number, why: string): void {
  if (length === 0) badInput(field, `${field} must not be empty: ${why}`);
}

/**
 * Validates a rank cutoff. `undefined` means the full list. Otherwise `k` must be an integer >= 1;
 * a `k` larger than the list is allowed. Returns the number of ranks actually scored, `min(k, n)`.
 */
export function resolveCutoff(k: unknown, n: number): number {
  if (k === undefined) return n;
  return Math.min(checkPositiveInteger('k', k, 'INVALID_ARGUMENT'), n);
}

/** A numeric option in `bounds`, or `fallback` when undefined; `INVALID_ARGUMENT` (the metrics' code for options) otherwise. */
export function checkNumberOption(field: string, value: unknown, fallback: number, bounds: Omit<NumberBounds, 'code'> = {}): number {
  return checkOptionalNumber(field, value, fallback, { ...bounds, code: 'INVALID_ARGUMENT' });
}
