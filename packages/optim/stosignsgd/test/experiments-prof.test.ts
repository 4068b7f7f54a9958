import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { quantizeE4M3, useBackend } from '@unbiased/core';
import { beforeAll, it } from 'vitest';
beforeAll(async () => { await useBackend(process.env.BACKEND ?? 'cpu'); });
async function time(label: string, n: number, fn: () => tf.Tensor | tf.Tensor[]) {
  for (let i = 0; i < 20; i++) tf.dispose(fn());
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tf.dispose(fn());
  console.log('T', label, ((performance.now() - t0) / n).toFixed(3), 'ms');
}
it('prof', async () => {
  const h = tf.randomNormal([64, 64]);
  const c = tf.scalar(3);
  const b = tf.less(h, 0);
  for (let rep = 0; rep < 2; rep++) {
  await time('q e4m3 64x64', 100, () => quantizeE4M3(h));
  await time('abs', 300, () => tf.abs(h));
  await time('mul', 300, () => tf.mul(h, c));
  await time('add', 300, () => tf.add(h, c));
  await time('sub', 300, () => tf.sub(h, c));
  await time('less', 300, () => tf.less(h, c));
  await time('equal', 300, () => tf.equal(h, c));
  await time('isNaN', 300, () => tf.isNaN(h));
  await time('logicalOr', 300, () => tf.logicalOr(b, b));
  await time('where', 300, () => tf.where(b, h, h));
  await time('clip', 300, () => tf.clipByValue(h, -1, 1));
  await time('max', 300, () => tf.max(h));
  await time('scalar ops x7', 300, () => tf.tidy(() => { const a = tf.max(c); const s = tf.logicalAnd(tf.greaterEqual(a, tf.scalar(1)), tf.isFinite(a)); return tf.where(s, tf.div(tf.scalar(448), a), tf.scalar(1)); }));
  }
});
