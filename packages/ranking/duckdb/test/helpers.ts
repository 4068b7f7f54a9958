import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnbiasedError } from '@unbiased/core/errors';
import { expect } from 'vitest';

/** A fresh temporary directory and its remover. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ultr-duckdb-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts an UnbiasedError with `code` (and location fields when given). */
export function expectUnbiasedError(error: unknown, code: string, location: { file?: string; line?: number; field?: string } = {}): void {
  expect(isUnbiasedError(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  for (const [key, value] of Object.entries(location)) expect((error as unknown as Record<string, unknown>)[key]).toBe(value);
}

/** Relative closeness |a - b| <= tol * max(1, |b|), elementwise, NaN equal to NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    if (Number.isNaN(b)) expect(a).toBeNaN();
    else expect(Math.abs(a - b), `index ${i}: ${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
  }
}
