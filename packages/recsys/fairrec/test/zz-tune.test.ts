import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { warmStartFromNrms, batchToTensors, disposeBatchTensors, evaluateNewsRecommender, FairRecModel, FairRecTrainer, generateSyntheticNews, generateSyntheticUsers, makeNewsBatch, NrmsModel, NrmsTrainer, sampleSyntheticExamples, stepDecaySchedule } from '../src/index.js';

it('tune', async () => {
  await useBackend('cpu');
  const variants: any[] = JSON.parse(process.env.VARIANTS ?? '[{}]');
  const rng = Rng.fromSeed(Number(process.env.SEED ?? 0)).fold('fairrec-synthetic-news');
  const news = generateSyntheticNews(rng.fold('news'));
  const train = generateSyntheticUsers(rng.fold('train-users'), news, 3000, { historyLength: 20 });
  const ev = generateSyntheticUsers(rng.fold('eval-users'), news, 3000, { historyLength: 20 });
  const labels = new Float32Array(ev.count * 20); for (let u = 0; u < ev.count; u++) labels[u * 20] = 1;
  const evalUsers = { histories: ev.histories, candidates: ev.testCandidates, labels, candidatesPerUser: 20, attributes: ev.attributes };
  const NEWS = { wordDim: 16, heads: 2, headDim: 8, queryDim: 16, dropout: 0, vocabularySize: news.corpus.vocabularySize };
  const USER = { heads: 2, headDim: 8, queryDim: 16, dropout: 0, tower: { hidden: 64 } };
  let trainedBase: any;
  for (const v of variants) {
    const steps = v.steps ?? 250; const B = v.batch ?? 128; const lr = v.lr ?? 1e-2;
    const c0 = process.cpuUsage();
    const schedule = stepDecaySchedule({ init: lr, factor: v.factor ?? 0.1, at: Math.round((v.at ?? 0.5) * steps) });
    let model: any; let trainer: any;
    if (v.base) { model = new NrmsModel({ rng: rng.fold('model'), news: NEWS, user: USER }); trainer = new NrmsTrainer(model, { rng, learningRate: schedule }); }
    else {
      model = new FairRecModel({ rng: rng.fold('model'), news: NEWS, biasFreeUser: USER, biasAwareUser: { ...USER, tower: { hidden: 64, rank: v.rank ?? 2 } }, discriminatorHidden: v.dh ?? 32 });
      if (v.warm) warmStartFromNrms(model, trainedBase);
      trainer = new FairRecTrainer(model, { rng, learningRate: schedule, discriminatorLearningRate: v.dlr ?? lr, lambdaAdversarial: v.la ?? 0.1, lambdaBiasFreeRanking: v.rd ?? 1, adversarialObjective: v.obj ?? 'confusion', update: v.update ?? 'simultaneous', discriminatorSteps: v.k ?? 0 });
    }
    const batches = rng.fold('batches');
    const mk = (r: Rng) => batchToTensors(makeNewsBatch(news.corpus, sampleSyntheticExamples(r, train, 400, { size: B }), { historyLength: 20, attributeClasses: 2 }));
    for (let t = 0; t < (v.base ? 0 : (v.dwarm ?? 0)); t++) { const b = mk(batches.fold(500000 + t)); trainer.discriminatorStep(b).dispose(); disposeBatchTensors(b); }
    for (let t = 0; t < steps; t++) {
      const b = mk(batches.fold(t));
      const extra = Array.from({ length: v.base ? 0 : (v.k ?? 0) }, (_, j) => mk(batches.fold(100000 + t * 10 + j)));
      const l = v.base ? trainer.step(b) : trainer.step(b, extra);
      if (t % 50 === 49) console.log(JSON.stringify(v), t + 1, Array.from(await l.data()).map((x: number) => x.toFixed(3)).join(' '));
      l.dispose(); disposeBatchTensors(b); extra.forEach(disposeBatchTensors);
    }
    const r = await evaluateNewsRecommender(model, news.corpus, evalUsers, { historyLength: 20, attributeClasses: 2, newsFeatures: news.topics, featureDim: 16, topK: [10], rng: rng.fold('probe') });
    console.log('RESULT', JSON.stringify(v), 'auc', r.ranking.auc.toFixed(3), 'ndcg10', r.ranking.ndcg10.toFixed(3), 'acc10', r.topK[10]!.accuracy.toFixed(3), 'f1', r.topK[10]!.macroF1.toFixed(3), 'probe', r.embedding.accuracy.toFixed(3), 'cpu', (process.cpuUsage(c0).user / 1e6).toFixed(1));
    trainer.dispose(); if (v.base) trainedBase = model; else model.dispose();
  }
}, 7200_000);
