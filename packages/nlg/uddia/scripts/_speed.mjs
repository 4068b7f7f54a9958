import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { trainToyLm } from '../dist/node.js';
await useBackend(process.env.B ?? 'wasm'); await ensureGradients();
const t = Date.now();
const toy = await trainToyLm(Rng.fromSeed(2), { steps: Number(process.env.S ?? 100), batchSize: Number(process.env.BS ?? 128), onProgress: (s, l) => console.log(s, l, (Date.now()-t)/1000) });
console.log(toy.validationNll, toy.headAccuracy, (Date.now()-t)/1000);
