import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { batchToTensors, disposeBatchTensors, makeNewsBatch } from '../src/data/batch.js';
import { generateSyntheticNews, generateSyntheticUsers } from '../src/data/synthetic-news.js';
import { FairRecModel } from '../src/model/fairrec.js';
import { NrmsModel } from '../src/model/nrms.js';
import { FairRecTrainer } from '../src/training/fairrec-trainer.js';
import { NrmsTrainer } from '../src/training/nrms-trainer.js';

it('timing', async () => {
  await useBackend('cpu');
  const rng = Rng.fromSeed(0);
  const news = generateSyntheticNews(rng.fold('news'));
  const users = generateSyntheticUsers(rng.fold('users'), news, 3000);
  const newsOpts = { vocabularySize: news.corpus.vocabularySize, wordDim: 16, heads: Number(process.env.H ?? 2), headDim: 16 / Number(process.env.H ?? 2), queryDim: 16, dropout: 0 };
  const userOpts = { heads: Number(process.env.H ?? 2), headDim: 16 / Number(process.env.H ?? 2), queryDim: 16, dropout: 0 };
  const B = Number(process.env.B ?? 256);
  const sample = (r: Rng) => {
    const ex = [];
    for (let b = 0; b < B; b++) {
      const u = r.int(users.count);
      const pos = users.trainPositives[u]![r.int(10)]!;
      const cands = [pos];
      while (cands.length < 5) { const c = r.int(400); if (c !== pos) cands.push(c); }
      ex.push({ history: users.histories[u]!, candidates: cands, attribute: users.attributes[u]! });
    }
    return batchToTensors(makeNewsBatch(news.corpus, ex, { historyLength: 20, attributeClasses: 2 }));
  };
  const base = new NrmsModel({ rng: rng.fold('m'), news: newsOpts, user: { ...userOpts, tower: { hidden: 64 } } });
  const bt = new NrmsTrainer(base, { rng: rng.fold('t') });
  const r = rng.fold('s');
  let t0 = performance.now(); let c0 = process.cpuUsage();
  for (let s = 0; s < 10; s++) { const b = sample(r); const l = bt.step(b);  l.dispose(); disposeBatchTensors(b); }
  console.log('base ms/step', (performance.now() - t0) / 10, 'cpu', (process.cpuUsage(c0).user / 1000) / 10);
  {
    const b = sample(r);
    const prof = await tf.profile(() => { const l = bt.step(b); return l; });
    const agg: Record<string, [number, number]> = {};
    for (const k of prof.kernels) { const a = (agg[k.name] ??= [0, 0]); a[0] += k.kernelTimeMs as number; a[1] += 1; }
    console.log('kernels', prof.kernels.length, Object.entries(agg).sort((a, b) => b[1][0] - a[1][0]).slice(0, 20).map(([n, t]) => `${n}:${t[0].toFixed(1)}/${t[1]}`).join(' '));
  }
  const fr = new FairRecModel({ rng: rng.fold('m'), news: newsOpts, biasFreeUser: userOpts, biasAwareUser: userOpts });
  const ft = new FairRecTrainer(fr, { rng: rng.fold('t'), discriminatorSteps: 0, update: 'simultaneous' });
  t0 = performance.now(); c0 = process.cpuUsage();
  for (let s = 0; s < 20; s++) { const b = sample(r); const d = sample(r); const l = ft.step(b, []); if (s % 10 === 9) console.log('fr', s, Array.from(await l.data())); l.dispose(); disposeBatchTensors(b); disposeBatchTensors(d); }
  console.log('fairrec ms/step', (performance.now() - t0) / 20, 'cpu', (process.cpuUsage(c0).user / 1000) / 20, tf.memory().numTensors);
}, 600000);
