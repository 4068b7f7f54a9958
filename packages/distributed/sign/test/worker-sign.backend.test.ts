// The worker's host-side ballot (float32 loops, no tfjs) against core's own transforms on tensors:
// chain(ema({ decay: beta1, debias: false }), signConversion(...)) with the same seed gives the same momentum,
// envelope and signs, bit for bit on cpu and wasm (the same float32 operations in the same order). On webgpu the
// transforms round differently (see StoSignSGD's README), so there the comparison is not defined bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { chain, ema, Rng, signConversion } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { packSigns, type SignRule, signBallot, workerNoiseKey, wordsFor, zeroSignState } from '../src/index.js';

const backend = process.env.UNBIASED_TEST_BACKEND;

describe.skipIf(backend === 'webgpu')('signBallot equals core sign conversion', () => {
  for (const kind of ['deterministic', 'stochastic'] as const) {
    it(`${kind}: same momentum, envelope and packed signs over 4 steps`, async () => {
      const n = 70;
      const beta1 = 0.9;
      const rank = 2;
      const key = workerNoiseKey(11, rank);
      const rule: SignRule = { kind, beta1, envelopeDecay: 1, noiseScale: 1, noiseKey: key };
      const transform = chain(
        ema({ decay: beta1, debias: false }),
        signConversion(kind === 'stochastic' ? { seed: Rng.fromJSON({ key, counter: 0 }) } : { sign: 'deterministic' }),
      );
      const before = tf.memory().numTensors;
      const params = { params: tf.zeros([n]) };
      let state = transform.init(params);
      let host = zeroSignState(n);
      let spare = zeroSignState(n);
      const rng = Rng.fromSeed(5);
      for (let step = 1; step <= 4; step++) {
        const g = Float32Array.from(rng.normal(n));
        g[3] = 0; // an exact zero: both sides send +1 for it
        const grads = { params: tf.tensor1d(g) };
        const { updates, state: next } = transform.update(grads, state, params);
        const signs = await (updates.params as tf.Tensor).data();
        const words = signBallot(g, host, spare, step, rule, new Uint32Array(wordsFor(n)));
        [host, spare] = [spare, host];
        expect(Array.from(words)).toEqual(Array.from(packSigns(signs)));
        const stages = Object.values(next) as unknown as [{ ema: { params: tf.Tensor } }, { envelope: { params: tf.Tensor } }];
        const [emaState, signState] = stages;
        expect(Array.from(host.momentum)).toEqual(Array.from(await emaState.ema.params.data()));
        if (kind === 'stochastic') expect(Array.from(host.envelope)).toEqual(Array.from(await signState.envelope.params.data()));
        tf.dispose([grads.params, updates.params]);
        tf.dispose(state as never);
        state = next;
      }
      tf.dispose(state as never);
      tf.dispose(params.params);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
