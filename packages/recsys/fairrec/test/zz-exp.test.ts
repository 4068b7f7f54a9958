import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { runSyntheticNews, SYNTHETIC_NEWS_SCALES } from '../src/experiments/synthetic-news.js';

it('exp', async () => {
  await useBackend('cpu');
  const scale = { ...SYNTHETIC_NEWS_SCALES[(process.env.SCALE ?? 'smoke') as 'smoke'], ...JSON.parse(process.env.OVR ?? '{}') };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const before = tf.memory().numTensors;
  const r = await runSyntheticNews({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(Number(process.env.SEED ?? 0)), progress: () => {} }, scale, JSON.parse(process.env.FR ?? '{}'));
  console.log('wall', ((performance.now() - t0) / 1000).toFixed(1), 'cpu', (process.cpuUsage(c0).user / 1e6).toFixed(1), 'leak', tf.memory().numTensors - before);
  console.log(JSON.stringify(scale), process.env.FR);
  console.log(r.claim.text, r.claim.holds);
  console.log(r.table!.columns.join(' | '));
  for (const row of r.table!.rows) console.log(row.map((v) => (typeof v === 'number' ? v.toFixed(3) : v)).join(' | '));
  for (const p of r.plots!) for (const s of p.series) console.log(p.id, s.name, s.y.map((v) => v.toFixed(3)).join(' '));
  console.log(JSON.stringify(r.metrics));
}, 3600_000);
