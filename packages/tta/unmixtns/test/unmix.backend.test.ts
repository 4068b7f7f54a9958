import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialComponents, unmixTnsNormalize } from '../src/norm/unmix-statistics.js';
import { expectAllClose, expectUnbiasedError, memorySnapshot, normals, randomInput, read, referenceUnmix, seeded } from './helpers.js';

const B = 5;
const L = 6;
const C = 4;
const K = 3;

function setup(seed: number) {
  const uniform = seeded(seed);
  const x = randomInput(uniform, B, L, C);
  const means = Array.from({ length: K }, () => normals(uniform, C).map((v) => 0.5 * v));
  const variances = Array.from({ length: K }, () => Array.from({ length: C }, () => 0.5 + uniform()));
  const gamma = Array.from({ length: C }, () => 0.5 + uniform());
  const beta = Array.from({ length: C }, () => uniform() - 0.5);
  return { x, means, variances, gamma, beta };
}

function run(x: number[][][], means: number[][], variances: number[][], gamma: number[], beta: number[], temperature = 0.07, momentum = 0.1) {
  const input = tf.tensor3d(x);
  const components = { means: tf.tensor2d(means), variances: tf.tensor2d(variances) };
  const g = tf.tensor1d(gamma);
  const b = tf.tensor1d(beta);
  const result = unmixTnsNormalize(input, components, { gamma: g, beta: b, epsilon: 1e-5, temperature, momentum });
  tf.dispose([input, components.means, components.variances, g, b]);
  return result;
}

async function readAll(result: ReturnType<typeof unmixTnsNormalize>) {
  const out = {
    output: await read(result.output),
    mean: await read(result.mean),
    variance: await read(result.variance),
    assignment: await read(result.assignment),
    means: await read(result.components.means),
    variances: await read(result.components.variances),
  };
  tf.dispose([result.output, result.mean, result.variance, result.assignment, result.components.means, result.components.variances]);
  return out;
}

describe('unmixTnsNormalize against a float64 reference of the paper', () => {
  it('matches output, mixed statistics, assignment and updated components', async () => {
    const { x, means, variances, gamma, beta } = setup(11);
    // τ = 1: a soft assignment, so every component's mixing and update is exercised.
    const got = await readAll(run(x, means, variances, gamma, beta, 1, 0.1));
    const ref = referenceUnmix(x, means, variances, { gamma, beta, epsilon: 1e-5, temperature: 1, momentum: 0.1 });
    // float32 rounding of O(1) values through a few dozen operations: 1e-4 relative, 1e-5 absolute.
    expectAllClose(got.assignment, ref.p.flat(), 1e-4, 1e-5, 'p');
    expectAllClose(got.mean, ref.mixMean.flat(), 1e-4, 1e-5, 'mean');
    expectAllClose(got.variance, ref.mixVar.flat(), 1e-4, 1e-5, 'variance');
    expectAllClose(got.output, ref.output.flat(2), 1e-4, 1e-4, 'output');
    expectAllClose(got.means, ref.nextMeans.flat(), 1e-4, 1e-5, 'means');
    expectAllClose(got.variances, ref.nextVariances.flat(), 1e-4, 1e-5, 'variances');
  });

  it('K = 1 is instance normalisation (+ affine), whatever the component state', async () => {
    const { x, gamma, beta } = setup(12);
    const got = await readAll(run(x, [[5, -3, 2, 9]], [[0.1, 7, 3, 0.5]], gamma, beta));
    const expected = x.flatMap((rows) => {
      const mean = gamma.map((_, c) => rows.reduce((a, r) => a + (r[c] as number), 0) / L);
      const variance = gamma.map((_, c) => rows.reduce((a, r) => a + ((r[c] as number) - (mean[c] as number)) ** 2, 0) / L);
      return rows.map((r) => r.map((v, c) => ((gamma[c] as number) * (v - (mean[c] as number))) / Math.sqrt((variance[c] as number) + 1e-5) + (beta[c] as number)));
    });
    expectAllClose(got.output, expected.flat(), 1e-4, 1e-4, 'IN');
  });

  it('σ̄² is the variance of the K-component mixture (brute-force sampling)', async () => {
    const { x, means, variances, gamma, beta } = setup(13);
    const got = await readAll(run(x, means, variances, gamma, beta, 1));
    const uniform = seeded(99);
    const draws = 200_000;
    const z = normals(uniform, draws);
    for (const b of [0, 3]) {
      for (const c of [1, 2]) {
        const instMean = x[b]!.reduce((a, r) => a + r[c]!, 0) / L;
        const instVar = x[b]!.reduce((a, r) => a + (r[c]! - instMean) ** 2, 0) / L;
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < draws; i++) {
          const k = Math.floor(uniform() * K);
          const p = got.assignment[b * K + k]!;
          const mu = (1 - p) * means[k]![c]! + p * instMean;
          const v = (1 - p) * variances[k]![c]! + p * instVar;
          const sample = mu + Math.sqrt(v) * z[i]!;
          s += sample;
          s2 += sample * sample;
        }
        const sampled = s2 / draws - (s / draws) ** 2;
        const value = got.variance[b * C + c]!;
        expect(value).toBeGreaterThanOrEqual(0);
        expect(Math.abs(value - sampled) / sampled, `b ${b} c ${c}: ${value} vs sampled ${sampled}`).toBeLessThan(1e-2);
      }
    }
  });

  it("a sample's output depends on its own input only, and permuting the batch permutes the outputs", async () => {
    const { means, variances, gamma, beta } = setup(14);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const uniform = seeded(seed);
        const x = randomInput(uniform, B, L, C);
        const other = randomInput(seeded(seed + 1), B, L, C);
        const replaced = [x[0]!, ...other.slice(1)];
        const permutation = [3, 0, 4, 1, 2];
        const permuted = permutation.map((i) => x[i]!);
        const a = await readAll(run(x, means, variances, gamma, beta));
        const r = await readAll(run(replaced, means, variances, gamma, beta));
        const p = await readAll(run(permuted, means, variances, gamma, beta));
        const per = L * C;
        expectAllClose(r.output.slice(0, per), a.output.slice(0, per), 1e-6, 1e-6, 'replaced');
        permutation.forEach((from, to) => {
          expectAllClose(p.output.slice(to * per, (to + 1) * per), a.output.slice(from * per, (from + 1) * per), 1e-6, 1e-6, 'permuted');
        });
      }),
      { numRuns: 3 },
    );
  });

  it('with a one-hot assignment, μ_k′ = μ_k + (m/B) Σ_{b ∈ k} (μ̃_b − μ_k)', async () => {
    // Components along orthogonal directions; instances aligned with one of them; τ → 0 makes p one-hot.
    const means = [
      [4, 0, 0, 0],
      [0, 4, 0, 0],
      [0, 0, 4, 0],
    ];
    const variances = [
      [1, 1, 1, 1],
      [2, 2, 2, 2],
      [3, 3, 3, 3],
    ];
    const uniform = seeded(15);
    const owner = [0, 2, 0, 1, 2];
    const x = owner.map((k) => Array.from({ length: L }, () => Array.from({ length: C }, (_, c) => (c === k ? 5 : 0) + 0.3 * (uniform() - 0.5))));
    const m = 0.1;
    const got = await readAll(run(x, means, variances, [1, 1, 1, 1], [0, 0, 0, 0], 1e-4, m));
    expectAllClose(
      got.assignment,
      owner.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))),
      0,
      1e-6,
      'one-hot',
    );
    const expected = means.map((mu, k) =>
      mu.map((v, c) => {
        let s = 0;
        owner.forEach((o, b) => {
          if (o === k) s += x[b]!.reduce((a, r) => a + r[c]!, 0) / L - v;
        });
        return v + (m / B) * s;
      }),
    );
    expectAllClose(got.means, expected.flat(), 1e-5, 1e-5, 'update');
  });

  it('leaves no tensors behind', () => {
    const { x, means, variances, gamma, beta } = setup(16);
    const before = memorySnapshot().numTensors;
    const result = run(x, means, variances, gamma, beta);
    tf.dispose([result.output, result.mean, result.variance, result.assignment, result.components.means, result.components.variances]);
    expect(memorySnapshot().numTensors).toBe(before);
  });

  it('rejects mismatched channel counts and inputs without spatial axes', () => {
    const components = { means: tf.zeros([2, 3]) as tf.Tensor2D, variances: tf.ones([2, 3]) as tf.Tensor2D };
    const gamma = tf.ones([3]) as tf.Tensor1D;
    const beta = tf.zeros([3]) as tf.Tensor1D;
    const x4 = tf.zeros([2, 5, 4]);
    const x2 = tf.zeros([2, 3]);
    expectUnbiasedError(() => unmixTnsNormalize(x4, components, { gamma, beta, momentum: 0.1 }), 'SHAPE_MISMATCH', 'x', '4 channels');
    expectUnbiasedError(() => unmixTnsNormalize(x2, components, { gamma, beta, momentum: 0.1 }), 'SHAPE_MISMATCH', 'x', 'spatial');
    tf.dispose([components.means, components.variances, gamma, beta, x4, x2]);
  });
});

describe('initialComponents', () => {
  it('K = 1 is the source statistics', async () => {
    const mean = tf.tensor1d([1, -2, 3]);
    const variance = tf.tensor1d([0.5, 2, 4]);
    const { means, variances } = initialComponents(mean, variance, { components: 1, noise: [] });
    expect(await read(means)).toEqual([1, -2, 3]);
    expect(await read(variances)).toEqual([0.5, 2, 4]);
    tf.dispose([mean, variance, means, variances]);
  });

  it('over K = 10,000 components the mixture has the source mean and variance (2%)', async () => {
    const k = 10_000;
    const sourceMean = [1, -2, 0.5];
    const sourceVariance = [0.5, 2, 4];
    const noise = normals(seeded(17), k * 3);
    const mean = tf.tensor1d(sourceMean);
    const variance = tf.tensor1d(sourceVariance);
    const { means, variances } = initialComponents(mean, variance, { components: k, noise });
    const mu = await read(means);
    const v = await read(variances);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let s2 = 0;
      let sv = 0;
      for (let i = 0; i < k; i++) {
        s += mu[i * 3 + c]!;
        s2 += mu[i * 3 + c]! ** 2;
        sv += v[i * 3 + c]!;
      }
      const meanOfMeans = s / k;
      const varOfMeans = s2 / k - meanOfMeans ** 2;
      // Standard errors: sqrt(α K/(K−1) / K) σ_s ≈ 0.007 σ_s for the mean, ≈ 0.7% for the variance; 2% is ~3 of them.
      expect(Math.abs(meanOfMeans - sourceMean[c]!)).toBeLessThan(0.02 * Math.sqrt(sourceVariance[c]!));
      expect(Math.abs(sv / k + varOfMeans - sourceVariance[c]!) / sourceVariance[c]!).toBeLessThan(0.02);
    }
    tf.dispose([mean, variance, means, variances]);
  });
});
