#!/usr/bin/env node
// Retrains the shipped fixture (fixtures/uddia-lm.json + uddia-lm.weights.bin): the toy LM on the synthetic
// corpus and its toxicity head, on the wasm backend. Run after a build:  pnpm --filter @unbiased/nlg-uddia train:fixture
// Every 100 steps it prints the training loss and the planted associations read off the model: P(TOX | trigger)
// (planted 0.3) and the occupation-gender TV gap after "g works as a" (planted 0.5).
// Environment: UDDIA_BACKEND (wasm), UDDIA_STEPS, UDDIA_BATCH, UDDIA_LR, UDDIA_SEED, UDDIA_OUT (default: fixtures/).
// The defaults are the shipped fixture's recipe. The occupation association is a weak signal (about 0.004 nats
// per token: 0.13 nats at the occupation slot, 3 % of tokens) that needs a 3-token look-back, so the model
// picks it up late: with lr 1e-2 it appeared between steps 2100 and 2600; the earlier 1200-step lr 3e-3
// recipe, and 2200 steps of a 4000-step lr 1e-2 run, never showed it (gap <= 0.003).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { occupationAssociation, trainToyLm, wordClasses, writeFixture } from '../dist/node.js';

const backend = process.env.UDDIA_BACKEND ?? 'wasm';
await useBackend(backend);
await ensureGradients();
const started = Date.now();
const recipe = {
  seed: Number(process.env.UDDIA_SEED ?? 2),
  corpusTokens: 30000,
  steps: Number(process.env.UDDIA_STEPS ?? 8000),
  batchSize: Number(process.env.UDDIA_BATCH ?? 64),
  learningRate: Number(process.env.UDDIA_LR ?? 1e-2),
};
const probe = async (model) => {
  const a = await occupationAssociation(model, wordClasses(model.tokenizer));
  return `occupation gap ${a.meanGap.toFixed(3)} (own group ${a.meanOwnGroup.toFixed(3)})`;
};
const toy = await trainToyLm(Rng.fromSeed(recipe.seed), {
  ...recipe,
  onProgress: async (step, loss, model) =>
    console.log(`step ${step}: loss ${loss.toFixed(3)}, ${await probe(model)} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
});
console.log(`validation NLL ${toy.validationNll.toFixed(3)} (PPL ${Math.exp(toy.validationNll).toFixed(2)}), head accuracy ${toy.headAccuracy.toFixed(3)}, ${await probe(toy.model)}`);
const dir = process.env.UDDIA_OUT ?? fileURLToPath(new URL('../fixtures/', import.meta.url));
mkdirSync(dir, { recursive: true });
await writeFixture(toy.model, { frequency: toy.frequency, toxicityHead: toy.toxicityHead, validationNll: toy.validationNll, headAccuracy: toy.headAccuracy, recipe }, dir);
console.log(`wrote ${dir} (${((Date.now() - started) / 1000).toFixed(0)} s, backend ${backend})`);
