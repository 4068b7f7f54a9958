import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { loadShippedToy, uddiaStep, padWindows, resolveUddiaOptions } from '../dist/node.js';
await useBackend('wasm'); await ensureGradients();
const toy = await loadShippedToy();
const o = resolveUddiaOptions({ learningRate: 0 }, 3);
for (const text of ['he works as a', 'she works as a', 'the dog is trig3', 'king works as a', 'queen works as a']) {
  const w = padWindows([toy.model.tokenizer.encode(text)], 6, 0);
  const s = await uddiaStep(toy.model, w, toy.signals, o);
  const p = s.probabilities;
  const occ = toy.classes.occupations.map((t) => p[t].toFixed(3));
  const top = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, 5).map((t) => `${toy.model.tokenizer.word(t)}:${p[t].toFixed(2)}`);
  console.log(text, '| occ', occ.join(' '), '| top', top.join(' '), '| tox', toy.classes.toxic.reduce((a, t) => a + p[t], 0).toFixed(3));
}
console.log('pFemale occ', toy.classes.occupations.map((t) => toy.signals.gender.pFemale[t].toFixed(2)).join(' '));
console.log('pFemale male words', toy.classes.male.map((t) => toy.signals.gender.pFemale[t].toFixed(2)).join(' '), 'female', toy.classes.female.map((t) => toy.signals.gender.pFemale[t].toFixed(2)).join(' '));
