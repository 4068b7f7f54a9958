import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { TinyGpt, syntheticVocabulary } from '../dist/node.js';
await useBackend(process.env.B ?? 'wasm'); await ensureGradients();
const m = TinyGpt.create({ vocabulary: syntheticVocabulary() });
const bs = Number(process.env.BS ?? 128);
const x = tf.randomUniformInt([bs, 9], 0, 120);
const vars = [...m.params.values()];
for (const what of ['fwd', 'grad']) {
  const t = process.cpuUsage();
  for (let i = 0; i < 10; i++) {
    if (what === 'fwd') { const h = m.hidden(m.embed(x)); await h.data(); h.dispose(); }
    else { const { value, grads } = tf.variableGrads(() => tf.sum(m.hidden(m.embed(x))), vars); await value.data(); tf.dispose([value, ...Object.values(grads)]); }
  }
  const u = process.cpuUsage(t); console.log(what, bs, (u.user + u.system) / 1e4, 'ms cpu/iter');
}
