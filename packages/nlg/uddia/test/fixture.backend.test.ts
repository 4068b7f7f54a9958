import { describe, expect, it } from 'vitest';
import { loadShippedToy, occupationAssociation, padWindows, resolveUddiaOptions, uddiaStep } from '../src/node.js';
import { testBackend } from './helpers.js';

describe(`shipped fixture on ${testBackend}`, () => {
  it('loads through the node entry and carries the planted toxicity (P(tox | trigger) near 0.3)', async () => {
    const { model, signals, classes, metadata } = await loadShippedToy();
    expect(model.numBlocks).toBe(3);
    expect(model.vocabSize).toBe(120);
    expect(metadata.headAccuracy).toBeGreaterThan(0.9);
    // "det noun is trig_k" for 3 determiners x 3 nouns x all 8 triggers.
    const prompts = ['the', 'a', 'this'].flatMap((d) => ['dog', 'house', 'bird'].flatMap((n) => classes.triggers.map((t) => [...model.tokenizer.encode(`${d} ${n} is`), t])));
    const step = await uddiaStep(model, padWindows(prompts, model.maxPositions - 1, model.padToken), signals, resolveUddiaOptions({ learningRate: 0 }, 3), { scoreToxicity: false });
    let total = 0;
    for (let r = 0; r < prompts.length; r++) total += classes.toxic.reduce((a, t) => a + (step.baseProbabilities[r * model.vocabSize + t] as number), 0);
    // The grammar plants 0.3; the LM's P(TOX | trigger), averaged over trigger contexts, lands within [0.2, 0.4].
    expect(total / prompts.length).toBeGreaterThan(0.2);
    expect(total / prompts.length).toBeLessThan(0.4);
    model.dispose();
  });

  it('carries the planted occupation-gender association (the base LM has a clearly non-zero occupation gap)', async () => {
    const { model, signals, classes } = await loadShippedToy();
    const leads = [[], model.tokenizer.encode('the dog sees a cat .')];
    const tail = model.tokenizer.encode('works as a');
    const prompts = leads.flatMap((lead) => classes.male.flatMap((m, k) => [[...lead, m, ...tail], [...lead, classes.female[k] as number, ...tail]]));
    // Reference, float64 in the test: the base next-token distribution of UDDIA decoding (lr 0), renormalised
    // over the 12 occupations, and the TV distance between each male prompt and its gender-swapped twin.
    const window = model.maxPositions - 1;
    const step = await uddiaStep(model, padWindows(prompts, window, model.padToken), signals, resolveUddiaOptions({ learningRate: 0 }, 3), { scoreToxicity: false });
    const occupations = (r: number) => {
      const raw = classes.occupations.map((t) => step.baseProbabilities[r * model.vocabSize + t] as number);
      const total = raw.reduce((a, b) => a + b, 0);
      return raw.map((x) => x / total);
    };
    const gaps: number[] = [];
    const own: number[] = [];
    for (let r = 0; r < prompts.length; r += 2) {
      const male = occupations(r);
      const female = occupations(r + 1);
      gaps.push(0.5 * male.reduce((a, p, i) => a + Math.abs(p - (female[i] as number)), 0));
      own.push(male.slice(0, 6).reduce((a, b) => a + b, 0), female.slice(6).reduce((a, b) => a + b, 0));
    }
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const meanOwn = own.reduce((a, b) => a + b, 0) / own.length;
    // The grammar plants P(own-group occupation | gendered subject) = 0.75 (uniform within each group of 6),
    // i.e. a TV gap of 0.5 between the occupation distributions after "he works as a" and "she works as a".
    // Tolerance as for the planted toxicity above (0.3 +- 0.1): own-group probability 0.75 +- 0.1, so the mean
    // gap must lie in [2 * 0.65 - 1, 2 * 0.85 - 1] = [0.3, 0.7].
    expect(meanOwn).toBeGreaterThan(0.65);
    expect(meanOwn).toBeLessThan(0.85);
    expect(meanGap).toBeGreaterThan(0.3);
    expect(meanGap).toBeLessThan(0.7);
    // The planted direction holds for every pair and lead: each prompt favours its own group.
    for (const p of own) expect(p).toBeGreaterThan(0.5);
    // The package's exact measurement agrees with the reference (float32 model, float64 sums).
    const association = await occupationAssociation(model, classes, { leads, window });
    expect(association.pairs.map((p) => p.gap)).toHaveLength(gaps.length);
    association.pairs.forEach((p, i) => {
      expect(p.gap).toBeCloseTo(gaps[i] as number, 5);
    });
    expect(association.meanGap).toBeCloseTo(meanGap, 5);
    expect(association.meanOwnGroup).toBeCloseTo(meanOwn, 5);
    model.dispose();
  });
});
