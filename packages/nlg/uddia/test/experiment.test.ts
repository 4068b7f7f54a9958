import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, getExperiment, getPerfSuite, Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('uddia-synthetic and the nlg perf suite (cpu)', () => {
  it('runs at smoke scale with its plots, metrics and no leaked tensors', async () => {
    const before = tf.memory().numTensors;
    const ctx: ExperimentContext = { backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} };
    const result = await getExperiment('uddia-synthetic').run(ctx);
    expect(result.plots?.map((p) => p.id)).toEqual([
      'uddia-toxicity-vs-T',
      'uddia-perplexity-vs-T',
      'uddia-toxicity-vs-lr',
      'uddia-perplexity-vs-lr',
      'uddia-occupation-gap',
      'uddia-toxicity-by-method',
    ]);
    expect(typeof result.claim.holds).toBe('boolean');
    for (const key of ['toxic_rate_base', 'toxic_rate_uddia_redo', 'perplexity_base', 'occupation_gap_base', 'occupation_gap_debias_on']) {
      expect(result.metrics[key], key).toBeDefined();
    }
    // lr 0 is the base model: its row of the T sweep is the base row.
    const sweep = result.plots?.[0]?.series[0];
    expect(sweep?.x[0]).toBe(0);
    expect(sweep?.y[0]).toBe(result.metrics.toxic_rate_base); // smoke: the sweep uses every prompt
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('perf suite nlg has base and UDDIA T = 1, 2, 4 cases that run', async () => {
    const suite = getPerfSuite('nlg');
    const cases = suite.cases({ backend: 'cpu', size: 1 });
    expect(cases.map((c) => [c.name, c.baseline])).toEqual([
      ['base', null],
      ['uddia-T1', 'base'],
      ['uddia-T2', 'base'],
      ['uddia-T4', 'base'],
    ]);
    const instance = await (cases[2] as (typeof cases)[number]).setup();
    const before = tf.memory().numTensors;
    await instance.step();
    await instance.fence();
    expect(tf.memory().numTensors).toBe(before);
    instance.dispose();
  }, 120_000);
});
