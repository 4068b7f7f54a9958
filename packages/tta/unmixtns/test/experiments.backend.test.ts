import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, getExperiment, getPerfSuite, Rng } from '@unbiased/core';
import { loadMnist14 } from '@unbiased/data-mnist/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUnmixtnsMnistC } from '../src/experiments/unmixtns-mnist-c.js';
import { runUnmixtnsNoniid } from '../src/experiments/unmixtns-noniid.js';
import '../src/register.js';
import { testBackend } from './helpers.js';

function context(): ExperimentContext {
  return { backend: testBackend, seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} };
}

// Training and streaming even tiny configurations takes minutes on llvmpipe: webgpu runs the layer tests only.
describe.skipIf(testBackend === 'webgpu')('experiments (tiny configurations; the claims are checked by `unbiased reproduce`)', () => {
  // tfjs-backend-wasm's fusedMatMul gradient (Dense, under TENT) trips tfjs's IS_TEST leak check on scratch
  // data ids (a tfjs internal); the numTensors assertions below stay on.
  beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
  afterAll(() => tf.env().set('IS_TEST', true));

  it('registers both experiments and the tta perf suite', () => {
    expect(getExperiment('unmixtns-noniid').packageName).toBe('@unbiased/tta-unmixtns');
    expect(getExperiment('unmixtns-mnist-c').packageName).toBe('@unbiased/tta-unmixtns');
    expect(getPerfSuite('tta').cases({ backend: testBackend, size: 1 }).map((c) => c.baseline)).toEqual([null, 'batchnorm-forward', 'batchnorm-forward']);
  });

  it('unmixtns-noniid reports every method and stream, with a point plot, without leaks', async () => {
    const before = tf.memory().numTensors;
    const result = await runUnmixtnsNoniid(context(), {
      seeds: 1,
      trainSamples: 64,
      epochs: 1,
      testSamples: 150,
      batchSize: 50,
      methods: [
        { name: 'TBN', to: 'test-batch' },
        { name: 'UnMix-TNS K=16', to: 'unmixtns', components: 16 },
        { name: 'TENT+UnMix-TNS K=16', to: 'unmixtns', components: 16, tent: true },
      ],
      inits: ['pytorch', 'glorot'],
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const key of ['error_tbn_iid', 'error_tbn_dirichlet', 'error_unmix_tns_k_16_iid', 'error_tent_unmix_tns_k_16_dirichlet', 'glorot_error_tbn_dirichlet', 'glorot_unmix_k16_clean_error']) {
      expect(result.metrics[key]).toBeGreaterThanOrEqual(0);
      expect(result.metrics[key]).toBeLessThanOrEqual(100);
    }
    expect(result.plots?.[0]?.kind).toBe('point');
    expect(result.plots?.[0]?.series.map((s) => s.name)).toEqual(['iid', 'dirichlet']);
    expect(result.claim.text).toContain('UnMix-TNS');
  }, 180_000);

  it('unmixtns-mnist-c runs the fixture model on corrupted real digits', async () => {
    const before = tf.memory().numTensors;
    const result = await runUnmixtnsMnistC(
      context(),
      { seeds: 1, stride: 5, corruptions: ['contrast'], mildCorruptions: ['contrast'], batchSize: 50, methods: [{ name: 'TBN', to: 'test-batch' }] },
      loadMnist14(),
    );
    expect(tf.memory().numTensors).toBe(before);
    // The fixture model classifies clean digits (i.i.d., batch statistics) far above chance.
    expect(result.metrics.error_tbn_clean_iid).toBeLessThan(30);
    expect(result.table?.columns).toContain('contrast error %');
    expect(result.table?.columns).toContain('contrast-mild error %');
    expect(result.metrics.error_tbn_mild_iid).toBeGreaterThanOrEqual(0);
    // Without UnMix-TNS among the methods the testbed-validity check cannot pass, so the claim cannot hold.
    expect(result.metrics.testbed_valid).toBe(0);
    expect(result.claim.holds).toBe(false);
  }, 180_000);
});
