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

/** What `fn` throws, or `undefined` when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Asserts `fn` throws an UnbiasedError with `code`, `error.field === field`, and a message containing
 * `mention` (default: the field). Returns where the error points (`line`, for file readers).
 */
export function expectUnbiasedError(fn: () => unknown, code: UnbiasedErrorCode, field: string, mention: string = field): { line?: number } {
  const caught = thrown(fn);
  expect(caught, 'expected the call to throw').toBeDefined();
  expect(isUnbiasedError(caught), `expected an UnbiasedError, got ${String(caught)}`).toBe(true);
  if (!isUnbiasedError(caught)) return {};
  expect(caught.code, caught.message).toBe(code);
  expect(caught.field, caught.message).toBe(field);
  expect(caught.message).toContain(mention);
  return caught.line === undefined ? {} : { line: caught.line };
}
