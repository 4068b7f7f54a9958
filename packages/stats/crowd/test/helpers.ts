import { isUnbiasedError } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** `|actual - expected| <= tol`, with a readable failure message. */
export function expectClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected), `actual ${actual}, expected ${expected}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

/** Asserts `fn` throws an UnbiasedError with `code` and `field`, whose message contains `mention` (default: the field). */
export function expectUnbiasedError(fn: () => unknown, code: string, field: string, mention: string = field): { line?: number } {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the call to throw').toBeDefined();
  expect(isUnbiasedError(caught), `expected an UnbiasedError, got ${String(caught)}`).toBe(true);
  if (!isUnbiasedError(caught)) return {};
  expect(caught.code, caught.message).toBe(code);
  expect(caught.field, caught.message).toBe(field);
  expect(caught.message).toContain(mention);
  return { line: caught.line };
}

/**
 * Krippendorff's interval / ordinal / nominal alpha from the pairwise definition, over units given as lists
 * of values (units with fewer than 2 values ignored). Independent float64 reference, O(N^2).
 */
export function referenceAlpha(units: number[][], level: 'interval' | 'nominal'): number {
  const pairable = units.filter((u) => u.length >= 2);
  const all = pairable.flat();
  const n = all.length;
  const delta = (a: number, b: number) => (level === 'nominal' ? (a === b ? 0 : 1) : (a - b) ** 2);
  let observed = 0;
  for (const u of pairable) {
    let s = 0;
    for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j) s += delta(u[i] as number, u[j] as number);
    observed += s / (u.length - 1);
  }
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expected += delta(all[i] as number, all[j] as number);
  return 1 - observed / n / (expected / (n * (n - 1)));
}

/** Pearson's r, textbook two-pass. */
export function referencePearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
    sxx += ((x[i] as number) - mx) ** 2;
    syy += ((y[i] as number) - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho as Pearson of midranks computed by counting. */
export function referenceSpearman(x: number[], y: number[]): number {
  const ranks = (v: number[]) => v.map((a) => 1 + v.filter((b) => b < a).length + (v.filter((b) => b === a).length - 1) / 2);
  return referencePearson(ranks(x), ranks(y));
}
