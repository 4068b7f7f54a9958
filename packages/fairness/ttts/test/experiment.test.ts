import { describe, expect, it } from 'vitest';
import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { adultExperiment, adultLikeExperiment, fairnessPerfCases } from '../src/index.js';
import '../src/register.js';

describe('experiments (smoke scale)', () => {
  for (const experiment of [adultLikeExperiment, adultExperiment]) {
    it(`${experiment.id} runs and reports every method`, async () => {
      const result = await experiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
      expect(typeof result.claim.holds).toBe('boolean');
      expect(result.claim.text).toContain('DT');
      for (const key of ['dt_base_accuracy_mean', 'dt_ttts_spd_mean', 'rf_fair_a9_eod_mean', 'dt_threshold_optimizer_di_mean', 'rf_reject_option_aod_mean']) {
        expect(Number.isFinite(result.metrics[key])).toBe(true);
      }
      expect(result.metrics.folds).toBe(3);
      // 2 models × 8 methods mean rows + per-fold rows
      expect(result.table?.rows.length).toBe(16 + 16 * 3);
      expect(result.plots?.[0]?.series.length).toBe(8);
    }, 120_000);
  }
  it('registers its experiments and the perf suite', () => {
    expect(getExperiment('fairttts-adult-like')).toBe(adultLikeExperiment);
    expect(getExperiment('fairttts-adult')).toBe(adultExperiment);
    expect(getPerfSuite('fairness')?.packageName).toBe('@unbiased/fair-ttts');
  });
});

describe('perf cases (small)', () => {
  it('set up, step, fence and dispose', async () => {
    const cases = fairnessPerfCases(200, 3, false);
    expect(cases.map((c) => c.baseline)).toEqual([null, cases[0]?.name]);
    for (const perfCase of cases) {
      const instance = await perfCase.setup();
      await instance.step();
      await instance.fence();
      instance.dispose();
    }
  });
});
