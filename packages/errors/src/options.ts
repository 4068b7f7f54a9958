/**
 * Option, hyperparameter and input-array checks shared by every package of the family (tfjs-free). Each
 * throws an {@link UnbiasedError} whose message starts with the field's name and whose `field` holds it;
 * nothing is coerced (a string where a number belongs is an error, not a cast).
 *
 * Codes: numeric options throw `INVALID_HYPERPARAMETER` unless the caller passes another `code` (the
 * metrics use `INVALID_ARGUMENT` for `k`, `eps`, ...); arrays throw `BAD_INPUT`, `NON_FINITE` or
 * `SHAPE_MISMATCH`; an options argument that is not an object throws `INVALID_ARGUMENT`.
 */
import { type UnbiasedErrorCode, UnbiasedError } from './errors.js';

/** Bounds of a numeric check; inclusive unless said otherwise. `code` overrides the error code. */
export interface NumberBounds {
  min?: number;
  max?: number;
  minInclusive?: boolean;
  maxInclusive?: boolean;
  code?: UnbiasedErrorCode;
}

/** `value` as it reads in a message: strings quoted, bigints with `n`, the rest via `String`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  return String(value);
}

/** Throws `INVALID_ARGUMENT` naming `field` with `message`. */
export function invalidArgument(field: string, message: string): never {
  throw new UnbiasedError('INVALID_ARGUMENT', message, { field });
}

/** Throws `BAD_INPUT` naming `field` with `message`. */
export function badInput(field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', message, { field });
}

function interval({ min = -Infinity, max = Infinity, minInclusive = true, maxInclusive = true }: NumberBounds): string {
  const lo = min === -Infinity ? '(-inf' : `${minInclusive ? '[' : '('}${min}`;
  const hi = max === Infinity ? 'inf)' : `${max}${maxInclusive ? ']' : ')'}`;
  return `${lo}, ${hi}`;
}

function inBounds(value: number, { min = -Infinity, max = Infinity, minInclusive = true, maxInclusive = true }: NumberBounds): boolean {
  return (minInclusive ? value >= min : value > min) && (maxInclusive ? value <= max : value < max);
}

/**
 * `value` when it is a finite number within `bounds` (default: any finite number); otherwise throws
 * `bounds.code` (default `INVALID_HYPERPARAMETER`) naming `field` and the interval.
 */
export function checkNumber(field: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inBounds(value, bounds)) {
    throw new UnbiasedError(bounds.code ?? 'INVALID_HYPERPARAMETER', `${field} must be a finite number in ${interval(bounds)}; got ${describeValue(value)}`, {
      field,
    });
  }
  return value;
}

/** {@link checkNumber}, or `fallback` (unchecked) when `value` is undefined: an optional option with a default. */
export function checkOptionalNumber(field: string, value: unknown, fallback: number, bounds: NumberBounds = {}): number {
  return value === undefined ? fallback : checkNumber(field, value, bounds);
}

/** A number `>= 0` (learning rates, weight decay, epsilons). */
export function checkNonNegative(field: string, value: unknown, code?: UnbiasedErrorCode): number {
  return checkNumber(field, value, { min: 0, ...(code === undefined ? {} : { code }) });
}

/** A number `> 0` (temperatures, norms, step sizes that must move). */
export function checkPositive(field: string, value: unknown, code?: UnbiasedErrorCode): number {
  return checkNumber(field, value, { min: 0, minInclusive: false, ...(code === undefined ? {} : { code }) });
}

/**
 * An exponential-moving-average decay rate in `[0, 1)` (Adam's `b1`, `b2`, momentum `beta`): 1 would never
 * forget and, debiased, divide by zero.
 */
export function checkDecay(field: string, value: unknown): number {
  return checkNumber(field, value, { min: 0, max: 1, maxInclusive: false });
}

/** A probability in `[0, 1]`; `{ open: true }` asks for `(0, 1)` instead (e.g. a level whose log is taken). */
export function checkProbability(field: string, value: unknown, { open = false, code }: { open?: boolean; code?: UnbiasedErrorCode } = {}): number {
  return checkNumber(field, value, { min: 0, max: 1, minInclusive: !open, maxInclusive: !open, ...(code === undefined ? {} : { code }) });
}

/** An integer in `[min, max]` (defaults: any safe integer); `code` as {@link checkNumber}. */
export function checkInteger(
  field: string,
  value: unknown,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, code = 'INVALID_HYPERPARAMETER' }: { min?: number; max?: number; code?: UnbiasedErrorCode } = {},
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? '' : ` >= ${min}`) : min === Number.MIN_SAFE_INTEGER ? ` <= ${max}` : ` in [${min}, ${max}]`;
    throw new UnbiasedError(code, `${field} must be an integer${range}; got ${describeValue(value)}`, { field });
  }
  return value;
}

/** {@link checkInteger}, or `fallback` (unchecked) when `value` is undefined. */
export function checkOptionalInteger(
  field: string,
  value: unknown,
  fallback: number,
  bounds: { min?: number; max?: number; code?: UnbiasedErrorCode } = {},
): number {
  return value === undefined ? fallback : checkInteger(field, value, bounds);
}

/** An integer `>= 1` (sizes, counts, steps, epochs). */
export function checkPositiveInteger(field: string, value: unknown, code?: UnbiasedErrorCode): number {
  return checkInteger(field, value, { min: 1, ...(code === undefined ? {} : { code }) });
}

/** A seed: an integer in `[0, 2^32)`, the key space of the family's counter-based generator. `INVALID_ARGUMENT` otherwise. */
export function checkSeed(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an integer in [0, 2^32); got ${describeValue(value)}`, { field });
  }
  return value;
}

/**
 * A hyperparameter given as a number or as a schedule (a function of the step count). A number is checked
 * against `bounds` now; a schedule's values are checked when it is evaluated. Anything else throws
 * `INVALID_HYPERPARAMETER`.
 */
export function checkScalarOrSchedule<T extends number | ((step: number) => number)>(field: string, value: T, bounds: NumberBounds = {}): T {
  if (typeof value === 'function') return value;
  checkNumber(field, value, bounds);
  return value;
}

/** The options argument itself: `{}` when undefined, the object otherwise; `INVALID_ARGUMENT` for anything else. */
export function checkOptions<T extends object>(options: T | undefined, field = 'options'): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    invalidArgument(field, `${field} must be an object or undefined; got ${describeValue(options)}`);
  }
  return options;
}

/** `values` is an array or typed array (a non-negative integer `length`); returns the length. `BAD_INPUT` otherwise. */
export function checkArrayLike(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (
    values === null ||
    (typeof values !== 'object' && typeof values !== 'function') ||
    typeof length !== 'number' ||
    !Number.isInteger(length) ||
    length < 0
  ) {
    badInput(field, `${field} must be an array or typed array of numbers; got ${describeValue(values)}`);
  }
  return length;
}

/** `values` is array-like of exactly `expected` entries; `SHAPE_MISMATCH` naming `field` otherwise. Returns the length. */
export function checkLength(field: string, values: unknown, expected: number, what = ''): number {
  const length = checkArrayLike(field, values);
  if (length !== expected) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have ${expected} entries${what ? ` (${what})` : ''}; got ${length}`, { field });
  }
  return length;
}

/** Both are array-like with equal length (`BAD_INPUT` naming `fieldB` otherwise); returns the common length. */
export function checkSameLength(fieldA: string, a: unknown, fieldB: string, b: unknown): number {
  const na = checkArrayLike(fieldA, a);
  const nb = checkArrayLike(fieldB, b);
  if (na !== nb) {
    badInput(fieldB, `${fieldB} must have the same length as ${fieldA}; got ${fieldB}.length = ${nb}, ${fieldA}.length = ${na}`);
  }
  return na;
}

/**
 * Every entry of `values` is a finite number; returns the length. A non-number throws `BAD_INPUT`, NaN or
 * ±Infinity throws `NON_FINITE`, both naming `field[i]` in the message.
 */
export function checkFiniteArray(field: string, values: unknown): number {
  const length = checkArrayLike(field, values);
  const array = values as ArrayLike<unknown>;
  for (let i = 0; i < length; i++) {
    const v = array[i];
    if (typeof v !== 'number') badInput(field, `${field}[${i}] must be a number; got ${describeValue(v)}`);
    if (!Number.isFinite(v)) throw new UnbiasedError('NON_FINITE', `${field}[${i}] must be a finite number; got ${describeValue(v)}`, { field });
  }
  return length;
}

/** A closed interval `[min, max]` with finite `min < max`, or `fallback` when undefined; `INVALID_HYPERPARAMETER` otherwise. */
export function checkInterval(field: string, value: unknown, fallback: readonly [number, number]): readonly [number, number] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'number' || !Number.isFinite(value[0]) || !Number.isFinite(value[1]) || !(value[0] < value[1])) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be [min, max] with finite min < max; got ${describeValue(value)}`, { field });
  }
  return [value[0], value[1]];
}
