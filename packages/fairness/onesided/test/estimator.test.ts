import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { armLossesFromLabels, importanceWeightedArmLosses, classificationErrors, ContextSemiBanditFtpl, Exp2, geometricResamplingCounts, linearThresholdClass, angleGrid2d } from '../src/index.js';
import { expectClose } from './helpers.js';

const thresholds = [0.2, 0.5, 0.8];
const weights = angleGrid2d(3);
const policyClass = linearThresholdClass({ weights, thresholds });
/** Independent evaluation of the test class: index = angle·3 + threshold, then all-0, all-1. */
function decideReference(h: number, x: number[]): number {
  if (h === 9) return 0;
  if (h === 10) return 1;
  const w = weights[Math.floor(h / 3)]!;
  return w[0]! * x[0]! + w[1]! * x[1]! >= thresholds[h % 3]! ? 1 : 0;
}

const point = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }));

describe('the reduction identity', () => {
  it('Err(a) = Σ y + Σ a·(1 − 2y) exactly, for random actions and labels', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 20 }), (pairs) => {
        const action = pairs.map(([a]) => a);
        const labels = pairs.map(([, y]) => y);
        const ell = armLossesFromLabels(labels);
        const viaLosses = labels.reduce((s, y) => s + y, 0) + action.reduce((s, a, i) => s + a * ell[i]!, 0);
        expect(viaLosses).toBe(classificationErrors(action, labels));
      }),
    );
  });
});

/** Feeds `history` rounds to the learner so that its distribution is far from uniform. */
function trained(rounds: { x: number[][]; y: number[] }[], penalty: number, exploration: number): Exp2 {
  const learner = new Exp2({ policyClass, rng: Rng.fromSeed(3), eta: 0.7, exploration, penalty });
  for (const r of rounds) {
    const play = learner.act(r.x);
    learner.update(play, { labels: r.y.map((y, i) => (play.decisions[i] === 1 ? y : null)), flagged: r.x.length >= 2 ? [[0, 1]] : [] });
  }
  return learner;
}

const roundArb = fc.integer({ min: 1, max: 4 }).chain((k) =>
  fc.record({ x: fc.array(point, { minLength: k, maxLength: k }), y: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: k, maxLength: k }) }),
);

describe('Exp2 one-sided loss estimates are unbiased (exact expectation over the draw of h_t)', () => {
  it('E_{h~p_t}[ℓ̂_i] = 1 − 2y_i and E[L̂(h)] = Σ_i h(x^i)(1 − 2y_i) + F(h), in float64', () => {
    fc.assert(
      fc.property(fc.array(roundArb, { minLength: 0, maxLength: 6 }), roundArb, fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.constantFrom(0, 2), (history, round, exploration, penalty) => {
        const learner = trained(
          history.map((r) => ({ x: r.x.map((p) => [...p]), y: r.y })),
          penalty,
          exploration,
        );
        const contexts = round.x.map((p) => [...p]);
        const k = contexts.length;
        const p = learner.distribution();
        // π_i from the test's own evaluation of the class.
        const pi = contexts.map((x) => p.reduce((s, ph, h) => s + ph * decideReference(h, x), 0));
        const flagged: [number, number][] = k >= 2 ? [[0, 1]] : [];
        const expectedArm = new Array(k).fill(0);
        const expectedPolicy = new Array(policyClass.size).fill(0);
        for (let h = 0; h < policyClass.size; h++) {
          const play = learner.playWith(h, contexts);
          const revealed = round.y.map((y, i) => (decideReference(h, contexts[i]!) === 1 ? y : null));
          const estimate = learner.estimate(play, { labels: revealed, flagged });
          for (let g = 0; g < policyClass.size; g++) expectedPolicy[g] += p[h]! * estimate[g]!;
          // The implementation's per-arm estimate for this draw (unplayed arms' losses are unobserved: NaN).
          const observed = round.y.map((y, i) => (decideReference(h, contexts[i]!) === 1 ? 1 - 2 * y : Number.NaN));
          const armEstimate = importanceWeightedArmLosses(play.decisions, observed, play.probabilities);
          for (let i = 0; i < k; i++) {
            expectClose(play.probabilities[i]!, pi[i]!, 1e-12);
            expectedArm[i] += p[h]! * armEstimate[i]!;
          }
        }
        for (let i = 0; i < k; i++) expectClose(expectedArm[i], 1 - 2 * round.y[i]!, 1e-9);
        for (let g = 0; g < policyClass.size; g++) {
          let truth = 0;
          for (let i = 0; i < k; i++) truth += decideReference(g, contexts[i]!) * (1 - 2 * round.y[i]!);
          for (const [i, j] of flagged) truth += penalty * (decideReference(g, contexts[i]!) - decideReference(g, contexts[j]!));
          // |ℓ̂| <= |H|/γ_e: the tolerance scales with the largest importance weight.
          expectClose(expectedPolicy[g], truth, 1e-9 * (1 + policyClass.size / exploration));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('Exp2 distribution invariants', () => {
  it('sums to 1 and every p(h) >= γ_e/|H|, after arbitrary (even huge) cumulative losses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(point, { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 3 })), { maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        (rounds, exploration, eta) => {
          const learner = new Exp2({ policyClass, rng: Rng.fromSeed(1), eta, exploration });
          const check = () => {
            const p = learner.distribution();
            expectClose(
              p.reduce((a, b) => a + b, 0),
              1,
              1e-12,
            );
            for (const v of p) {
              expect(v).toBeGreaterThanOrEqual(exploration / policyClass.size);
              expect(Number.isFinite(v)).toBe(true);
            }
          };
          check();
          for (const [x, losses] of rounds) {
            const play = learner.act(x.map((q) => [...q]));
            // Losses enter only where played; skip rounds where a played arm has π = 0 (exploration 0).
            if ([...play.decisions].some((d, i) => d === 1 && !(play.probabilities[i]! > 0))) continue;
            learner.update(play, { losses });
            check();
          }
        },
      ),
    );
  });

  it('q_t ∝ exp(−η L̂) against a float64 softmax written here', () => {
    const learner = new Exp2({ policyClass, rng: Rng.fromSeed(5), eta: 0.3, exploration: 0.1 });
    const x = [
      [0.1, 0.9],
      [0.7, 0.2],
      [0.5, 0.5],
    ];
    for (let t = 0; t < 5; t++) {
      const play = learner.act(x);
      learner.update(play, { labels: [1, 0, 1].map((y, i) => (play.decisions[i] === 1 ? y : null)) });
    }
    const L = learner.cumulativeLosses();
    const z = [...L].map((l) => Math.exp(-0.3 * l));
    const total = z.reduce((a, b) => a + b, 0);
    const p = learner.distribution();
    z.forEach((w, h) => {
      expectClose(p[h]!, 0.9 * (w / total) + 0.1 / policyClass.size, 1e-12);
    });
  });
});

describe('geometric resampling (FTPL)', () => {
  it('E[K_i] = (1 − (1 − q_i)^M)/q_i for a known play distribution (Monte Carlo, 4-sd band)', () => {
    // Two arms; policies: 0 plays arm 0 only, 1 plays both, 2 plays none. p = (0.2, 0.1, 0.7): q_0 = 0.3, q_1 = 0.1.
    const actions = Uint8Array.of(1, 0, 1, 1, 0, 0);
    const p = [0.2, 0.1, 0.7];
    const rng = Rng.fromSeed(11);
    const draw = () => {
      const u = rng.next();
      return u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2;
    };
    const M = 25;
    const reps = 20_000;
    const sums = [0, 0];
    const squares = [0, 0];
    for (let r = 0; r < reps; r++) {
      const counts = geometricResamplingCounts(draw, actions, 2, [1, 1], M);
      for (let i = 0; i < 2; i++) {
        sums[i]! += counts[i]!;
        squares[i]! += counts[i]! ** 2;
      }
    }
    [0.3, 0.1].forEach((q, i) => {
      const expected = (1 - (1 - q) ** M) / q;
      const m = sums[i]! / reps;
      const sdOfMean = Math.sqrt((squares[i]! / reps - m * m) / reps);
      expect(Math.abs(m - expected)).toBeLessThan(4 * sdOfMean);
    });
    expect([...geometricResamplingCounts(draw, actions, 2, [0, 0], M)]).toEqual([0, 0]);
  });

  it('FTPL plays, estimates and learns: after feedback favouring all-1, all-1 becomes the leader', () => {
    const separator = Array.from({ length: 8 }, (_, j) => Rng.fromSeed(20 + j).uniform(2));
    const learner = new ContextSemiBanditFtpl({ policyClass, rng: Rng.fromSeed(2), separator, perturbationScale: 0.5, exploration: 0.05, maxResamples: 200, probabilitySamples: 32 });
    const x = [
      [0.05, 0.05],
      [0.1, 0.1],
    ];
    for (let t = 0; t < 200; t++) {
      const play = learner.act(x);
      learner.update(play, { labels: [1, 1].map((y, i) => (play.decisions[i] === 1 ? y : null)) });
    }
    const L = learner.cumulativeLosses();
    // Labels are all 1: ℓ = −1 on every played arm, so the policies playing both arms (incl. all-1, index 10) lead.
    expect(L[10]).toBe(Math.min(...L));
    expect(L[9]).toBe(0);
  });
});
