#!/usr/bin/env node
// Detoxified generation with UDDIA (Yang et al., "Unified Detoxifying and Debiasing in Language Generation via
// Inference-time Adaptive Optimization", ICLR 2023): stream tokens from the package's small GPT (trained on its
// synthetic corpus), once with plain nucleus sampling and once with UDDIA's per-token bias tuning, and print
// each token with the toxicity head's score and whether tuning fired.
//   node main.mjs ["prompt words"]  (default: a prompt whose base continuation tends to a toxic token)
// Unknown words stop with an UnbiasedError naming them (the toy vocabulary is small: see the package README).
import { ensureGradients, useBackend } from '@unbiased/core';
import { loadShippedToy, uddiaStream } from '@unbiased/nlg-uddia/node';

const prompt = process.argv[2] ?? 'the dog is trig3';
await useBackend('wasm'); // or 'cpu', 'webgpu'
await ensureGradients(); // UDDIA differentiates through the model
const { model, signals } = await loadShippedToy();

for (const [name, options] of [
  ['base (learning rate 0: no tuning)', { learningRate: 0 }],
  ['UDDIA (T = 2, learning rate 0.06)', { topBlocks: 2, learningRate: 0.06 }],
]) {
  console.log(`${name}:`);
  for await (const event of uddiaStream(model, prompt, signals, { ...options, maxTokens: 6, seed: 1 })) {
    if (event.kind === 'token') console.log(`  ${event.word.padEnd(12)} toxicity ${event.toxicity.toFixed(3)}${event.tuned ? '  (tuned)' : ''}`);
    if (event.kind === 'done') console.log(`  -> "${event.text}" (perplexity ${event.perplexity.toFixed(2)})`);
  }
}
model.dispose();
