import { Rng } from '@unbiased/core';
import { checkInteger, checkNumber, checkSeed, UnbiasedError } from '@unbiased/core/errors';

/**
 * A generated data-parallel problem, as plain data so that every worker (thread, process or machine) builds
 * its own shard from it:
 * - `least-squares`: `min_p 1/2 mean_r ||A_r p - b_r||^2 / rows`, with `A_r` standard normal (rowsPerShard x
 *   dimension), `b_r = A_r w* + noise * e`, `w*` standard normal; worker r holds shard r.
 * - `quadratic`: `min_p 1/2 ||p - t||^2` where worker r sees the target `t + spread * z_r` (z_r standard
 *   normal): O(dimension) gradients, for timing the communication rather than the model.
 * - `noisy-quadratic`: the same objective for every worker (`t` uniform in [-1, 1)), and stochastic gradients
 *   `p - t + noise * xi` with `xi` standard normal, fresh for each (worker, step): the i.i.d. unimodal gradient
 *   noise that the majority-vote analysis assumes (Bernstein et al. 2019, ICLR, Assumption 4).
 */
export type ProblemSpec =
  | { kind: 'least-squares'; dimension: number; rowsPerShard: number; seed: number; noise?: number }
  | { kind: 'quadratic'; dimension: number; seed: number; spread?: number }
  | { kind: 'noisy-quadratic'; dimension: number; seed: number; noise?: number };

/** One worker's view of a problem: its gradient (float64 sums, stored as float32) and the global loss. */
export interface Shard {
  readonly dimension: number;
  /** Writes the shard's gradient at `params` into `out`; `step` (1-based) seeds a stochastic gradient's noise. */
  gradient(params: Float32Array, out: Float32Array, step: number): void;
  /** The full problem's loss at `params` (for reporting; float64). */
  loss(params: Float32Array): number;
}

/** Validates a {@link ProblemSpec} (naming the field) and returns it. */
export function checkProblem(spec: ProblemSpec): ProblemSpec {
  if (spec === null || typeof spec !== 'object') throw new UnbiasedError('INVALID_ARGUMENT', 'problem must be an object', { field: 'problem' });
  checkInteger('problem.dimension', spec.dimension, { min: 1, max: 2 ** 28, code: 'INVALID_ARGUMENT' });
  checkSeed('problem.seed', spec.seed);
  if (spec.kind === 'least-squares') {
    checkInteger('problem.rowsPerShard', spec.rowsPerShard, { min: 1, max: 2 ** 24, code: 'INVALID_ARGUMENT' });
    checkNumber('problem.noise', spec.noise ?? 0.1, { min: 0 });
  } else if (spec.kind === 'quadratic') {
    checkNumber('problem.spread', spec.spread ?? 1, { min: 0 });
  } else if (spec.kind === 'noisy-quadratic') {
    checkNumber('problem.noise', spec.noise ?? 1, { min: 0 });
  } else {
    throw new UnbiasedError('INVALID_ARGUMENT', `problem.kind must be "least-squares", "quadratic" or "noisy-quadratic"; got "${String((spec as { kind: unknown }).kind)}"`, {
      field: 'problem.kind',
    });
  }
  return spec;
}

/** Shard `rank` of `workers` of the generated problem `spec` (deterministic in the seed). */
export function createShard(spec: ProblemSpec, rank: number, workers: number): Shard {
  checkProblem(spec);
  checkInteger('rank', rank, { min: 0, max: workers - 1, code: 'INVALID_ARGUMENT' });
  const rng = Rng.fromSeed(spec.seed);
  const d = spec.dimension;
  if (spec.kind === 'noisy-quadratic') {
    const target = rng.fold('target').uniform(d, -1, 1);
    const noise = spec.noise ?? 1;
    const noiseRng = rng.fold('gradient-noise').fold(rank);
    return {
      dimension: d,
      gradient(params, out, step) {
        const xi = noiseRng.fold(step).normal(d);
        for (let i = 0; i < d; i++) out[i] = (params[i] as number) - (target[i] as number) + noise * (xi[i] as number);
      },
      loss(params) {
        let s = 0;
        for (let i = 0; i < d; i++) s += ((params[i] as number) - (target[i] as number)) ** 2;
        return s / 2;
      },
    };
  }
  if (spec.kind === 'quadratic') {
    const target = rng.fold('target').uniform(d, -1, 1);
    const z = rng.fold('shard').fold(rank).normal(d);
    const spread = spec.spread ?? 1;
    const local = new Float64Array(d);
    for (let i = 0; i < d; i++) local[i] = (target[i] as number) + spread * (z[i] as number);
    return {
      dimension: d,
      gradient(params, out) {
        for (let i = 0; i < d; i++) out[i] = (params[i] as number) - (local[i] as number);
      },
      loss(params) {
        let s = 0;
        for (let i = 0; i < d; i++) s += ((params[i] as number) - (target[i] as number)) ** 2;
        return s / 2;
      },
    };
  }
  const rows = spec.rowsPerShard;
  const noise = spec.noise ?? 0.1;
  const truth = rng.fold('truth').normal(d);
  const shardRows = (r: number): { a: Float64Array; b: Float64Array } => {
    const shardRng = rng.fold('shard').fold(r);
    const a = shardRng.fold('features').normal(rows * d);
    const e = shardRng.fold('noise').normal(rows);
    const b = new Float64Array(rows);
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += (a[j * d + i] as number) * (truth[i] as number);
      b[j] = s + noise * (e[j] as number);
    }
    return { a, b };
  };
  const own = shardRows(rank);
  const residual = new Float64Array(rows);
  const accumulate = new Float64Array(d);
  let all: { a: Float64Array; b: Float64Array }[] | undefined;
  return {
    dimension: d,
    gradient(params, out) {
      const { a, b } = own;
      accumulate.fill(0);
      for (let j = 0; j < rows; j++) {
        let s = -(b[j] as number);
        for (let i = 0; i < d; i++) s += (a[j * d + i] as number) * (params[i] as number);
        residual[j] = s;
        for (let i = 0; i < d; i++) accumulate[i] = (accumulate[i] as number) + (a[j * d + i] as number) * s;
      }
      for (let i = 0; i < d; i++) out[i] = (accumulate[i] as number) / rows;
    },
    loss(params) {
      all ??= Array.from({ length: workers }, (_, r) => (r === rank ? own : shardRows(r)));
      let s = 0;
      for (const { a, b } of all) {
        for (let j = 0; j < rows; j++) {
          let r = -(b[j] as number);
          for (let i = 0; i < d; i++) r += (a[j * d + i] as number) * (params[i] as number);
          s += r * r;
        }
      }
      return s / (2 * rows * workers);
    },
  };
}
