import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { beforeAll, it } from 'vitest';
import { stoSignExperiments } from '../src/experiments/index.js';

const ids = (process.env.EXP ?? '').split(',').filter(Boolean);
const scale = (process.env.SCALE ?? 'smoke') as 'smoke' | 'full';
beforeAll(async () => { await useBackend(process.env.BACKEND ?? 'cpu'); });
for (const e of stoSignExperiments) {
  if (ids.length && !ids.includes(e.id)) continue;
  it(e.id, async () => {
    const t0 = performance.now();
    const before = tf.memory().numTensors;
    const r = await e.run({ backend: tf.getBackend(), seed: 0, scale, rng: Rng.fromSeed(0), progress: () => {} });
    console.log(e.id, scale, ((performance.now() - t0) / 1000).toFixed(1), 's', 'leak', tf.memory().numTensors - before);
    console.log(JSON.stringify(r.metrics, null, 1));
    console.log(r.claim);
    console.table(r.table?.rows);
  }, 600_000);
}
