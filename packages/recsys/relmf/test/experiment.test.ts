import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, getExperiment, getPerfSuite, Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { RELMF_MNAR_CONFIGS, runRelMfMnar } from '../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function context(scale: 'smoke' | 'full', seed = 0): ExperimentContext & { fractions: number[] } {
  const fractions: number[] = [];
  return { backend: 'cpu', seed, scale, rng: Rng.fromSeed(seed), progress: (f) => fractions.push(f), fractions };
}

describe('relmf-mnar', () => {
  it('is registered with its perf suite', () => {
    const experiment = getExperiment('relmf-mnar');
    expect(experiment.packageName).toBe('@unbiased/recsys-relmf');
    expect(experiment.paper.year).toBe(2020);
    expect(getPerfSuite('recsys').cases({ backend: 'cpu', size: 0 }).map((c) => c.baseline)).toEqual([
      null,
      'Float32Array SGD loop (floor)',
      'Float32Array SGD loop (floor)',
    ]);
  });

  it('a reduced run has every metric, the table, the plots, and is deterministic', async () => {
    const config = { ...RELMF_MNAR_CONFIGS.smoke, toy: { numUsers: 200, numItems: 30 }, steps: 30 };
    const ctx = context('smoke', 5);
    const before = tf.memory().numTensors;
    const a = await runRelMfMnar(ctx, config);
    expect(tf.memory().numTensors).toBe(before);
    for (const id of ['naive', 'relmf_true', 'relmf_clipped', 'relmf_popularity', 'oracle', 'random']) {
      for (const part of ['all', 'rare']) {
        for (const m of ['dcg5', 'recall5', 'map5']) expect(Number.isFinite(a.metrics[`${m}_${part}_${id}`]), `${m}_${part}_${id}`).toBe(true);
      }
    }
    expect(a.table?.rows.length).toBe(6);
    expect(a.plots?.map((p) => p.id)).toEqual(['dcg5', 'loss']);
    expect(a.plots?.[0]?.series.map((s) => s.y.length)).toEqual([6, 6]);
    // five trained methods, one curve each, one point per step
    expect(a.plots?.[1]?.series.map((s) => s.x.length)).toEqual([30, 30, 30, 30, 30]);
    expect(a.claim.text).toContain('Rel-MF (true θ) − naive MF ≥ 0.05');
    expect(ctx.fractions.at(-1)).toBe(1);
    const b = await runRelMfMnar(context('smoke', 5), config);
    expect(b.metrics).toEqual(a.metrics);
  });

  it('smoke scale: the claim holds (Rel-MF with true θ beats naive MF by >= 0.05 DCG@5, all and rare items)', async () => {
    const result = await getExperiment('relmf-mnar').run(context('smoke'));
    expect(result.metrics.dcg5_all_relmf_true_minus_naive).toBeGreaterThanOrEqual(0.05);
    expect(result.metrics.dcg5_rare_relmf_true_minus_naive).toBeGreaterThanOrEqual(0.05);
    expect(result.claim.holds).toBe(true);
    // the oracle is the upper reference, random the lower
    expect(result.metrics.dcg5_all_oracle).toBeGreaterThan(result.metrics.dcg5_all_relmf_true!);
    expect(result.metrics.dcg5_all_naive).toBeGreaterThan(result.metrics.dcg5_all_random! - 0.05);
  }, 300_000);
});
