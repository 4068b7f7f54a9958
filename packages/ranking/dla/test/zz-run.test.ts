import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { getExperiment, Rng, type Scale, useBackend } from '@unbiased/core';
import { it } from 'vitest';
import '../src/register.js';

it('run', async () => {
  await useBackend('cpu');
  const scale = (process.env.SCALE ?? 'smoke') as Scale;
  for (const id of (process.env.IDS ?? 'dla-synthetic,dla-propensity-recovery').split(',')) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await getExperiment(id).run({ backend: 'cpu', seed: Number(process.env.SEED ?? 0), scale, rng: Rng.fromSeed(Number(process.env.SEED ?? 0)), progress: () => {} });
    const cpu = process.cpuUsage(cpu0);
    console.log(`== ${id} ${scale}: wall ${((performance.now() - t0) / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
    console.log(JSON.stringify(r.metrics));
    console.log(r.claim.holds, r.claim.text);
    console.log(JSON.stringify(r.table));
    for (const p of r.plots ?? []) if (p.id.startsWith('propens')) for (const s of p.series) console.log(s.name, s.y.map((v) => v.toFixed(3)).join(' '));
  }
}, 1_200_000);
