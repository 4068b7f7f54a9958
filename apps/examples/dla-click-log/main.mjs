#!/usr/bin/env node
// Train a ranker from a click log with DLA (Ai et al., "Unbiased Learning to Rank with Unbiased Propensity
// Estimation", SIGIR 2018) and compare it with the naive ranker that treats clicks as relevance labels.
//   node main.mjs [data-dir]        (default: ./data, written by make-data.mjs)
// Input: ULTRA prepared files, train.{feature,init_list,clicks} and test.{feature,init_list,labels}.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@unbiased/core';
import { ndcgAtK } from '@unbiased/metrics';
import { readUltra } from '@unbiased/ultr-data';
import { dlaLearner, linearRanker, naiveLearner } from '@unbiased/ultr-dla';

const dir = process.argv[2] === undefined ? fileURLToPath(new URL('./data', import.meta.url)) : resolve(process.argv[2]);
const path = (name) => join(dir, name);
const FEATURES = 8;
const LIST = 10;

/** Reads one split into dense arrays: features [Q, LIST, FEATURES], labels [Q, LIST] (lists padded, mask 0). */
async function readSplit(name, labelFile) {
  const reader = readUltra(
    { feature: path(`${name}.feature`), initList: path(`${name}.init_list`), labels: path(`${name}.${labelFile}`) },
    { numFeatures: FEATURES, maxListSize: LIST },
  );
  const features = [];
  const labels = [];
  const mask = [];
  for await (const query of reader) {
    const x = new Float32Array(LIST * FEATURES);
    x.set(query.features.values.subarray(0, query.size * FEATURES));
    features.push(x);
    labels.push(Float32Array.from({ length: LIST }, (_, i) => (i < query.size ? query.labels[i] : 0)));
    mask.push(Float32Array.from({ length: LIST }, (_, i) => (i < query.size ? 1 : 0)));
  }
  return { queries: features.length, features, labels, mask };
}

const concat = (rows) => {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
};

await useBackend('wasm'); // or 'cpu', 'webgpu'
const train = await readSplit('train', 'clicks');
const test = await readSplit('test', 'labels');
console.log(`read ${train.queries} training lists with clicks, ${test.queries} test lists with graded labels`);

const batch = {
  features: tf.tensor3d(concat(train.features), [train.queries, LIST, FEATURES]),
  clicks: tf.tensor2d(concat(train.labels), [train.queries, LIST]),
  mask: tf.tensor2d(concat(train.mask), [train.queries, LIST]),
};
const testFeatures = tf.tensor3d(concat(test.features), [test.queries, LIST, FEATURES]);

async function evaluate(ranker) {
  const scores = ranker.score(testFeatures);
  const all = await scores.data();
  scores.dispose();
  let sum = 0;
  for (let q = 0; q < test.queries; q++) {
    const n = test.mask[q].reduce((a, b) => a + b, 0);
    sum += ndcgAtK(all.subarray(q * LIST, q * LIST + n), test.labels[q].subarray(0, n), { k: 10 });
  }
  return sum / test.queries;
}

const results = {};
for (const [name, makeLearner] of [
  ['naive', (ranker) => naiveLearner({ ranker, listSize: LIST })],
  ['DLA', (ranker) => dlaLearner({ ranker, listSize: LIST })],
]) {
  const ranker = linearRanker({ featureDim: FEATURES });
  const learner = makeLearner(ranker);
  for (let step = 0; step < 300; step++) learner.step(batch); // full batch: the log is small
  await learner.flush();
  results[name] = await evaluate(ranker);
  if (name === 'DLA') console.log('DLA propensities p_i / p_1 by rank:', Array.from(await learner.propensities(), (p) => p.toFixed(2)).join(' '));
  learner.dispose();
  ranker.dispose();
}
console.log(`test nDCG@10: naive ${results.naive.toFixed(4)}, DLA ${results.DLA.toFixed(4)}`);
tf.dispose([batch.features, batch.clicks, batch.mask, testFeatures]);
