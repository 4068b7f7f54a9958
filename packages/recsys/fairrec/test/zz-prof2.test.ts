import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@unbiased/core';
import { it } from 'vitest';

it('prof2', async () => {
  await useBackend('cpu');
  const time = async (name: string, f: () => tf.Tensor) => {
    let best = 1e9;
    for (let i = 0; i < 5; i++) { const c0 = process.cpuUsage(); const r = f(); await r.data(); r.dispose(); best = Math.min(best, process.cpuUsage(c0).user / 1000); }
    console.log(name, best.toFixed(2));
  };
  const table = tf.randomNormal([400, 16]);
  const idx = tf.randomUniform([2560], 0, 400, 'int32');
  const mask = tf.randomNormal([128, 20]);
  await time('gather 2560x16', () => tf.gather(table, idx));
  await time('gather mask 2560x20', () => tf.gather(mask, tf.floorDiv(tf.range(0, 2560, 1, 'int32'), tf.scalar(20, 'int32'))));
  await time('matmul ones mask', () => tf.matMul(tf.ones([128, 20, 1]), tf.reshape(mask, [128, 1, 20])));
  await time('onehot matmul 2560x400x16', () => tf.matMul(tf.oneHot(idx, 400, 1, 0, 'float32'), table));
  await time('scatter 2560x16', () => tf.scatterND(tf.reshape(idx, [-1, 1]), tf.randomNormal([2560, 16]), [400, 16]));
  const x = tf.randomNormal([2560, 16]);
  const w = tf.randomNormal([16, 8]);
  await time('mm 2560x16x8', () => tf.matMul(x, w));
  await time('mm dW 16x2560x8 (tA)', () => tf.matMul(x, tf.randomNormal([2560, 8]), true, false));
  const q = tf.randomNormal([128, 20, 8]);
  await time('bmm scores 128x20x8x20', () => tf.matMul(q, q, false, true));
  const s = tf.randomNormal([128, 20, 20]);
  await time('bmm out 128x20x20x8', () => tf.matMul(s, q));
  await time('bmm grad tA', () => tf.matMul(s, q, true, false));
  await time('expand 2560x1x20', () => tf.matMul(tf.randomNormal([2560, 1]), tf.ones([1, 20])));
  await time('mul same 51k', () => tf.mul(s, s));
  await time('add bias 2560x16', () => tf.add(x, tf.randomNormal([16])));
  await time('sum axis1 2560x20', () => tf.sum(tf.reshape(s, [2560, 20]), 1));
  await time('exp 51k', () => tf.exp(s));
  await time('tanh 2560x16', () => tf.tanh(x));
  await time('reshape', () => tf.reshape(s, [2560, 20]));
  await time('scalar mul', () => tf.mul(s, tf.scalar(2)));
}, 600000);
