import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { onesidedPerfCase, onesidedPerfSuite, panelExperiment } from '../src/index.js';

describe('fair-onesided-panel (smoke)', () => {
  it('runs, its claim holds, and every metric is finite', async () => {
    const result = await panelExperiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.plots?.map((p) => p.id)).toEqual(['violation-rate-vs-T', 'regret-per-round-vs-T', 'gamma-frontier']);
    expect(result.table?.rows).toHaveLength(3 * 4);
    // The penalty buys fewer violations at a cost in accuracy.
    expect(result.metrics.exp2_penalty_T1000_violationRate_mean).toBeLessThan(result.metrics.exp2_T1000_violationRate_mean!);
    expect(result.metrics.exp2_penalty_T1000_errorRate_mean).toBeGreaterThan(result.metrics.exp2_T1000_errorRate_mean!);
  }, 60_000);
});

describe('registration', () => {
  it('register.ts registers the experiment and the perf suite', () => {
    expect(getExperiment('fair-onesided-panel')).toBe(panelExperiment);
    expect(getPerfSuite('fairness-onesided')).toBe(onesidedPerfSuite);
  });

  it('the perf suite compares FTPL with Exp2 at each |H| and larger Exp2 classes with |H| = 65', () => {
    const cases = onesidedPerfSuite.cases({ backend: 'cpu', size: 1 });
    expect(cases.map((c) => [c.name, c.n, c.baseline])).toEqual([
      ['exp2, |H| = 65', 65, null],
      ['ftpl, |H| = 65', 65, 'exp2, |H| = 65'],
      ['exp2, |H| = 258', 258, 'exp2, |H| = 65'],
      ['ftpl, |H| = 258', 258, 'exp2, |H| = 258'],
      ['exp2, |H| = 1026', 1026, 'exp2, |H| = 65'],
      ['ftpl, |H| = 1026', 1026, 'exp2, |H| = 1026'],
    ]);
  });

  it('perf cases set up, step, fence and dispose', async () => {
    for (const learner of ['exp2', 'ftpl'] as const) {
      const instance = await onesidedPerfCase(learner, 2, 2, null).setup();
      for (let i = 0; i < 5; i++) await instance.step();
      await instance.fence();
      instance.dispose();
    }
  });
});
