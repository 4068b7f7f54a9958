#!/usr/bin/env node
// Retrains the shipped fixture (fixtures/uddia-lm.json + uddia-lm.weights.bin): the toy LM on the synthetic
// corpus and its toxicity head, on the wasm backend. Run after a build:  pnpm --filter @unbiased/nlg-uddia train:fixture
import { fileURLToPath } from 'node:url';
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { trainToyLm, writeFixture } from '../dist/node.js';

const backend = process.env.UDDIA_BACKEND ?? 'wasm';
const steps = Number(process.env.UDDIA_STEPS ?? 1200);
await useBackend(backend);
await ensureGradients();
const started = Date.now();
const recipe = { seed: 2, corpusTokens: 30000, steps, batchSize: 64, learningRate: 3e-3 };
const toy = await trainToyLm(Rng.fromSeed(recipe.seed), {
  ...recipe,
  onProgress: (step, loss) => console.log(`step ${step}: loss ${loss.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
});
console.log(`validation NLL ${toy.validationNll.toFixed(3)} (PPL ${Math.exp(toy.validationNll).toFixed(2)}), head accuracy ${toy.headAccuracy.toFixed(3)}`);
const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
await writeFixture(toy.model, { frequency: toy.frequency, toxicityHead: toy.toxicityHead, validationNll: toy.validationNll, headAccuracy: toy.headAccuracy, recipe }, dir);
console.log(`wrote ${dir} (${((Date.now() - started) / 1000).toFixed(0)} s, backend ${backend})`);
