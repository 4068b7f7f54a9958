/**
 * Input checks shared by every metric. Internal: not re-exported from the package index.
 *
 * Conventions: problems with the data arrays throw `BAD_INPUT`; problems with an option (k, eps,
 * threshold, an enum value) throw `INVALID_ARGUMENT`. Every message starts with the argument's name
 * and `error.field` holds it. Nothing is coerced: a string in a number array is an error, not a cast.
 */
import { UnbiasedError } from '@unbiased/errors';

/** Throws `BAD_INPUT` for `field`. */
export function badInput(field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', message, { field });
}

/** Throws `INVALID_ARGUMENT` for `field`. */
export function invalidArgument(field: string, message: string): never {
  throw new UnbiasedError('INVALID_ARGUMENT', message, { field });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Checks that `values` is array-like (has a non-negative integer `length`) and returns the length. */
export function checkArrayLike(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (
    values === null ||
    (typeof values !== 'object' && typeof values !== 'function') ||
    typeof length !== 'number' ||
    !Number.isInteger(length) ||
    length < 0
  ) {
    badInput(field, `${field} must be an array or typed array of numbers; got ${describe(values)}`);
  }
  return length;
}

/** Checks both are array-like with equal length; returns the common length. */
export function checkSameLength(fieldA: string, a: unknown, fieldB: string, b: unknown): number {
  const na = checkArrayLike(fieldA, a);
  const nb = checkArrayLike(fieldB, b);
  if (na !== nb) {
    badInput(fieldB, `${fieldB} must have the same length as ${fieldA}; got ${fieldB}.length = ${nb}, ${fieldA}.length = ${na}`);
  }
  return na;
}

function elementAt(field: string, values: ArrayLike<number>, i: number): number {
  const v: unknown = values[i];
  if (typeof v !== 'number') badInput(field, `${field}[${i}] must be a number; got ${describe(v)}`);
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
    if (!Number.isFinite(v) || v < 0) badInput(field, `${field}[${i}] must be a finite relevance label >= 0; got ${describe(v)}`);
    if (v > max) max = v;
  }
  return max;
}

/** Binary labels: exactly 0 or 1. Returns the number of positives. */
export function checkBinaryLabels(field: string, values: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (v !== 0 && v !== 1) badInput(field, `${field}[${i}] must be 0 or 1 (binary label); got ${describe(v)}`);
    positives += v;
  }
  return positives;
}

/** Probabilities: in [0, 1]; NaN rejected. */
export function checkProbabilities(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (!(v >= 0 && v <= 1)) badInput(field, `${field}[${i}] must be a probability in [0, 1]; got ${describe(v)}`);
  }
}

/** Class ids: non-negative integers (0/1 for binary, 0..C-1 for multiclass). */
export function checkClassIds(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = elementAt(field, values, i);
    if (!Number.isInteger(v) || v < 0) badInput(field, `${field}[${i}] must be a non-negative integer class id; got ${describe(v)}`);
  }
}

/** Throws `BAD_INPUT` unless `length > 0`. */
export function checkNonEmpty(field: string, length: number, why: string): void {
  if (length === 0) badInput(field, `${field} must not be empty: ${why}`);
}

/** Returns the options object, or `{}` when undefined; throws when it is not an object. */
export function checkOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', `options must be an object or undefined; got ${describe(options)}`);
  }
  return options;
}

/**
 * Validates a rank cutoff. `undefined` means the full list. Otherwise `k` must be an integer >= 1;
 * a `k` larger than the list is allowed. Returns the number of ranks actually scored, `min(k, n)`.
 */
export function resolveCutoff(k: unknown, n: number): number {
  if (k === undefined) return n;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    invalidArgument('k', `k must be an integer >= 1 (or undefined for the full list); got ${describe(k)}`);
  }
  return Math.min(k, n);
}

/** Checks an enum-valued option; returns `fallback` when undefined. */
export function checkChoice<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalidArgument(field, `${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describe(value)}`);
  }
  return value as T;
}

/** Checks a numeric option is a finite number within [min, max] (or (min, max) for exclusive bounds). */
export function checkNumberOption(
  field: string,
  value: unknown,
  fallback: number,
  { min = -Infinity, max = Infinity, maxExclusive = false }: { min?: number; max?: number; maxExclusive?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (maxExclusive ? value >= max : value > max)) {
    const lo = min === -Infinity ? '(-inf' : `[${min}`;
    const hi = max === Infinity ? 'inf)' : `${max}${maxExclusive ? ')' : ']'}`;
    invalidArgument(field, `${field} must be a finite number in ${lo}, ${hi}; got ${describe(value)}`);
  }
  return value;
}
