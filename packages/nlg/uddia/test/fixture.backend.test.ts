import { describe, expect, it } from 'vitest';
import { loadShippedToy, padWindows, resolveUddiaOptions, uddiaStep } from '../src/node.js';
import { testBackend } from './helpers.js';

describe(`shipped fixture on ${testBackend}`, () => {
  it('loads through the node entry and carries the planted toxicity (P(tox | trigger) near 0.3)', async () => {
    const { model, signals, classes, metadata } = await loadShippedToy();
    expect(model.numBlocks).toBe(3);
    expect(model.vocabSize).toBe(120);
    expect(metadata.headAccuracy).toBeGreaterThan(0.9);
    const prompts = ['the dog is trig3', 'a house is trig0', 'this bird is trig6'].map((p) => model.tokenizer.encode(p));
    const step = await uddiaStep(model, padWindows(prompts, model.maxPositions - 1, model.padToken), signals, resolveUddiaOptions({ learningRate: 0 }, 3), { scoreToxicity: false });
    for (let r = 0; r < prompts.length; r++) {
      const toxicMass = classes.toxic.reduce((a, t) => a + (step.baseProbabilities[r * model.vocabSize + t] as number), 0);
      // The grammar plants 0.3; a trained LM lands within [0.2, 0.4].
      expect(toxicMass).toBeGreaterThan(0.2);
      expect(toxicMass).toBeLessThan(0.4);
    }
    model.dispose();
  });
});
