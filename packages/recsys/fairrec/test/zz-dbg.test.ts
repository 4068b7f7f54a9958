import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { batchToTensors, makeNewsBatch } from '../src/data/batch.js';
import { generateSyntheticNews, generateSyntheticUsers, sampleSyntheticExamples } from '../src/data/synthetic-news.js';
import { FairRecModel } from '../src/model/fairrec.js';
import { NrmsModel } from '../src/model/nrms.js';
import { FairRecTrainer } from '../src/training/fairrec-trainer.js';
import { NrmsTrainer } from '../src/training/nrms-trainer.js';

it('dbg', async () => {
  await useBackend('cpu');
  const rng = Rng.fromSeed(0);
  const news = generateSyntheticNews(rng.fold('news'));
  const users = generateSyntheticUsers(rng.fold('users'), news, 1000);
  const NEWS = { vocabularySize: news.corpus.vocabularySize, wordDim: 16, heads: 2, headDim: 8, queryDim: 16, dropout: 0 };
  const USER = { heads: 2, headDim: 8, queryDim: 16, dropout: 0, tower: { hidden: 64 } };
  const base = new NrmsModel({ rng: rng.fold('model'), news: NEWS, user: USER });
  const fair = new FairRecModel({ rng: rng.fold('model'), news: NEWS, biasFreeUser: USER, biasAwareUser: { ...USER, tower: { hidden: 64, rank: 2 } } });
  const bt = new NrmsTrainer(base, { rng, learningRate: Number(process.env.LR ?? 5e-3) });
  const ft = new FairRecTrainer(fair, { rng, learningRate: Number(process.env.LR ?? 5e-3), update: 'simultaneous', discriminatorSteps: 0, lambdaAdversarial: Number(process.env.LA ?? 0.1), lambdaAttribute: Number(process.env.LG ?? 1), lambdaOrthogonality: Number(process.env.LD ?? 1) });
  const br = rng.fold('b');
  for (let t = 0; t < Number(process.env.T ?? 40); t++) {
    const b = batchToTensors(makeNewsBatch(news.corpus, sampleSyntheticExamples(br.fold(t), users, 400, { size: 128 }), { historyLength: 20, attributeClasses: 2 }));
    const l1 = bt.step(b);
    const l2 = process.env.NOFAIR ? tf.zeros([7]) : ft.step(b);
    if (t % 5 === 4) console.log(t, (await l1.data())[0]!.toFixed(4), Array.from(await l2.data()).map((v) => v.toFixed(4)).join(' '));
    tf.dispose([l1, l2]);
  }
}, 3600_000);
