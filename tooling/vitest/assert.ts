// Assertions shared by the packages' tests.
import { isUnbiasedError, type UnbiasedErrorCode } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** `|actual - expected| <= tol`, with a readable failure message. NaN matches NaN. */
export function expectClose(actual: number, expected: number, tol: number): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
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
