/**
 * Option and input checks shared by the click models and the simulator. Internal: not re-exported.
 * Data problems throw `BAD_INPUT`, option problems `INVALID_ARGUMENT`; `error.field` names the argument.
 */
import { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';

export function invalidArgument(field: string, message: string): never {
  throw new UnbiasedError('INVALID_ARGUMENT', message, { field });
}

export function badInput(field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', message, { field });
}

/** A finite number in `[min, max]`, or `fallback` when undefined. */
export function numberOption(field: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    invalidArgument(field, `${field} must be a finite number in [${min}, ${max}]; got ${String(value)}`);
  }
  return value;
}

/** An integer in `[min, max]`, or `fallback` when undefined. */
export function integerOption(field: string, value: unknown, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(field, `${field} must be an integer in [${min}, ${max}]; got ${String(value)}`);
  }
  return value;
}

/** An {@link Rng}, or a seed turned into one. */
export function toRng(field: string, value: Rng | number | undefined): Rng {
  if (value instanceof Rng) return value;
  if (typeof value === 'number') return Rng.fromSeed(value);
  if (value !== null && typeof value === 'object' && typeof (value as Rng).uniform === 'function') return value as Rng;
  return invalidArgument(field, `${field} must be an Rng or an integer seed; got ${String(value)}`);
}

/** Checks an array-like of numbers; returns its length. */
export function arrayLength(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (values === null || typeof values !== 'object' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    badInput(field, `${field} must be an array or typed array of numbers; got ${String(values)}`);
  }
  return length;
}
