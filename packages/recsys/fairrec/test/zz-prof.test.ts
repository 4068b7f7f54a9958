import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { batchToTensors, makeNewsBatch } from '../src/data/batch.js';
import { generateSyntheticNews, generateSyntheticUsers } from '../src/data/synthetic-news.js';
import { NrmsModel } from '../src/model/nrms.js';
import { encodeBatch } from '../src/model/recommender.js';

it('prof', async () => {
  await useBackend('cpu');
  const rng = Rng.fromSeed(0);
  const news = generateSyntheticNews(rng.fold('news'));
  const users = generateSyntheticUsers(rng.fold('users'), news, 300);
  const newsOpts = { vocabularySize: news.corpus.vocabularySize, wordDim: 16, heads: 4, headDim: 4, queryDim: 16, dropout: 0 };
  const base = new NrmsModel({ rng: rng.fold('m'), news: newsOpts, user: { heads: 4, headDim: 4, queryDim: 16, dropout: 0, tower: { hidden: 64 } } });
  const ex = [];
  for (let b = 0; b < 256; b++) ex.push({ history: users.histories[b]!, candidates: [1, 2, 3, 4, 5], attribute: 0 });
  const bt = batchToTensors(makeNewsBatch(news.corpus, ex, { historyLength: 20 }));
  const time = async (name: string, f: () => tf.Tensor | tf.Tensor[]) => {
    for (let i = 0; i < 2; i++) { const c0 = process.cpuUsage(); const t0 = performance.now(); const r = f(); const arr = Array.isArray(r) ? r : [r]; await arr[0]!.data(); tf.dispose(arr); const c = process.cpuUsage(c0); console.log(name, 'wall', (performance.now() - t0).toFixed(1), 'cpu', ((c.user + c.system) / 1000).toFixed(1)); }
  };
  await time('news fwd', () => base.encodeNews(bt.newsTokens));
  await time('encode batch', () => { const e = encodeBatch(base, bt); return [e.history, e.candidates]; });
  const e = encodeBatch(base, bt);
  await time('user fwd', () => base.embedUsers(e.history, bt.historyMask));
  await time('mhsa user', () => base.userEncoder.selfAttention.apply(e.history, bt.historyMask));
  const x = tf.randomNormal([256, 20, 16]) as tf.Tensor3D;
  const prof = await tf.profile(() => base.embedUsers(e.history, bt.historyMask));
  const agg: Record<string, number> = {};
  for (const k of prof.kernels) agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number);
  console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, t]) => `${n}:${t.toFixed(1)}`).join(' '));
  const prof2 = await tf.profile(() => { const g = tf.variableGrads(() => tf.sum(base.embedUsers(e.history, bt.historyMask)) as tf.Scalar); return Object.values(g.grads); });
  const agg2: Record<string, number> = {};
  for (const k of prof2.kernels) agg2[k.name] = (agg2[k.name] ?? 0) + (k.kernelTimeMs as number);
  console.log(Object.entries(agg2).sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, t]) => `${n}:${t.toFixed(1)}`).join(' '));
  await time('matmul 256x20x16 @ 16x16', () => tf.matMul(tf.reshape(x, [-1, 16]), tf.randomNormal([16, 16])));
  await time('transpose 4d', () => tf.transpose(tf.reshape(x, [256, 20, 4, 4]), [0, 2, 1, 3]));
  const q = tf.randomNormal([256, 4, 20, 4]);
  await time('batched matmul 4d', () => tf.matMul(q, q, false, true));
  const q3 = tf.randomNormal([1024, 20, 4]);
  await time('batched matmul 3d', () => tf.matMul(q3, q3, false, true));
  await time('grad user', () => { const g = tf.variableGrads(() => tf.sum(base.embedUsers(e.history, bt.historyMask)) as tf.Scalar); return Object.values(g.grads); });
  await time('grad news', () => { const g = tf.variableGrads(() => tf.sum(base.encodeNews(bt.newsTokens)) as tf.Scalar); return Object.values(g.grads); });
  await time('grad all', () => { const g = tf.variableGrads(() => { const en = encodeBatch(base, bt); return tf.sum(base.embedUsers(en.history, bt.historyMask)) as tf.Scalar; }); return Object.values(g.grads); });
}, 600000);
