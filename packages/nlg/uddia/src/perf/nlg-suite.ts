/**
 * Perf suite `nlg`: time per token (one step = one token, batch 1, so tokens/s = 1000 / median_ms) of base
 * decoding and of UDDIA decoding (Yang et al. 2023, ICLR) with T = 1, 2, 4 tuned blocks, on a randomly
 * initialised 4-block model of the toy's shape (the timings do not depend on the weights), all in one run. Each
 * UDDIA case reports its ratio to `base`, UDDIA's cost per token. The tiny model makes every kernel a launch
 * cost, so the times track the kernel count per token.
 */
import type { PerfCase, PerfSuite } from '@unbiased/core';
import { Rng } from '@unbiased/core';
import { TinyGpt } from '../model/tiny-gpt.js';
import { resolveUddiaOptions } from '../uddia/options.js';
import { sampleNucleus } from '../uddia/sampling.js';
import { padWindows, type UddiaSignals, uddiaStep } from '../uddia/step.js';
import { syntheticVocabulary } from '../vocabulary/vocabulary.js';

function decodingCase(name: string, topBlocks: number, learningRate: number): PerfCase {
  return {
    name,
    n: 1,
    baseline: name === 'base' ? null : 'base',
    stepsPerSample: 8,
    warmup: 8,
    async setup() {
      const model = TinyGpt.create({ vocabulary: syntheticVocabulary(), numBlocks: 4 }, Rng.fromSeed(1));
      const signals: UddiaSignals = { toxicityHead: { weights: Array.from(Rng.fromSeed(2).normal(model.hiddenSize)), bias: 0 } };
      const o = resolveUddiaOptions({ topBlocks, learningRate }, model.numBlocks);
      const rng = Rng.fromSeed(3);
      const context = [1, 5, 30, 12, 62];
      return {
        async step() {
          const out = await uddiaStep(model, padWindows([context], model.maxPositions - 1, model.padToken), signals, o, { scoreToxicity: false });
          context.push(sampleNucleus(out.probabilities, o.topP, rng));
          if (context.length > 64) context.splice(0, 32);
        },
        async fence() {},
        dispose() {
          model.dispose();
        },
      };
    },
  };
}

/** The `nlg` perf suite (registered by `@unbiased/nlg-uddia/register`). */
export const nlgPerfSuite: PerfSuite = {
  id: 'nlg',
  title: 'UDDIA decoding: ms per token (tokens/s = 1000 / ms) of base decoding and of UDDIA at T = 1, 2, 4 (batch 1, 4-block toy-shaped model)',
  packageName: '@unbiased/nlg-uddia',
  cases: () => [decodingCase('base', 0, 0), decodingCase('uddia-T1', 1, 0.06), decodingCase('uddia-T2', 2, 0.06), decodingCase('uddia-T4', 4, 0.06)],
};
