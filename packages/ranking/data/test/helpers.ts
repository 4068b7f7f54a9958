import { isUnbiasedError } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** Runs `fn` (sync or async) and returns the UnbiasedError it throws; fails the test otherwise. */
export async function caught(fn: () => unknown): Promise<{ code: string; message: string; file?: string; line?: number; field?: string }> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the call to throw').toBeDefined();
  expect(isUnbiasedError(error), `expected an UnbiasedError, got ${String(error)}`).toBe(true);
  const e = error as { code: string; message: string; file?: string; line?: number; field?: string };
  return e;
}

/** Synchronous variant of {@link caught}. */
export function caughtSync(fn: () => unknown): { code: string; message: string; file?: string; line?: number; field?: string } {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(isUnbiasedError(error), `expected an UnbiasedError, got ${String(error)}`).toBe(true);
  return error as { code: string; message: string; file?: string; line?: number; field?: string };
}

/**
 * `|observed - n p| <= z * sqrt(n p (1 - p))`: a binomial count within z standard deviations of its mean.
 * With z = 5 a correct sampler fails one such check in about 1.7 million.
 */
export function expectBinomialWithin(count: number, n: number, p: number, z = 5, label = ''): void {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - mean), `${label}: count ${count}, expected ${mean.toFixed(1)} ± ${z}·${sd.toFixed(2)}`).toBeLessThanOrEqual(
    z * sd + 1e-9,
  );
}
