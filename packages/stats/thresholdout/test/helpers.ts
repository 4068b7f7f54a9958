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

/** Standard normal CDF via the Abramowitz-Stegun 7.1.26 erf approximation (|error| < 1.5e-7); test-only reference. */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
