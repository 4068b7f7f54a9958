import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { TinyGpt, syntheticVocabulary } from '../dist/node.js';
await useBackend(process.env.B ?? 'wasm'); await ensureGradients();
const m = TinyGpt.create({ vocabulary: syntheticVocabulary() });
const x = tf.randomUniformInt([128, 9], 0, 120);
const vars = [...m.params.values()];
const info = await tf.profile(() => { const { value, grads } = tf.variableGrads(() => tf.sum(m.hidden(m.embed(x))), vars); return value; });
const agg = {};
for (const k of info.kernels) { const t = await k.kernelTimeMs; agg[k.name] = (agg[k.name] ?? 0) + (typeof t === 'number' ? t : 0); }
console.log(info.kernels.length, Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0,15));
