import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FairRecModel, scoreBatch } from '../src/index.js';
import { read, seed, TINY_NEWS, TINY_USER, tinyBatch, tinyCorpus } from './helpers.js';

describe('FairRec inference', () => {
  it('ranks with u_d only: changing every bias-aware weight leaves the scores bit-identical', async () => {
    const corpus = tinyCorpus(seed(10));
    const batch = tinyBatch(seed(11), corpus);
    const model = new FairRecModel({ rng: seed(12), news: { ...TINY_NEWS, vocabularySize: corpus.vocabularySize }, biasFreeUser: TINY_USER, biasAwareUser: TINY_USER });
    const before = await read(scoreBatch(model, batch));
    const biasAware = Object.values(model.biasAwareVariables());
    expect(biasAware.length).toBeGreaterThan(0);
    const noise = seed(13);
    for (const v of biasAware) v.assign(tf.tensor(Float32Array.from(noise.normal(v.size, 0, 3)), v.shape));
    // The bias-aware branch did change ...
    expect(biasAware.length).toBe(Object.keys(model.biasAwareVariables()).length);
    // ... and the ranking did not, to the bit.
    expect(await read(scoreBatch(model, batch))).toEqual(before);
    // Whereas changing the bias-free encoder does change it.
    const tower = model.biasFreeUserEncoder.outputLayer ?? model.biasFreeUserEncoder.attention.query;
    tower.kernel.assign(tf.mul(tower.kernel, 2));
    expect(await read(scoreBatch(model, batch))).not.toEqual(before);
    model.dispose();
  });
});
