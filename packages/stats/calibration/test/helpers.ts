import { isUnbiasedError, type UnbiasedErrorCode } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** `|actual - expected| <= tol`, with a readable failure message. */
export function expectClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected), `actual ${actual}, expected ${expected}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

/** Asserts `fn` throws an UnbiasedError with `code`, `error.field === field`, and a message naming `field`. */
export function expectUnbiasedError(fn: () => unknown, code: UnbiasedErrorCode, field: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the call to throw').toBeDefined();
  expect(isUnbiasedError(caught), `expected an UnbiasedError, got ${String(caught)}`).toBe(true);
  if (!isUnbiasedError(caught)) return;
  expect(caught.code).toBe(code);
  expect(caught.field).toBe(field);
  expect(caught.message).toContain(field);
}

/** Mean of an array (test-side reference, independent of the package's internals). */
export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

/** Population (ddof 0) standard deviation, test-side reference. */
export function sdOf(values: ArrayLike<number>): number {
  const m = meanOf(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += ((values[i] as number) - m) ** 2;
  return Math.sqrt(s / values.length);
}
