import { writeFileSync } from 'node:fs';
import { ensureGradients, getExperiment, Rng, useBackend } from '@unbiased/core';
import '../dist/register.js';
const backend = process.env.B ?? 'wasm';
await useBackend(backend); await ensureGradients();
const t = Date.now();
const result = await getExperiment('uddia-synthetic').run({ backend, seed: 0, scale: process.env.SCALE ?? 'full', rng: Rng.fromSeed(0), progress: (f, s) => console.error(`${(100 * f).toFixed(0)}% ${s} ${((Date.now() - t) / 1000).toFixed(0)} s`) });
writeFileSync(process.env.OUT ?? '/tmp/uddia-full-direct.json', JSON.stringify({ backend, seconds: (Date.now() - t) / 1000, ...result }, null, 1));
console.error('done', (Date.now() - t) / 1000);
