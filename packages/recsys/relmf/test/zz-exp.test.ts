import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { RELMF_MNAR_CONFIGS, runRelMfMnar } from '../src/index.js';

it('exp', async () => {
  await useBackend(process.env.BK ?? 'cpu');
  const scale = (process.env.SCALE ?? 'smoke') as 'smoke' | 'full';
  const seed = Number(process.env.SEED ?? 0);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const config = { ...RELMF_MNAR_CONFIGS[scale], ...(process.env.SEEDS ? { seeds: Number(process.env.SEEDS) } : {}), ...(process.env.STEPS ? { steps: Number(process.env.STEPS) } : {}), toy: process.env.USERS ? { numUsers: Number(process.env.USERS) } : {} };
  const r = await runRelMfMnar({ backend: 'cpu', seed, scale, rng: Rng.fromSeed(seed), progress: () => {} }, config);
  const cu = process.cpuUsage(c0);
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (cu.user + cu.system) / 1e6, claim: r.claim, table: r.table, metrics: r.metrics }, null, 1));
}, 1_200_000);
