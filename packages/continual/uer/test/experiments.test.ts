import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, getExperiment, getPerfSuite, Rng, type Scale, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { erLearner, gaussianRenderedClasses, mlpClassifier, reservoirBuffer, runClassIncremental } from '../src/index.js';

function context(scale: Scale, seed: number): ExperimentContext {
  return { backend: 'cpu', seed, scale, rng: Rng.fromSeed(seed), progress: () => {} };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('experiments (cpu, smoke scale)', () => {
  it('uer-online-ci runs, frees its tensors and reports the paired gain', async () => {
    const before = tf.memory().numTensors;
    const r = await getExperiment('uer-online-ci').run(context('smoke', 0));
    expect(tf.memory().numTensors).toBe(before);
    expect(typeof r.claim.holds).toBe('boolean');
    expect(r.metrics.gain_pp_m100).toBeCloseTo((r.metrics.final_acc_uer_m100 as number) - (r.metrics.final_acc_er_m100 as number), 9);
    expect(r.plots?.map((p) => p.kind)).toEqual(['point', 'band', 'band']);
    expect(r.table?.rows.length).toBe(3);
  }, 180_000);

  it('uer-split-mnist runs on the real digits with the three methods', async () => {
    const r = await getExperiment('uer-split-mnist').run(context('smoke', 0));
    expect(Object.keys(r.metrics).filter((k) => /^final_acc_[a-z_]+_m100$/.test(k)).sort()).toEqual(['final_acc_er_ace_m100', 'final_acc_er_m100', 'final_acc_uer_m100']);
    // Better than chance (10%) after one pass over 1,000 digits.
    expect(r.metrics.final_acc_er_m100).toBeGreaterThan(20);
  }, 180_000);

  it('the class-incremental runner evaluates after every task, and the same seed repeats exactly', async () => {
    const run = async (seed: number) => {
      const rng = Rng.fromSeed(seed);
      const data = gaussianRenderedClasses(rng.fold('data'), { trainPerClass: 30, testPerClass: 10, classes: 4 });
      const model = mlpClassifier({ inputDim: 64, numClasses: 4, rng: rng.fold('model'), hidden: [8] });
      const learner = erLearner({ model, buffer: reservoirBuffer({ capacity: 10, dim: 64, rng: rng.fold('buffer') }) });
      const r = await runClassIncremental({ learner, ...data, tasks: [[0, 1], [2, 3]], rng: rng.fold('stream'), normEvery: 2 });
      model.dispose();
      return r;
    };
    const a = await run(1);
    expect(a.accuracy.length).toBe(2);
    expect(a.taskEndSteps).toEqual([6, 12]);
    expect(a.normSteps).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(a.norms.every((n) => n.length === 4)).toBe(true);
    expect(await run(1)).toEqual(a);
    expect((await run(2)).norms).not.toEqual(a.norms);
  }, 60_000);

  it('registers the continual perf suite with UER measured against ER', () => {
    const cases = getPerfSuite('continual').cases({ backend: 'cpu', size: 0 });
    expect(cases.map((c) => c.baseline)).toEqual([null, cases[0]?.name]);
  });
});
