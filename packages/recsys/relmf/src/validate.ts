/**
 * Input checks shared by this package (internal: not re-exported). Problems with data arrays throw
 * `BAD_INPUT`, problems with an option throw `INVALID_ARGUMENT`; `error.field` names the argument.
 */
import { UnbiasedError } from '@unbiased/core/errors';

export function badInput(field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', message, { field });
}

export function invalidArgument(field: string, message: string): never {
  throw new UnbiasedError('INVALID_ARGUMENT', message, { field });
}

/** An integer option in [min, max]. */
export function checkInteger(field: string, value: unknown, { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(field, `${field} must be an integer in [${min}, ${max}]; got ${String(value)}`);
  }
  return value;
}

/** A finite number option in [min, max] (exclusive bounds on request). */
export function checkNumber(
  field: string,
  value: unknown,
  { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false }: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    (maxExclusive ? value < max : value <= max);
  if (!ok) {
    const lo = min === -Infinity ? '(-inf' : `${minExclusive ? '(' : '['}${min}`;
    const hi = max === Infinity ? 'inf)' : `${max}${maxExclusive ? ')' : ']'}`;
    invalidArgument(field, `${field} must be a finite number in ${lo}, ${hi}; got ${String(value)}`);
  }
  return value as number;
}

/** Array-like with a non-negative integer length; returns the length. */
export function checkArrayLike(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (values === null || typeof values !== 'object' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    badInput(field, `${field} must be an array or typed array; got ${String(values)}`);
  }
  return length;
}

/** Checks `values.length === expected`. */
export function checkLength(field: string, values: unknown, expected: number, what: string): void {
  const n = checkArrayLike(field, values);
  if (n !== expected) badInput(field, `${field} must have ${expected} entries (${what}); got ${n}`);
}

/** Every entry an integer id in [0, count). */
export function checkIds(field: string, values: ArrayLike<number>, count: number): void {
  if (values instanceof Int32Array) {
    // Integers by construction: one range scan, and the slow path below only to name the culprit.
    let ok = true;
    for (let j = 0; j < values.length; j++) {
      const v = values[j] as number;
      if (v < 0 || v >= count) {
        ok = false;
        break;
      }
    }
    if (ok) return;
  }
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= count) {
      badInput(field, `${field}[${j}] must be an integer id in [0, ${count}); got ${String(v)}`);
    }
  }
}

/** Every entry a finite number in [0, 1]. */
export function checkUnitInterval(field: string, values: ArrayLike<number>): void {
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) badInput(field, `${field}[${j}] must be in [0, 1]; got ${String(v)}`);
  }
}
