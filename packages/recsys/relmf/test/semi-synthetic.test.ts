import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMnarToy, itemCounts, ml100kSemiSynthetic, parseMovieLens100k } from '../src/index.js';
import { expectUnbiased, fixture } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('the MNAR toy of spec 03', () => {
  const data = generateMnarToy(Rng.fromSeed(1).fold('toy'));

  it('has the spec sizes and rates: mean gamma about 0.19, about 4% clicks, theta in [0.01, 1]', () => {
    expect(data.relevance.length).toBe(2000 * 100);
    const meanGamma = data.relevance.reduce((a, b) => a + b, 0) / data.relevance.length;
    expect(meanGamma).toBeGreaterThan(0.15);
    expect(meanGamma).toBeLessThan(0.23);
    const clickRate = data.clicks.reduce((a, b) => a + b, 0) / data.clicks.length;
    expect(clickRate).toBeGreaterThan(0.02);
    expect(clickRate).toBeLessThan(0.06);
    expect(Math.min(...data.exposure)).toBeGreaterThanOrEqual(Math.fround(0.01));
    expect(Math.max(...data.exposure)).toBeLessThanOrEqual(1);
    expect(Array.from(data.itemClicks)).toEqual(Array.from(itemCounts(Array.from(data.clicks.keys()).filter((p) => data.clicks[p] === 1).map((p) => p % 100), 100)));
  });

  it('clicks are MNAR: P(Y = 1) = theta * gamma per item, and exposure is negatively related to relevance', () => {
    // per item, the click rate over 2,000 users is theta_i * mean_u gamma_ui; its SE is below 0.0115
    let corr = 0;
    const meanTheta = data.exposure.reduce((a, b) => a + b, 0) / 100;
    const itemGamma = Array.from({ length: 100 }, (_, i) => {
      let s = 0;
      for (let u = 0; u < 2000; u++) s += data.relevance[u * 100 + i] as number;
      return s / 2000;
    });
    const meanG = itemGamma.reduce((a, b) => a + b, 0) / 100;
    for (let i = 0; i < 100; i++) {
      const expected = (data.exposure[i] as number) * (itemGamma[i] as number);
      expect(Math.abs((data.itemClicks[i] as number) / 2000 - expected)).toBeLessThan(4.5 * Math.sqrt(expected / 2000) + 1e-9);
      corr += ((data.exposure[i] as number) - meanTheta) * ((itemGamma[i] as number) - meanG);
    }
    expect(corr).toBeLessThan(0);
  });

  it('the MAR test set: distinct items per user, truth ~ Bern(gamma)', () => {
    expect(data.test.users.length).toBe(20_000);
    for (let u = 0; u < 2000; u += 97) {
      const items = new Set(data.test.items.subarray(u * 10, u * 10 + 10));
      expect(items.size).toBe(10);
    }
    let expected = 0;
    let observed = 0;
    for (let r = 0; r < data.test.users.length; r++) {
      expected += data.relevance[(data.test.users[r] as number) * 100 + (data.test.items[r] as number)] as number;
      observed += data.test.relevance[r] as number;
    }
    // sum of 20,000 Bernoullis: SD below sqrt(20,000 / 4) = 71
    expect(Math.abs(observed - expected)).toBeLessThan(4 * 71);
  });

  it('gamma follows its formula and the generator is deterministic per seed', () => {
    const small = generateMnarToy(Rng.fromSeed(3), { numUsers: 5, numItems: 4, testItemsPerUser: 2, rho: 0 });
    expect(generateMnarToy(Rng.fromSeed(3), { numUsers: 5, numItems: 4, testItemsPerUser: 2, rho: 0 })).toEqual(small);
    for (const g of small.relevance) expect(g).toBeGreaterThan(0);
    // with latent dim K = 1 and relevanceOffset 0, gamma_ui = sigmoid(u v + q_i): recompute from the same streams
    const rng = Rng.fromSeed(4);
    const one = generateMnarToy(rng, { numUsers: 3, numItems: 2, latentDim: 1, relevanceOffset: 0, testItemsPerUser: 1 });
    const u = rng.fold('user-factors').normal(3);
    const v = rng.fold('item-factors').normal(2);
    const q = rng.fold('item-quality').normal(2);
    for (let a = 0; a < 3; a++) {
      for (let i = 0; i < 2; i++) expect(one.relevance[a * 2 + i]).toBeCloseTo(sigmoid((u[a] as number) * (v[i] as number) + (q[i] as number)), 6);
    }
  });

  it('bad options', async () => {
    await expectUnbiased(() => generateMnarToy(Rng.fromSeed(1), { numItems: 5, testItemsPerUser: 6 }), 'INVALID_ARGUMENT', 'testItemsPerUser');
    await expectUnbiased(() => generateMnarToy(Rng.fromSeed(1), { rho: 2 }), 'INVALID_ARGUMENT', 'rho');
    await expectUnbiased(() => generateMnarToy(Rng.fromSeed(1), { minExposure: 0 }), 'INVALID_ARGUMENT', 'minExposure');
  });
});

describe("Saito's ML-100K semi-synthetic protocol on the u.data fixture", () => {
  const ratings = parseMovieLens100k(fixture('ml-100k/u.data'), { file: 'u.data' });

  it('fits, samples and splits: ranges, sizes, determinism, no leaked tensor', async () => {
    const before = tf.memory().numTensors;
    const options = { iterations: 30, batchSize: 32, power: 2 };
    const a = await ml100kSemiSynthetic(ratings, Rng.fromSeed(0).fold('ml100k'), options);
    expect(tf.memory().numTensors).toBe(before);
    const pairs = ratings.numUsers * ratings.numItems;
    expect(a.relevance.length).toBe(pairs);
    // gamma = sigmoid(clip(Rhat, 1, 5) - 5) lies in [sigmoid(-4), sigmoid(0)] = [0.018, 0.5]
    for (const g of a.relevance) {
      expect(g).toBeGreaterThanOrEqual(Math.fround(sigmoid(-4)) - 1e-7);
      expect(g).toBeLessThanOrEqual(0.5);
    }
    for (const t of a.exposure) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(1);
    }
    expect(a.train.length + a.validation.length).toBe(pairs);
    expect(a.validation.length).toBe(Math.round(0.1 * pairs));
    expect(new Set([...a.train, ...a.validation]).size).toBe(pairs);
    for (const p of a.test) expect(a.clicks[p]).toBe(0);
    expect(a.test.length).toBe(a.clicks.filter((y) => y === 0).length);
    const b = await ml100kSemiSynthetic(ratings, Rng.fromSeed(0).fold('ml100k'), options);
    expect(b).toEqual(a);
  });

  it('bad options and empty ratings', async () => {
    await expectUnbiased(() => ml100kSemiSynthetic(ratings, Rng.fromSeed(0), { power: 0 }), 'INVALID_ARGUMENT', 'power');
    await expectUnbiased(() => ml100kSemiSynthetic(ratings, Rng.fromSeed(0), { validationFraction: 1 }), 'INVALID_ARGUMENT', 'validationFraction');
    const empty = { ...ratings, users: new Int32Array(0), items: new Int32Array(0), ratings: new Float32Array(0) };
    await expectUnbiased(() => ml100kSemiSynthetic(empty, Rng.fromSeed(0)), 'BAD_INPUT', 'ratings');
  });
});
