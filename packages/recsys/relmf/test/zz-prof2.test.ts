import * as tf from '@tensorflow/tfjs-core';
import { Rng, scaleByLearningRate, TransformOptimizer, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { MatrixFactorization, mfLossAndGradients, naive, uploadBatch } from '../src/index.js';

it('prof', async () => {
  const backend = process.env.BK ?? 'wasm';
  await useBackend(backend);
  const U = 943, I = 1682, d = 10, B = 4096;
  const model = new MatrixFactorization({ numUsers: U, numItems: I, dim: d, rng: Rng.fromSeed(0) });
  const rng = Rng.fromSeed(1);
  const users = Int32Array.from(rng.uniform(B), (x) => Math.floor(x * U));
  const items = Int32Array.from(rng.uniform(B), (x) => Math.floor(x * I));
  const labels = Float32Array.from(rng.uniform(B), (x) => (x < 0.05 ? 1 : 0));
  const opt = new TransformOptimizer(scaleByLearningRate(0.05), { nonFinite: 'off' });
  const N = 300;
  const fence = async () => { const p = tf.slice(model.globalBias!, 0, 1); await p.data(); p.dispose(); };
  for (let rep = 0; rep < 3; rep++) {
    let t0 = performance.now();
    for (let s = 0; s < N; s++) naive().weights(labels);
    const tw = (performance.now() - t0) / N;
    const w = naive().weights(labels);
    t0 = performance.now();
    for (let s = 0; s < N; s++) uploadBatch(model, users, items, w).dispose();
    const tu = (performance.now() - t0) / N;
    const batch = uploadBatch(model, users, items, w);
    t0 = performance.now();
    for (let s = 0; s < N; s++) { const { loss, grads } = mfLossAndGradients(model, batch); tf.dispose([loss, ...Object.values(grads)]); }
    await fence();
    const tk = (performance.now() - t0) / N;
    const { loss, grads } = mfLossAndGradients(model, batch);
    t0 = performance.now();
    for (let s = 0; s < N; s++) opt.applyGradients(grads);
    await fence();
    const to = (performance.now() - t0) / N;
    tf.dispose([loss, ...Object.values(grads)]); batch.dispose();
    console.log(`PROF ${backend} weights ${(tw*1000).toFixed(0)}us upload ${(tu*1000).toFixed(0)}us kernel ${(tk*1000).toFixed(0)}us optimizer(SGD) ${(to*1000).toFixed(0)}us`);
  }
}, 600_000);
