import { describe, expect, it } from 'vitest';
import { createShard, type ProblemSpec, simulateMajorityVote } from '../src/index.js';

const f32 = Math.fround;

/**
 * Independent reference of Signum with majority vote (Bernstein et al. 2019, Algorithm 1), written here with
 * plain arrays: per worker m <- beta1 m + (1 - beta1) g (float32 roundings as the package documents), ballot
 * sign(m) with 0 -> +1, vote = sign(sum), p <- p - lr vote (float32).
 */
function referenceSignum(problem: ProblemSpec, workers: number, steps: number, lr: number, beta1: number): Float32Array {
  const shards = Array.from({ length: workers }, (_, r) => createShard(problem, r, workers));
  const n = problem.dimension;
  const p = new Float32Array(n);
  const m = shards.map(() => new Array<number>(n).fill(0));
  const g = new Float32Array(n);
  for (let t = 0; t < steps; t++) {
    const sum = new Array<number>(n).fill(0);
    shards.forEach((shard, r) => {
      shard.gradient(p, g, t + 1);
      const mr = m[r] as number[];
      for (let i = 0; i < n; i++) {
        mr[i] = f32(f32((mr[i] as number) * f32(beta1)) + f32((g[i] as number) * f32(1 - beta1)));
        sum[i] = (sum[i] as number) + ((mr[i] as number) >= 0 ? 1 : -1);
      }
    });
    for (let i = 0; i < n; i++) p[i] = f32((p[i] as number) + f32(f32(-lr) * Math.sign(sum[i] as number)));
  }
  return p;
}

describe('simulateMajorityVote', () => {
  const problem: ProblemSpec = { kind: 'least-squares', dimension: 12, rowsPerShard: 16, seed: 3 };

  it('matches an independent Signum-with-majority-vote reference (3 and 4 workers)', () => {
    for (const workers of [3, 4]) {
      const { params } = simulateMajorityVote({ problem, workers, steps: 15, learningRate: 0.02, beta1: 0.5 });
      expect(Array.from(params)).toEqual(Array.from(referenceSignum(problem, workers, 15, 0.02, 0.5)));
    }
  });

  it('trains: the least-squares loss falls (deterministic and stochastic sign)', () => {
    for (const sign of ['deterministic', 'stochastic'] as const) {
      const { losses } = simulateMajorityVote({ problem, workers: 4, steps: 60, learningRate: 0.02, sign, stochastic: { seed: 1 } });
      const initial = createShard(problem, 0, 4).loss(new Float32Array(12));
      expect(losses.at(-1) as number).toBeLessThan(initial / 4);
    }
  });

  it('rejects bad options naming the field', () => {
    expect(() => simulateMajorityVote({ problem, workers: 2, steps: 1, learningRate: -1 })).toThrow(expect.objectContaining({ field: 'learningRate' }));
    expect(() => simulateMajorityVote({ problem, workers: 2, steps: 1, learningRate: 0.1, sign: 'stochastic' })).toThrow(expect.objectContaining({ field: 'seed' }));
    expect(() =>
      simulateMajorityVote({ problem, workers: 2, steps: 1, learningRate: 0.1, sign: 'stochastic', stochastic: { seed: 1, envelope: 'tensor' } }),
    ).toThrow(expect.objectContaining({ field: 'envelope' }));
    expect(() => simulateMajorityVote({ problem: { ...problem, dimension: 0 }, workers: 2, steps: 1, learningRate: 0.1 })).toThrow(
      expect.objectContaining({ field: 'problem.dimension' }),
    );
  });
});
