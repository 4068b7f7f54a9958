import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentContext, GradientTransformation, Rng, Series } from '@unbiased/core';
import { checkpoints, median, readNumbers, TransformRun } from './training.js';

/**
 * The non-smooth convex counterexample of experiment E1 (after Karimireddy et al. 2019, "Error Feedback Fixes
 * SignSGD and other Gradient Compression Schemes", §3):
 *
 *   f(x) = sum_{i=1..d/2} [ eps |x_{2i-1} + x_{2i}| + |x_{2i-1} - x_{2i}| ],   optimum 0 at x = 0.
 *
 * Its subgradient in a pair is (eps s + r, eps s - r) with s = sgn(x_{2i-1} + x_{2i}), r = sgn(x_{2i-1} - x_{2i})
 * and the tie-break sgn(0) := +1. Because eps < 1, its sign is always (r, -r): SignSGD moves each pair along
 * (1, -1) and never changes x_{2i-1} + x_{2i}, so f stays above `eps * sum |x_{2i-1} + x_{2i}|` at x0.
 *
 * Rows of the tensors are independent replicates (seeds), so one run trains all seeds at once.
 */
export const NONSMOOTH_EPS = 0.1;

/**
 * The pair sums and differences z = [x_{2i-1} + x_{2i}, x_{2i-1} - x_{2i}] as a [rows * d/2, 2] tensor: each pair
 * times the Hadamard matrix H = [[1, 1], [1, -1]] (one small matmul; every entry is one exact-rounded add).
 */
function pairSumsAndDifferences(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, d] = x.shape;
  return tf.matMul(tf.reshape(x, [(rows * d) / 2, 2]), hadamard());
}

function hadamard(): tf.Tensor2D {
  return tf.tensor2d([1, 1, 1, -1], [2, 2]);
}

/** Weights of |s| and |r| in f: [eps, 1]. */
function pairWeights(eps: number): tf.Tensor2D {
  return tf.tensor2d([eps, 1], [1, 2]);
}

/** f per row (seed), a [rows] tensor. */
export function nonsmoothObjective(x: tf.Tensor2D, eps = NONSMOOTH_EPS): tf.Tensor1D {
  return tf.tidy(() => {
    const weighted = tf.mul(tf.abs(pairSumsAndDifferences(x)), pairWeights(eps));
    return tf.sum(tf.reshape(weighted, [x.shape[0], x.shape[1]]), 1) as tf.Tensor1D;
  });
}

/**
 * The explicit subgradient (tie-break sgn(0) := +1), same shape as x: with c = [eps sgn(s), sgn(r)] per pair,
 * the pair's subgradient is c H = (eps sgn(s) + sgn(r), eps sgn(s) - sgn(r)).
 */
export function nonsmoothSubgradient(x: tf.Tensor2D, eps = NONSMOOTH_EPS): tf.Tensor2D {
  return tf.tidy(() => {
    const signs = tf.sub(tf.mul(tf.cast(tf.greaterEqual(pairSumsAndDifferences(x), 0), 'float32'), tf.scalar(2)), tf.scalar(1));
    return tf.reshape(tf.matMul(tf.mul(signs, pairWeights(eps)), hadamard()), x.shape) as tf.Tensor2D;
  });
}

/** Starting points x0 ~ U[-1, 1)^d, one row per seed 0..seeds-1 (seed s from `rng.fold(s)`), as float32 values. */
export function nonsmoothStart(rng: Rng, seeds: number, d: number): Float32Array {
  const out = new Float32Array(seeds * d);
  for (let s = 0; s < seeds; s++) out.set(rng.fold(s).uniform(d, -1, 1), s * d);
  return out;
}

/** `eps * sum_i |x_{2i-1} + x_{2i}|` per seed, in float64: the floor SignSGD cannot go below. */
export function nonsmoothInvariant(x0: Float32Array, seeds: number, d: number, eps = NONSMOOTH_EPS): number[] {
  return Array.from({ length: seeds }, (_, s) => {
    let total = 0;
    for (let i = 0; i < d; i += 2) total += Math.abs((x0[s * d + i] as number) + (x0[s * d + i + 1] as number));
    return eps * total;
  });
}

/** f per seed at x0, in float64. */
export function nonsmoothInitial(x0: Float32Array, seeds: number, d: number, eps = NONSMOOTH_EPS): number[] {
  return Array.from({ length: seeds }, (_, s) => {
    let total = 0;
    for (let i = 0; i < d; i += 2) {
      const a = x0[s * d + i] as number;
      const b = x0[s * d + i + 1] as number;
      total += eps * Math.abs(a + b) + Math.abs(a - b);
    }
    return total;
  });
}

/** Result of {@link runNonsmooth}: final f per seed and the curve of the median over seeds. */
export interface NonsmoothRun {
  finalPerSeed: number[];
  curve: Series;
}

/**
 * Full-batch subgradient training of all seeds at once through `transform` for `steps` steps; samples the
 * median f over seeds at about `points` steps. Stops early (with the values so far) when `ctx.signal` aborts.
 */
export async function runNonsmooth(
  ctx: ExperimentContext,
  transform: GradientTransformation,
  x0: Float32Array,
  { seeds, d, steps, name, points = 60, onStep }: { seeds: number; d: number; steps: number; name: string; points?: number; onStep?: (t: number) => void },
): Promise<NonsmoothRun> {
  const run = new TransformRun(transform, { x: tf.tensor2d(x0, [seeds, d]) });
  const curve: Series = { name, x: [], y: [] };
  const sample = checkpoints(steps, points);
  let finalPerSeed: number[] = [];
  const record = async (t: number) => {
    const f = nonsmoothObjective(run.params.x as tf.Tensor2D);
    finalPerSeed = await readNumbers(f);
    f.dispose();
    curve.x.push(t);
    curve.y.push(median(finalPerSeed));
  };
  await record(0);
  try {
    for (let t = 1; t <= steps; t++) {
      const g = nonsmoothSubgradient(run.params.x as tf.Tensor2D);
      run.step({ x: g });
      g.dispose();
      if (sample.has(t)) {
        await record(t);
        onStep?.(t);
      }
      if (ctx.signal?.aborted) break;
    }
  } finally {
    run.dispose();
  }
  return { finalPerSeed, curve };
}
