import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/base_side_effects';
import * as tf from '@tensorflow/tfjs-core';
import { chain, Rng, scaleByAdam, scaleByLearningRate, TransformOptimizer, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { allPairs, generateMnarToy, MatrixFactorization, mfLossAndGradients, naive, uploadBatch } from '../src/index.js';

it('prof', async () => {
  await useBackend(process.env.BK ?? 'cpu');
  const rng = Rng.fromSeed(0);
  const data = generateMnarToy(rng.fold('data'));
  const { users, items } = allPairs(data.numUsers, data.numItems);
  const model = new MatrixFactorization({ numUsers: data.numUsers, numItems: data.numItems, dim: 10, rng: rng.fold('m') });
  const batch = uploadBatch(model, users, items, naive().weights(Float32Array.from(data.clicks)));
  const opt = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.05)), { nonFinite: 'off' });
  for (const impl of ['fused', 'fused', 'reference'] as const) {
    let t0 = performance.now();
    for (let s = 0; s < 20; s++) { const { loss, grads } = mfLossAndGradients(model, batch, { impl }); tf.dispose([loss, ...Object.values(grads)]); }
    await (tf.zeros([1])).data();
    const tg = (performance.now() - t0) / 20;
    t0 = performance.now();
    for (let s = 0; s < 20; s++) { const { loss, grads } = mfLossAndGradients(model, batch, { impl }); opt.applyGradients(grads); tf.dispose([loss, ...Object.values(grads)]); }
    const l = mfLossAndGradients(model, batch, { impl }); await l.loss.data();
    console.log(impl, 'grad ms', tg.toFixed(2), 'grad+adam ms', ((performance.now() - t0) / 20).toFixed(2));
  }
}, 600000);
