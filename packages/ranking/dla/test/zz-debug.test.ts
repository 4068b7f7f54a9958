import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { irwEstimator } from '../src/index.js';

it('prof', async () => {
  await useBackend('cpu');
  const lists = 20000;
  const est = irwEstimator({ listSize: 10 });
  const batch = { clicks: tf.tensor2d(Float32Array.from({ length: lists * 10 }, (_, k) => (k % 3 === 0 ? 1 : 0)), [lists, 10]), relevanceLogits: tf.randomNormal([lists, 10]) as tf.Tensor2D, listWeights: tf.ones([lists]) };
  est.step(batch);
  const info = await tf.profile(() => { est.step(batch); });
  const kernels = info.kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs), shape: JSON.stringify(k.inputShapes) })).sort((a, b) => b.ms - a.ms);
  let total = 0; for (const k of kernels) total += k.ms;
  console.log('total', total.toFixed(1), 'kernels', kernels.length);
  for (const k of kernels.slice(0, 15)) console.log(k.name, k.ms.toFixed(1), k.shape);
}, 100000);
