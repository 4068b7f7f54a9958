#!/usr/bin/env node
// unmixtns-noniid over more seeds (default 10: 0..9), Source / TBN / UnMix-TNS K=16, PyTorch and Glorot init;
// the experiment's own code path (runUnmixtnsNoniid), so seeds 0-2 repeat `reproduce unmixtns-noniid --scale full`.
//   pnpm --filter @unbiased/tta-unmixtns build && node packages/tta/unmixtns/scripts/noniid-seeds.mjs [seeds] [backend]
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { NONIID_SCALES, runUnmixtnsNoniid } from '../dist/index.js';

const seeds = Number(process.argv[2] ?? 10);
const backend = process.argv[3] ?? 'wasm';
await useBackend(backend);
await ensureGradients();
const full = NONIID_SCALES.full;
const result = await runUnmixtnsNoniid(
  { backend, seed: 0, scale: 'full', rng: Rng.fromSeed(0), progress: (f, s) => process.stderr.write(`${(100 * f).toFixed(0)}% ${s}\n`) },
  { ...full, seeds, methods: full.methods.filter((m) => ['Source', 'TBN', 'UnMix-TNS K=16'].includes(m.name)), inits: ['pytorch', 'glorot'] },
);
console.log(JSON.stringify({ metrics: result.metrics, claim: result.claim, table: result.table }, null, 1));
