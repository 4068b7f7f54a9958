/**
 * Option and input checks shared by the click models and the simulator. Internal: not re-exported.
 * Data problems throw `BAD_INPUT`, option problems `INVALID_ARGUMENT`; `error.field` names the argument.
 * Thin wrappers over the family's shared checks in `@unbiased/errors` (with this package's codes).
 */
import { Rng } from '@unbiased/core';
import { badInput, checkArrayLike, checkOptionalInteger, checkOptionalNumber, invalidArgument } from '@unbiased/core/errors';

export { badInput, invalidArgument };

/** A finite number in `[min, max]`, or `fallback` when undefined; `INVALID_ARGUMENT` otherwise. */
export function numberOption(field: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  return checkOptionalNumber(field, value, fallback, { min, max, code: 'INVALID_ARGUMENT' });
}

/** An integer in `[min, max]`, or `fallback` when undefined; `INVALID_ARGUMENT` otherwise. */
export function integerOption(field: string, value: unknown, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return checkOptionalInteger(field, value, fallback, { min, max, code: 'INVALID_ARGUMENT' });
}

/** An {@link Rng}, or a seed turned into one. */
export function toRng(field: string, value: Rng | number | undefined): Rng {
  if (value instanceof Rng) return value;
  if (typeof value === 'number') return Rng.fromSeed(value);
  if (value !== null && typeof value === 'object' && typeof (value as Rng).uniform === 'function') return value as Rng;
  return invalidArgument(field, `${field} must be an Rng or an integer seed; got ${String(value)}`);
}

/** Checks an array-like of numbers; returns its length (`BAD_INPUT` otherwise). */
export function arrayLength(field: string, values: unknown): number {
  return checkArrayLike(field, values);
}
