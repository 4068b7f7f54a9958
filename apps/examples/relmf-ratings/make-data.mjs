#!/usr/bin/env node
// Writes data/ratings.tsv: a small MovieLens-100K-format file (user<TAB>item<TAB>rating<TAB>timestamp, ids 1-based)
// with missing-not-at-random exposure: popular items are rated far more often (as in real logs).
// Run again to regenerate (deterministic): node make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '@unbiased/core';

const USERS = 300;
const ITEMS = 150;
const DIM = 4;
const rng = Rng.fromSeed(7);
const userFactors = Array.from({ length: USERS }, () => Array.from(rng.normal(DIM)));
const itemFactors = Array.from({ length: ITEMS }, () => Array.from(rng.normal(DIM)));
// Exposure falls with the item's popularity rank (a power law), independent of the user's taste.
const exposure = Array.from({ length: ITEMS }, (_, i) => Math.min(1, 0.6 * (1 / (1 + i)) ** 0.6));
const lines = [];
for (let u = 0; u < USERS; u++) {
  for (let i = 0; i < ITEMS; i++) {
    if (rng.next() >= exposure[i]) continue;
    const affinity = userFactors[u].reduce((s, v, d) => s + v * itemFactors[i][d], 0) / Math.sqrt(DIM);
    const rating = Math.max(1, Math.min(5, Math.round(3 + 1.2 * affinity + 0.5 * rng.normal(1)[0])));
    lines.push(`${u + 1}\t${i + 1}\t${rating}\t${881250949 + lines.length}`);
  }
}
mkdirSync(new URL('./data/', import.meta.url), { recursive: true });
writeFileSync(new URL('./data/ratings.tsv', import.meta.url), `${lines.join('\n')}\n`);
console.log(`${lines.length} ratings`);
