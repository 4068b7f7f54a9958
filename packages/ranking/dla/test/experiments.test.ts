import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, getExperiment, getPerfSuite, Rng, type Scale, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { DLA_SYNTHETIC_SCALES, PROPENSITY_RECOVERY_SCALES, runDlaSynthetic, runPropensityRecovery } from '../src/index.js';

function context(scale: Scale, seed: number): ExperimentContext {
  return { backend: 'cpu', seed, scale, rng: Rng.fromSeed(seed), progress: () => {} };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('experiments (cpu)', () => {
  it('dla-synthetic: the claim holds at smoke scale', async () => {
    const before = tf.memory().numTensors;
    const result = await getExperiment('dla-synthetic').run(context('smoke', 0));
    expect(result.claim.holds, result.claim.text).toBe(true);
    expect(result.metrics.ndcg10_dla).toBeGreaterThan(result.metrics.ndcg10_naive as number);
    expect(result.plots?.map((p) => p.id)).toEqual(['ndcg-over-training', 'propensities']);
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000); // ~10 s of CPU; generous for loaded CI machines

  it('dla-propensity-recovery: the claim holds at smoke scale', async () => {
    const result = await getExperiment('dla-propensity-recovery').run(context('smoke', 0));
    expect(result.claim.holds, result.claim.text).toBe(true);
    expect(result.table?.rows.length).toBe(3);
  }, 180_000);

  it('the same seed gives the same numbers, another seed other numbers', async () => {
    const tiny = { ...DLA_SYNTHETIC_SCALES.smoke, trainQueries: 200, testQueries: 100, steps: 20, evalEvery: 10, batchSize: 32 };
    const [a, b, c] = [await runDlaSynthetic(context('smoke', 3), tiny), await runDlaSynthetic(context('smoke', 3), tiny), await runDlaSynthetic(context('smoke', 4), tiny)];
    expect(b.metrics).toEqual(a.metrics);
    expect(b.plots).toEqual(a.plots);
    expect(c.metrics).not.toEqual(a.metrics);
    const small = { ...PROPENSITY_RECOVERY_SCALES.smoke, trainQueries: 200, irwSteps: 10, irwBatchSize: 64, dlaSteps: 10, dlaBatchSize: 32 };
    const [p, q] = [await runPropensityRecovery(context('smoke', 5), small), await runPropensityRecovery(context('smoke', 5), small)];
    expect(q.metrics).toEqual(p.metrics);
  });

  it('the perf suite steps its cases without leaking tensors', async () => {
    const suite = getPerfSuite('ultr-dla');
    const cases = suite.cases({ backend: 'cpu', size: 0 });
    expect(cases.map((c) => c.baseline)).toEqual([null, cases[0]?.name, null, cases[2]?.name]);
    // The MLP cases run the same learners on a bigger ranker; a step of them takes seconds on tfjs-cpu.
    for (const perfCase of cases.slice(0, 2)) {
      const before = tf.memory().numTensors;
      const instance = await perfCase.setup();
      await instance.step();
      await instance.fence();
      const steady = tf.memory().numTensors;
      await instance.step();
      await instance.fence();
      expect(tf.memory().numTensors, perfCase.name).toBe(steady);
      instance.dispose();
      expect(tf.memory().numTensors, perfCase.name).toBe(before);
    }
  });
});
