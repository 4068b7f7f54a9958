import type { Rng } from '@unbiased/core';
import { checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';

/** Validates the shared buffer options; `capacity ≤ 0` is an `INVALID_ARGUMENT` naming `capacity`. */
export function checkBufferOptions(capacity: unknown, dim: unknown, rng: unknown): { capacity: number; dim: number } {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity <= 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', `buffer capacity must be a positive integer; got ${String(capacity)}`, { field: 'capacity' });
  }
  const d = checkPositiveInteger('dim', dim, 'INVALID_ARGUMENT');
  if (rng === undefined || rng === null) throw new UnbiasedError('INVALID_ARGUMENT', 'a replay buffer needs an rng', { field: 'rng' });
  return { capacity, dim: d };
}

/** Checks that `x` holds `y.length` rows of `dim` and that every label is a non-negative integer. */
export function checkItems(x: Float32Array, y: ArrayLike<number>, dim: number): void {
  if (!(x instanceof Float32Array) || x.length !== y.length * dim) {
    throw new UnbiasedError('SHAPE_MISMATCH', `x must be a Float32Array of ${y.length} x ${dim} values; got ${x?.length}`, { field: 'x' });
  }
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isInteger(v) || v < 0) throw new UnbiasedError('INVALID_ARGUMENT', `label y[${i}] = ${v} is not a non-negative integer`, { field: 'y' });
  }
}

/** `k` distinct indices of `[0, n)` by a partial Fisher-Yates shuffle (uniform over ordered k-subsets). */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Int32Array {
  const m = Math.min(k, n);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
  }
  return pool.slice(0, m);
}

export function countLabels(y: Int32Array, size: number, numLabels: number): number[] {
  const counts = new Array<number>(numLabels).fill(0);
  for (let i = 0; i < size; i++) {
    const c = y[i] as number;
    if (c < numLabels) counts[c]! += 1;
  }
  return counts;
}
