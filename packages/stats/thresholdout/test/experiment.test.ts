import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { adaptiveAttackExperiment, thresholdoutPerfCases, thresholdoutPerfSuite } from '../src/index.js';

describe('thresholdout-adaptive-attack (smoke)', () => {
  it('runs in seconds, its claim holds and every metric is finite', async () => {
    // CPU time, not wall time: on a loaded machine (CI, other test files in parallel) the wall clock says more
    // about the neighbours than about the experiment. Alone, wall ≈ CPU.
    const cpuBefore = process.cpuUsage();
    const result = await adaptiveAttackExperiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
    const cpu = process.cpuUsage(cpuBefore);
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(10);
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.table?.rows).toHaveLength(5);
    const plot = result.plots?.[0];
    expect(plot?.series.map((s) => s.x)).toEqual(Array(5).fill([10, 50, 100, 200, 500]));
    // the attack works on the standard holdout: training and holdout accuracy well above fresh at k = 500
    expect(result.metrics.standard_holdout_k500).toBeGreaterThan(0.6);
    expect(Math.abs(result.metrics.standard_fresh_k500! - 0.5)).toBeLessThan(0.03);
  }, 60_000);
});

describe('registration', () => {
  it('register.ts registers the experiment and the perf suite', () => {
    expect(getExperiment('thresholdout-adaptive-attack')).toBe(adaptiveAttackExperiment);
    expect(getPerfSuite('stats-thresholdout')).toBe(thresholdoutPerfSuite);
  });

  it('the perf suite has the vectorised case against the scalar baseline, at n = d = 10,000', () => {
    const cases = thresholdoutPerfSuite.cases({ backend: 'cpu', size: 1 });
    expect(cases.map((c) => [c.name, c.n, c.baseline])).toEqual([
      ['scalar loop', 10_000, null],
      ['vectorised (answerQueryMatrix)', 10_000, 'scalar loop'],
    ]);
  });

  it('perf cases set up, step, fence and dispose (small size)', async () => {
    for (const perfCase of thresholdoutPerfCases(64, 32)) {
      const instance = await perfCase.setup();
      await instance.step();
      await instance.fence();
      instance.dispose();
    }
  });
});
