import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { evaluateTopKByUser, rareItemMask } from '../../../metrics/src/recsys/index.js';
import { it } from 'vitest';
import { allPairs, clippedRelMf, fullBatch, generateMnarToy, ideal, MatrixFactorization, naive, pairPropensities, relMf, trainMatrixFactorization } from '../src/index.js';

it('toy', async () => {
  await useBackend(process.env.BK ?? 'cpu');
  const rng = Rng.fromSeed(Number(process.env.SEED ?? 0));
  let t0 = performance.now();
  const data = generateMnarToy(rng.fold('data'));
  console.log('gen ms', performance.now() - t0, 'click rate', data.clicks.reduce((a, b) => a + b, 0) / data.clicks.length);
  const { users, items } = allPairs(data.numUsers, data.numItems);
  const clicks = Float32Array.from(data.clicks);
  const theta = pairPropensities(data.exposure, items);
  const rare = rareItemMask(data.itemClicks);
  const runs: [string, any, Float32Array][] = [['naive', naive(), clicks], ['relmf', relMf(), clicks], ['clip', clippedRelMf({ clip: 0.05 }), clicks], ['oracle', ideal(), data.relevance]];
  for (const [name, est, labels] of runs) {
    t0 = performance.now();
    const model = new MatrixFactorization({ numUsers: data.numUsers, numItems: data.numItems, dim: 10, rng: rng.fold(name) });
    const res = await trainMatrixFactorization(model, fullBatch({ users, items, labels, propensities: theta }), { estimator: est, steps: Number(process.env.STEPS ?? 200), learningRate: 0.05, impl: (process.env.IMPL as any) ?? 'fused' });
    const s = model.scoreAll(); const all = await s.data(); s.dispose();
    const scores = Float32Array.from(data.test.users, (u, r) => all[u * data.numItems + (data.test.items[r] as number)] as number);
    const test = { users: data.test.users, items: data.test.items, scores, relevance: data.test.relevance };
    const a = evaluateTopKByUser(test, { ks: [5], metrics: ['dcg'] }).values['dcg@5'];
    const r = evaluateTopKByUser(test, { ks: [5], metrics: ['dcg'], itemFilter: rare }).values['dcg@5'];
    console.log(name, 'all', a?.toFixed(4), 'rare', r?.toFixed(4), 'ms', (performance.now() - t0).toFixed(0), 'loss', res.curve.loss[0], res.curve.loss.at(-1), tf.memory().numTensors);
    model.dispose();
  }
}, 600000);
