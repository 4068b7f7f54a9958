import { Rng } from '@unbiased/core';

/** A fixed optimization problem for the table: variables of random shapes, a start point and a gradient sequence. */
export interface ConformanceProblem {
  /** Variable name -> shape (row-major). Keys are sorted. */
  shapes: Record<string, number[]>;
  /** Start parameters, float32-representable, about a fifth of them exactly 0. */
  start: Record<string, Float64Array>;
  /** One gradient map per step, float32-representable, about a fifth of the entries exactly 0. */
  grads: Record<string, Float64Array>[];
}

/** Options of {@link makeProblem}. */
export interface ProblemOptions {
  /** Seed of the generator (shapes and values). Default 20260601. */
  seed?: number;
  /** Number of steps (gradient maps). Default 6. */
  steps?: number;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Variables `dense/kernel` (rank 2), `dense/bias` (rank 1), `embedding` (rank 3) and `gain` (rank 0), with
 * random sizes; values are standard normals rounded to float32 with exact zeros mixed in (a fifth of the
 * entries, a whole gradient of `dense/bias` at step 2, and one coordinate whose gradient is 0 at every step),
 * so zero handling (sign(0) = 0, 0 / (sqrt(0) + eps), an envelope of 0) is exercised on every optimizer.
 */
export function makeProblem({ seed = 20260601, steps = 6 }: ProblemOptions = {}): ConformanceProblem {
  const rng = Rng.fromSeed(seed);
  const dim = (low: number, high: number) => low + rng.int(high - low + 1);
  const shapes: Record<string, number[]> = {
    'dense/bias': [dim(3, 9)],
    'dense/kernel': [dim(2, 5), dim(3, 7)],
    embedding: [2, dim(2, 3), dim(2, 4)],
    gain: [],
  };
  const values = (n: number, scale: number) => {
    const normal = rng.normal(n);
    const keep = rng.uniform(n);
    return Float64Array.from(normal, (z, i) => ((keep[i] as number) < 0.2 ? 0 : Math.fround(scale * z)));
  };
  const start = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, values(size(s), 1)]));
  const grads = Array.from({ length: steps }, (_, t) =>
    Object.fromEntries(
      Object.entries(shapes).map(([k, s]) => {
        const g = values(size(s), 0.5 * 2 ** (t % 3));
        if (k === 'dense/bias' && t === 1) g.fill(0);
        if (k === 'dense/kernel') g[0] = 0;
        return [k, g];
      }),
    ),
  );
  return { shapes, start, grads };
}

/** Number of elements of `shape`. */
export const sizeOf = size;
