import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { Rng, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { PROPENSITY_RECOVERY_SCALES, runPropensityRecovery } from '../src/index.js';

it('seeds', async () => {
  await useBackend('cpu');
  const steps = Number(process.env.DSTEPS ?? 600);
  const plr = Number(process.env.PLR ?? 0.2);
  for (const seed of [0, 1, 2, 3, 4, 5]) {
    const cfg = { ...PROPENSITY_RECOVERY_SCALES.smoke, etas: [1], irwSteps: 5, dlaSteps: steps, dlaPropensityLearningRate: plr };
    const r = await runPropensityRecovery({ backend: 'cpu', seed, scale: 'smoke', rng: Rng.fromSeed(seed), progress: () => {} }, cfg);
    const s = r.plots?.[0]?.series.find((x) => x.name.startsWith('DLA'));
    console.log('seed', seed, 'eta', (r.metrics.dla_eta_hat_1 as number).toFixed(3), 'mono', r.metrics.dla_monotone_1, s?.y.map((v) => v.toFixed(3)).join(' '));
  }
}, 1_200_000);
