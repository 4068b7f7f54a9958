import { getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { gradientVarianceExperiment, learningCurvesExperiment, rlPerfCases, rlPerfSuite, syntheticTurnColumns, textAgentExperiment, turnGAEColumns } from '../src/index.js';

const context = (seed = 0) => ({ backend: 'cpu', seed, scale: 'smoke' as const, rng: Rng.fromSeed(seed), progress: () => {} });

describe('hiper-gradient-variance (smoke)', () => {
  it('holds its claim, every metric is finite, one row per setting', async () => {
    const result = await gradientVarianceExperiment.run(context());
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.table?.rows).toHaveLength(3);
    // The time-blind critic is the biased one under a binding budget.
    expect(result.metrics.cosMeanHAE_s2_mean).toBeLessThan(result.metrics.cosMeanHAE_s1_mean as number);
  }, 60_000);
});

describe('hiper-learning-curves (smoke)', () => {
  it('holds its claim, returns curves with bands for every arm and finite metrics', async () => {
    const result = await learningCurvesExperiment.run(context());
    expect(result.claim.holds, result.claim.text).toBe(true);
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.table?.rows).toHaveLength(5);
    // One series per arm, its mean ± sd band carried as lower/upper.
    expect(result.plots?.[0]?.series).toHaveLength(2);
    expect(result.plots?.[1]?.series).toHaveLength(3);
    for (const series of result.plots?.[0]?.series ?? []) expect(series.lower).toHaveLength(80);
    expect(result.plots?.[0]?.series[0]?.x).toHaveLength(80);
    expect(result.metrics.auc_hae_median).toBeGreaterThan(result.metrics.auc_flat_median as number);
  }, 60_000);
});

describe('registration and perf', () => {
  it('register.ts registers the three experiments and the rl perf suite', () => {
    expect(getExperiment('hiper-gradient-variance')).toBe(gradientVarianceExperiment);
    expect(getExperiment('hiper-text-agent')).toBe(textAgentExperiment);
    expect(getExperiment('hiper-learning-curves')).toBe(learningCurvesExperiment);
    expect(getPerfSuite('rl')).toBe(rlPerfSuite);
  });

  it('perf cases run at a small size and compare against the flat baseline', async () => {
    const cases = rlPerfCases(2000, { batchSize: 2, length: 4, vocabSize: 8, hidden: 4 });
    expect(cases.map((c) => [c.name, c.n, c.baseline])).toEqual([
      ['flat turn GAE', 2000, null],
      ['HAE (3 streams)', 2000, 'flat turn GAE'],
      ['HAE (3 streams), output buffers reused', 2000, 'HAE (3 streams)'],
      ['HAE (3 streams), 1/10 of the turns', 200, 'HAE (3 streams)'],
      ['PPO update, tiny token policy (2 x 4 tokens)', 8, null],
    ]);
    // The PPO case needs a tfjs backend: ppo.backend.test.ts runs it.
    for (const c of cases.slice(0, 4)) {
      const instance = await c.setup();
      instance.step();
      await instance.fence();
      instance.dispose();
    }
  });

  it('the synthetic batch is well formed: 50-turn trajectories, the last turn done', () => {
    const columns = syntheticTurnColumns(120);
    expect(Array.from(columns.turnIdx).slice(48, 52)).toEqual([48, 49, 0, 1]);
    expect(columns.done[49]).toBe(1);
    expect(columns.done[119]).toBe(1);
    expect(turnGAEColumns(columns, { normAdv: false }).advantages).toHaveLength(120);
  });
});
