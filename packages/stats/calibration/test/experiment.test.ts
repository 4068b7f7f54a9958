import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { attenuationExperiment, kdeScorePerfCases, kdeScorePerfSuite } from '../src/index.js';

describe('calibration-attenuation (smoke)', () => {
  it('runs in seconds, its claim holds and every metric is finite', async () => {
    // CPU time, not wall time: on a loaded machine (CI, other test files in parallel) the wall clock says more
    // about the neighbours than about the experiment. Alone, wall ≈ CPU.
    const cpuBefore = process.cpuUsage();
    const result = await attenuationExperiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
    const cpu = process.cpuUsage(cpuBefore);
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(10);
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    // the claim's quantities are reported
    for (const key of ['slope_naive', 'slope_lcc', 'slope_tweedie', 'spread_ppi', 'spread_lcc']) expect(result.metrics[key]).toBeDefined();
    // the true IPTW ATE tracks τ with slope ≈ 1 (sanity of the generator): 44 points, sd 0.04 -> s.e. of slope ≈ 0.01
    expect(Math.abs(result.metrics.slope_true! - 1)).toBeLessThan(0.05);
    expect(result.plots?.[0]?.series.length).toBeGreaterThan(4);
    expect(result.table?.rows.length).toBe(6);
  }, 60_000);
});

describe('registration', () => {
  it('register.ts registers the experiment and the perf suite', () => {
    expect(getExperiment('calibration-attenuation')).toBe(attenuationExperiment);
    expect(getPerfSuite('stats-calibration')).toBe(kdeScorePerfSuite);
  });

  it('perf cases set up, step, fence and dispose (small size)', async () => {
    const cases = kdeScorePerfCases(50, 100);
    expect(cases.map((c) => c.baseline)).toEqual([null, 'KDE score, exact']);
    for (const perfCase of cases) {
      const instance = await perfCase.setup();
      await instance.step();
      await instance.fence();
      instance.dispose();
    }
  });
});
