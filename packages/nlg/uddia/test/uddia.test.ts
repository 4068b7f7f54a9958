import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  debiasCoefficients,
  debiasTrigger,
  femaleProbability,
  type GenderSignal,
  hellinger,
  sampleNucleus,
  sentence,
  syntheticCorpus,
  syntheticVocabulary,
  Tokenizer,
  wordClasses,
} from '../src/index.js';
import { occupationGap } from '../src/experiments/uddia-synthetic.js';
import { expectUnbiasedError } from './helpers.js';

const distribution = (n: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).filter((xs) => xs.reduce((a, b) => a + b, 0) > 1e-6).map((xs) => {
    const s = xs.reduce((a, b) => a + b, 0);
    return xs.map((x) => x / s);
  });

describe('Hellinger distance and the debias trigger', () => {
  it('Hel(p, p) = 0, Hel in [0, 1], symmetric, and 1 for disjoint supports', () => {
    fc.assert(
      fc.property(distribution(6), distribution(6), (p, q) => {
        expect(hellinger(p, p)).toBeLessThanOrEqual(1e-7);
        const h = hellinger(p, q);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(1);
        expect(Math.abs(h - hellinger(q, p))).toBeLessThanOrEqual(1e-15);
        // Float64 reference: Hel^2 = 1/2 sum (sqrt p - sqrt q)^2 for distributions.
        const half = 0.5 * p.reduce((a, pi, i) => a + (Math.sqrt(pi) - Math.sqrt(q[i] as number)) ** 2, 0);
        expect(Math.abs(h * h - half)).toBeLessThanOrEqual(1e-12);
      }),
    );
    expect(hellinger([0.5, 0.5, 0, 0], [0, 0, 0.25, 0.75])).toBe(1);
  });

  it('fires iff |Hel(p, q0) - Hel(p, q1)| > threshold (constructed groups)', () => {
    const q0 = [0.5, 0.5, 0, 0];
    const q1 = [0, 0, 0.5, 0.5];
    // p = q0: Hel(p, q0) = 0, Hel(p, q1) = 1 -> delta 1 > 0.1.
    expect(debiasTrigger(q0, q0, q1)).toEqual({ delta: 1, fires: true });
    // p symmetric between the groups: delta 0.
    expect(debiasTrigger([0.25, 0.25, 0.25, 0.25], q0, q1).fires).toBe(false);
    fc.assert(
      fc.property(distribution(4), fc.double({ min: 0, max: 1, noNaN: true }), (p, threshold) => {
        const bc = (q: number[]) => p.reduce((a, pi, i) => a + Math.sqrt(pi * (q[i] as number)), 0);
        const delta = Math.abs(Math.sqrt(Math.max(0, 1 - bc(q0))) - Math.sqrt(Math.max(0, 1 - bc(q1))));
        const out = debiasTrigger(p, q0, q1, threshold);
        expect(Math.abs(out.delta - delta)).toBeLessThanOrEqual(1e-12);
        if (Math.abs(delta - threshold) > 1e-9) expect(out.fires).toBe(delta > threshold);
      }),
    );
  });
});

describe('debias loss coefficients', () => {
  const signalOf = (embeddings: number[][], direction: number[]): GenderSignal => {
    const hidden = direction.length;
    const flat = Float64Array.from(embeddings.flat());
    const dir = Float64Array.from(direction);
    const pFemale = Float64Array.from(embeddings, (e) => femaleProbability(e, dir, 0.1));
    return { direction: dir, pFemale, groups: [new Float64Array(embeddings.length), new Float64Array(embeddings.length)], embeddings: flat, hidden, temperature: 0.1 };
  };

  it('c_x >= 0 (so L_b >= 0), and the MI term vanishes when p(a|x) = 1/2 with a neutral context', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 4, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 }), (embeddings, context) => {
        const c = debiasCoefficients(signalOf(embeddings, [1, 0, 0]), context);
        for (const x of c) expect(x).toBeGreaterThanOrEqual(0);
      }),
    );
    // Embeddings orthogonal to the direction: cos = 0, p(a|x) = 1/2 for every token and context -> c = 0.
    const c = debiasCoefficients(signalOf([[0, 1, 0], [0, 0, 2], [0, -1, 1]], [1, 0, 0]), [0, 1]);
    for (const x of c) expect(Math.abs(x)).toBeLessThanOrEqual(1e-12);
  });

  it('matches a float64 evaluation of KL(p(a|x,c) || p(a|x)) + 1/2 sum_a p(a|x) log 2p(a|x)', () => {
    const embeddings = [[0.3, 0.1, -0.2], [-0.5, 0.2, 0.4], [0.1, -0.3, 0.2]];
    const v = [0.6, 0.8, 0];
    const context = [1, 1];
    const pf = (e: number[]) => {
      const cos = (e[0] as number) * 0.6 + (e[1] as number) * 0.8;
      const n = Math.hypot(...e);
      const q = (1 + cos / n) / 2;
      const a = Math.exp((1 - q) / 0.1);
      const b = Math.exp(q / 0.1);
      return b / (a + b);
    };
    const got = debiasCoefficients(signalOf(embeddings, v), context);
    embeddings.forEach((e, x) => {
      const ec = e.map((ej, j) => (2 * (embeddings[1]?.[j] as number) + ej) / 3);
      const pc = pf(ec);
      const p = pf(e);
      const kl = pc * Math.log(pc / p) + (1 - pc) * Math.log((1 - pc) / (1 - p));
      const mi = 0.5 * (p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p)));
      expect(Math.abs((got[x] as number) - (kl + mi))).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe('nucleus sampling', () => {
  it('samples only inside the nucleus and reduces to argmax for a tiny top-p', () => {
    fc.assert(
      fc.property(distribution(8), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (p, topP, seed) => {
        const token = sampleNucleus(p, topP, Rng.fromSeed(seed));
        const order = p.map((_, i) => i).sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
        let mass = 0;
        const nucleus: number[] = [];
        for (const i of order) {
          nucleus.push(i);
          mass += p[i] as number;
          if (mass >= topP) break;
        }
        expect(nucleus).toContain(token);
        expect(sampleNucleus(p, 1e-9, Rng.fromSeed(seed))).toBe(order[0]);
      }),
    );
  });
});

describe('vocabulary, tokenizer, grammar', () => {
  const tokenizer = new Tokenizer(syntheticVocabulary());
  it('has 120 words and round-trips text', () => {
    expect(tokenizer.size).toBe(120);
    expect(tokenizer.decode(tokenizer.encode('  the dog is trig3 ')).split(' ')).toEqual(['the', 'dog', 'is', 'trig3']);
  });
  it('rejects empty prompts and unknown words with typed errors', () => {
    expectUnbiasedError(() => tokenizer.encode('   '), 'EMPTY_PROMPT', 'prompt');
    expectUnbiasedError(() => tokenizer.encode('the dragon'), 'UNKNOWN_TOKEN', 'prompt');
  });
  it('plants P(tox | trigger) = 0.3 and the 3:1 occupation association', () => {
    const c = wordClasses(tokenizer);
    const rng = Rng.fromSeed(7);
    let triggers = 0;
    let toxicAfter = 0;
    let own = 0;
    let occupations = 0;
    for (let i = 0; i < 20000; i++) {
      const s = sentence(rng, c);
      s.forEach((t, k) => {
        if (c.triggers.includes(t)) {
          triggers++;
          if (c.toxic.includes(s[k + 1] as number)) toxicAfter++;
        }
        const o = c.occupations.indexOf(t);
        if (o >= 0) {
          occupations++;
          if (c.male.includes(s[0] as number) === o < 6) own++;
        }
      });
    }
    // Binomial sd of the rates at these counts is below 0.01; 4 sd.
    expect(Math.abs(toxicAfter / triggers - 0.3)).toBeLessThan(0.04);
    expect(Math.abs(own / occupations - 0.75)).toBeLessThan(0.04);
    expect(syntheticCorpus(Rng.fromSeed(1), c, { tokens: 500 }).length).toBeGreaterThan(500);
  });
  it('occupation gap is the TV distance of the pooled histograms', () => {
    expect(occupationGap([{ male: [2, 0, 0], female: [0, 0, 4] }])).toBe(1);
    expect(occupationGap([{ male: [1, 1, 0], female: [0, 1, 1] }, { male: [1, 1, 0], female: [1, 1, 0] }])).toBeCloseTo(0.25, 15);
  });
});
