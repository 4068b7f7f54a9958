import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { getExperiment, Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { fairrecSyntheticNewsExperiment, runSyntheticNews, SYNTHETIC_NEWS_SCALES, type SyntheticNewsScale } from '../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const context = (seed: number) => ({ backend: 'cpu', seed, scale: 'smoke' as const, rng: Rng.fromSeed(seed), progress: () => {} });
const TIMINGS = ['base_train_seconds', 'fairrec_train_seconds'];
const withoutTimings = (metrics: Record<string, number>) => Object.fromEntries(Object.entries(metrics).filter(([k]) => !TIMINGS.includes(k)));

describe('fairrec-synthetic-news', () => {
  it('is registered by register.ts', () => {
    expect(getExperiment('fairrec-synthetic-news')).toBe(fairrecSyntheticNewsExperiment);
    expect(fairrecSyntheticNewsExperiment.packageName).toBe('@unbiased/recsys-fairrec');
  });

  it('is deterministic given the seed and leaks no tensors (tiny scale)', async () => {
    const tiny: SyntheticNewsScale = { trainUsers: 120, evalUsers: 100, curveUsers: 40, batchSize: 16, steps: 4, discriminatorWarmup: 2, curvePoints: 2 };
    const before = tf.memory().numTensors;
    const a = await runSyntheticNews(context(7), tiny);
    const b = await runSyntheticNews(context(7), tiny);
    expect(tf.memory().numTensors).toBe(before);
    expect(withoutTimings(b.metrics)).toEqual(withoutTimings(a.metrics));
    expect(b.plots).toEqual(a.plots);
    const c = await runSyntheticNews(context(8), tiny);
    expect(withoutTimings(c.metrics)).not.toEqual(withoutTimings(a.metrics));
  }, 120_000);

  it('runs at smoke scale: finite metrics, the claim reported with the fresh-probe numbers, plots and table', async () => {
    const result = await fairrecSyntheticNewsExperiment.run(context(0));
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.metrics.steps).toBe(SYNTHETIC_NEWS_SCALES.smoke.steps);
    expect(result.claim.text).toMatch(/attribute accuracy@10 .* AUC .* fresh u_d probe/);
    // holds is computed from the run, never forced: it must agree with the two deltas.
    const holds = result.metrics.delta_attribute_accuracy_at_10! <= -0.02 && result.metrics.delta_auc! >= -0.05;
    expect(result.claim.holds).toBe(holds);
    // The base model learns to rank even at smoke scale.
    expect(result.metrics.base_auc).toBeGreaterThan(0.6);
    expect(result.table?.rows).toHaveLength(3);
    expect(result.plots?.map((p) => p.id)).toEqual(['adversarial-loss', 'recommender-loss', 'auc', 'attribute-accuracy']);
  }, 300_000);
});
