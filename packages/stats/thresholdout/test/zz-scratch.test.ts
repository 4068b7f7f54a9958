import { Rng } from '@unbiased/core';
import { it } from 'vitest';
import { adaptiveAttackExperiment } from '/work/main/packages/stats/thresholdout/src/index.js';

it('run', async () => {
  const scale = (process.env.SCALE ?? 'smoke') as 'smoke' | 'full';
  const seeds = (process.env.SEEDS ?? '0').split(',').map(Number);
  for (const seed of seeds) {
    const t = performance.now();
    const r = await adaptiveAttackExperiment.run({ backend: 'cpu', seed, scale, rng: Rng.fromSeed(seed), progress: () => {} });
    console.log(seed, scale, ((performance.now() - t) / 1000).toFixed(2), 's', r.claim.holds, r.claim.text);
    if (process.env.VERBOSE) { console.table(r.table!.rows); console.log(r.metrics); }
  }
}, 600000);
