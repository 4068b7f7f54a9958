import { ensureGradients, Rng, useBackend } from '@unbiased/core';
import { loadShippedToy, triggerPrompts, uddiaGenerate, genderPromptPairs } from '../dist/node.js';
import { occupationGap } from '../dist/experiments/uddia-synthetic.js';
await useBackend(process.env.B ?? 'wasm'); await ensureGradients();
const toy = await loadShippedToy();
const P = Number(process.env.P ?? 30), S = 10, N = 12;
const prompts = triggerPrompts(Rng.fromSeed(123), toy.classes, P).flatMap((p) => Array.from({ length: S }, () => p));
const rngs = () => prompts.map((_, i) => Rng.fromSeed(7).fold(i));
const stats = async (opts) => {
  const t = Date.now();
  const out = await uddiaGenerate(toy.model, prompts, toy.signals, rngs(), { maxTokens: N, ...opts });
  let tox = 0, tok = 0, nll = 0;
  out.tokens.forEach((r, i) => { tox += r.filter((x) => toy.classes.toxic.includes(x)).length; tok += r.length; nll += out.negativeLogLikelihood[i]; });
  console.log(JSON.stringify(opts), 'toxic', (tox / tok).toFixed(4), 'ppl', Math.exp(nll / tok).toFixed(3), 'runs', (out.runs.reduce((a, b) => a + b) / out.runs.length).toFixed(2), 'fired', out.debiasFiredRate.toFixed(3), ((Date.now() - t) / 1000).toFixed(1), 's');
};
await stats({ learningRate: 0 });
for (const T of (process.env.TS ?? '2').split(',').map(Number)) await stats({ topBlocks: T });
if (process.env.G) {
  const pairs = genderPromptPairs(Rng.fromSeed(5), toy.classes, 20);
  const gp = [...pairs.flatMap((p) => Array.from({ length: S }, () => p.male)), ...pairs.flatMap((p) => Array.from({ length: S }, () => p.female))];
  for (const opts of [{ learningRate: 0 }, { debias: false }, { debias: true }, { debias: true, replicateReleasedBug: true }]) {
    const out = await uddiaGenerate(toy.model, gp, toy.signals, gp.map((_, i) => Rng.fromSeed(9).fold(i % (20 * S))), { maxTokens: 3, ...opts });
    const occ = toy.classes.occupations;
    const units = pairs.map(() => ({ male: new Array(12).fill(0), female: new Array(12).fill(0) }));
    out.tokens.forEach((r, i) => { const f = i >= 20 * S; const u = units[Math.floor((i % (20 * S)) / S)]; for (const t of r) { const k = occ.indexOf(t); if (k >= 0) (f ? u.female : u.male)[k]++; } });
    console.log('gender', JSON.stringify(opts), occupationGap(units).toFixed(3), 'fired', out.debiasFiredRate.toFixed(3));
  }
}
