import { readFileSync } from 'node:fs';
import { isUnbiasedError, type UnbiasedErrorCode } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** Text of a file under test/fixtures. */
export function fixture(path: string): string {
  return readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
}

/** The UnbiasedError thrown by `fn` (sync or async), checked for `code` and, when given, `field`. */
export async function expectUnbiased(fn: () => unknown, code: UnbiasedErrorCode, field?: string) {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(isUnbiasedError(caught), `expected an UnbiasedError ${code}, got ${String(caught)}`).toBe(true);
  if (!isUnbiasedError(caught)) throw new Error('unreachable');
  expect(caught.code).toBe(code);
  if (field !== undefined) {
    expect(caught.field).toBe(field);
  }
  return caught;
}

/** max_i |a_i - b_i| / (abs + rel |b_i|) <= 1, with the worst index in the message. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rel = 0, abs = 0 }: { rel?: number; abs?: number }): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const ratio = Math.abs((actual[i] as number) - e) / (abs + rel * Math.abs(e));
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worst >= 0 && !(worstRatio <= 1)) {
    throw new Error(`element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (tolerance abs ${abs} + rel ${rel})`);
  }
}
