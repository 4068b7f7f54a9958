import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FairRecModel, NrmsModel, scoreBatch, warmStartFromNrms } from '../src/index.js';
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
    const tower = model.biasFreeUserEncoder.outputLayer ?? model.biasFreeUserEncoder.attention?.query;
    if (!tower) throw new Error('TINY_USER has neither a tower nor attention');
    tower.kernel.assign(tf.mul(tower.kernel, 2));
    expect(await read(scoreBatch(model, batch))).not.toEqual(before);
    model.dispose();
  });
});

describe('warm start', () => {
  it('FairRec warm-started from NRMS ranks exactly like it; mismatched encoders are SHAPE_MISMATCH', async () => {
    const corpus = tinyCorpus(seed(14));
    const batch = tinyBatch(seed(15), corpus);
    const news = { ...TINY_NEWS, vocabularySize: corpus.vocabularySize };
    const user = { ...TINY_USER, tower: { hidden: 4 } };
    const base = new NrmsModel({ rng: seed(16), news, user });
    const fair = new FairRecModel({ rng: seed(17), news, biasFreeUser: user, biasAwareUser: TINY_USER });
    expect(await read(scoreBatch(fair, batch))).not.toEqual(await read(scoreBatch(base, batch)));
    expect(warmStartFromNrms(fair, base)).toBe(Object.keys(base.recommenderVariables()).length);
    expect(await read(scoreBatch(fair, batch))).toEqual(await read(scoreBatch(base, batch)));
    const other = new FairRecModel({ rng: seed(18), news, biasFreeUser: { ...TINY_USER, tower: { hidden: 5 } }, biasAwareUser: TINY_USER });
    expect(() => warmStartFromNrms(other, base)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', field: 'bias_free_user/tower_hidden/kernel' }));
    for (const m of [base, fair, other]) m.dispose();
  });
});
