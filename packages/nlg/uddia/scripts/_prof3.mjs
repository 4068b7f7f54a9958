import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { TinyGpt, syntheticVocabulary, uddiaStep, resolveUddiaOptions, padWindows } from '../dist/node.js';
await useBackend('wasm'); await ensureGradients();
const model = TinyGpt.create({ vocabulary: syntheticVocabulary(), numBlocks: 4 }, Rng.fromSeed(1));
const signals = { toxicityHead: { weights: Array.from(Rng.fromSeed(2).normal(32)), bias: 0 } };
const w = padWindows([[1, 5, 30, 12, 62]], 6, 0);
for (const lr of [0, 0.06]) {
  const o = resolveUddiaOptions({ topBlocks: 2, learningRate: lr }, 4);
  for (let i = 0; i < 3; i++) await uddiaStep(model, w, signals, o, { scoreToxicity: false });
  let t = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < 10; i++) await uddiaStep(model, w, signals, o, { scoreToxicity: false });
  const c = process.cpuUsage(c0);
  const info = await tf.profile(() => uddiaStep(model, w, signals, o, { scoreToxicity: false }));
  const agg = {};
  for (const k of info.kernels) agg[k.name] = (agg[k.name] ?? 0) + 1;
  console.log('lr', lr, 'cpu ms/step', (c.user + c.system) / 1e4, 'wall', (performance.now() - t) / 10, 'kernels', info.kernels.length, Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}:${v}`).join(' '));
}
