#!/usr/bin/env node
// Writes data/units.csv: an observational study where the outcome y is known only for a small labeled
// subset (y empty elsewhere) and a model's prediction y_hat is available for every unit. The model shrinks
// towards the mean (y_hat = 0.3 + 0.6 y + noise), which attenuates a naive effect estimated from predictions.
// Columns: treatment (0/1), propensity P(T=1|X), y_hat, y. True effect: 2. Deterministic: node make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '@unbiased/core';

const rng = Rng.fromSeed(11);
const N = 3000;
const LABELED = 300;
const rows = ['treatment,propensity,y_hat,y'];
for (let i = 0; i < N; i++) {
  const confounder = rng.normal(1)[0];
  const propensity = 1 / (1 + Math.exp(-0.8 * confounder));
  const treatment = rng.next() < propensity ? 1 : 0;
  const y = 2 * treatment + confounder + rng.normal(1)[0];
  const yHat = 0.3 + 0.6 * y + 0.4 * rng.normal(1)[0];
  rows.push(`${treatment},${propensity.toFixed(5)},${yHat.toFixed(5)},${i < LABELED ? y.toFixed(5) : ''}`);
}
mkdirSync(new URL('./data/', import.meta.url), { recursive: true });
writeFileSync(new URL('./data/units.csv', import.meta.url), `${rows.join('\n')}\n`);
