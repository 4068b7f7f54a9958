import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { crowdRedundancyExperiment, krippendorffPerfSuite, pairwiseKrippendorffAlpha, syntheticReliabilityData } from '../src/index.js';
import '../src/register.js';
import { krippendorffAlpha } from '@unbiased/metrics';
import { expectClose, referenceAlpha } from './helpers.js';

describe('crowd-redundancy experiment', () => {
  it('smoke scale: the claim holds, with finite metrics, a table and plots, in well under 10 s', async () => {
    const started = performance.now();
    const result = await crowdRedundancyExperiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.metrics.rho_mean_k10 as number).toBeGreaterThan(result.metrics.rho_mean_k1 as number);
    expect(result.table?.rows).toHaveLength(10);
    expect(result.plots?.map((p) => p.id)).toEqual(['gold-correlation', 'agreement']);
  }, 10_000);

  it('is registered with its perf suite', () => {
    expect(getExperiment('crowd-redundancy')).toBe(crowdRedundancyExperiment);
    expect(getPerfSuite('stats-krippendorff')).toBe(krippendorffPerfSuite);
  });
});

describe('stats-krippendorff perf suite', () => {
  it('cases name existing baselines and the stated sizes', () => {
    const cases = krippendorffPerfSuite.cases({ backend: 'cpu', size: 1 });
    const names = new Set(cases.map((c) => c.name));
    for (const c of cases) if (c.baseline !== null) expect(names.has(c.baseline)).toBe(true);
    expect(cases.map((c) => c.n)).toEqual([20_000, 20_000, 1_000_000]);
  });

  it('pairwise baseline, coincidence path and the test reference agree on synthetic data', () => {
    const rows = syntheticReliabilityData(Rng.fromSeed(5), { units: 40, coders: 6 });
    const units = Array.from({ length: 40 }, (_, u) => rows.map((r) => r[u] as number).filter((v) => !Number.isNaN(v)));
    for (const level of ['nominal', 'interval'] as const) {
      const fast = krippendorffAlpha(rows, { level });
      expectClose(pairwiseKrippendorffAlpha(rows, level), fast, 1e-10);
      expectClose(referenceAlpha(units, level), fast, 1e-10);
    }
    for (const level of ['ordinal', 'ratio'] as const) expectClose(pairwiseKrippendorffAlpha(rows, level), krippendorffAlpha(rows, { level }), 1e-10);
  });

  it('the 20,000-cell cases run and fence', async () => {
    const [, coincidence] = krippendorffPerfSuite.cases({ backend: 'cpu', size: 1 });
    const instance = await coincidence?.setup();
    await instance?.step();
    await instance?.fence();
    instance?.dispose();
  });
});
