import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import {
  AuditorPanel,
  bestFairPolicyInHindsight,
  gammaFrontier,
  type LinearConstraint,
  type OneSidedRound,
  panelExampleClass,
  panelExamplePanel,
  panelExampleRounds,
  type PolicyClass,
  scaledAuditor,
  solveLinearProgram,
} from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

/** Two policies: h0 = all-0, h1 = 1[x1 >= 0.5]. */
const twoPolicies: PolicyClass = {
  size: 2,
  dimension: 1,
  name: (h) => (h === 0 ? 'all-0' : 'x >= 0.5'),
  decide: (h, x) => (h === 1 && (x[0] as number) >= 0.5 ? 1 : 0),
};

describe('bestFairPolicyInHindsight vs hand-computed optima', () => {
  it('one round, x = (0.6, 0.4), y = (1, 0), d = |Δx| = 0.2, α = 0.1: w(h1) <= 0.3, so w = (0.7, 0.3), 0.7 mistakes', () => {
    // Err(h0) = 1, Err(h1) = 0; the only non-vacuous row is w1·(1 − 0) <= 0.2 + 0.1.
    const rounds: OneSidedRound[] = [{ contexts: [[0.6], [0.4]], labels: [1, 0] }];
    const panel = new AuditorPanel({ auditors: [scaledAuditor(1)], gamma: 1, alpha: 0.1 });
    const best = bestFairPolicyInHindsight({ policyClass: twoPolicies, rounds, panel });
    expectClose(best.weights[0]!, 0.7, 1e-12);
    expectClose(best.weights[1]!, 0.3, 1e-12);
    expectClose(best.totalErrors, 0.7, 1e-12);
    expectClose(best.errorRate, 0.35, 1e-12);
    expect(best.unconstrainedErrors).toBe(0);
    expect(best.distinctConstraints).toBe(1);
  });

  it('two rounds with merged rows keep the tightest bound; a panel of 3 at γ = 2/3 uses the 2nd smallest distance', () => {
    // Auditor scales 0.5, 1, 4 on |Δx| = 0.2 in round 1 and 0.4 in round 2: distances (0.1, 0.2, 0.8) and (0.2, 0.4, 1.6);
    // r = 2 -> bounds 0.2 + α and 0.4 + α with α = 0.05: the same row (h1 splits both pairs), tightest bound 0.25.
    const rounds: OneSidedRound[] = [
      { contexts: [[0.6], [0.4]], labels: [1, 0] },
      { contexts: [[0.7], [0.3]], labels: [1, 0] },
    ];
    const panel = new AuditorPanel({ auditors: [scaledAuditor(0.5), scaledAuditor(1), scaledAuditor(4)], gamma: 2 / 3, alpha: 0.05 });
    const best = bestFairPolicyInHindsight({ policyClass: twoPolicies, rounds, panel });
    expect(best.distinctConstraints).toBe(1);
    expectClose(best.weights[1]!, 0.25, 1e-12);
    expectClose(best.totalErrors, 0.75 * 2, 1e-12);
  });

  it('on the example problem: equals the LP with every constraint written out (no constraint generation), and the mixture is fair', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(4), { rounds: 40 });
    const panel = panelExamplePanel(Rng.fromSeed(5));
    const best = bestFairPolicyInHindsight({ policyClass, rounds, panel, batch: 3 });
    // Full LP, every ordered pair of every round, straight from the definition.
    const n = policyClass.size;
    const errors = new Array(n).fill(0);
    const constraints: LinearConstraint[] = [{ coefficients: new Array(n).fill(1), relation: '=', rhs: 1 }];
    for (const round of rounds) {
      const bounds = panel.bounds(round.contexts);
      let p = 0;
      for (let i = 0; i < 3; i++) {
        for (let h = 0; h < n; h++) errors[h] += policyClass.decide(h, round.contexts[i]!) === round.labels[i] ? 0 : 1;
        for (let j = 0; j < 3; j++) {
          if (i === j) continue;
          const coefficients = Array.from({ length: n }, (_, h) => policyClass.decide(h, round.contexts[i]!) - policyClass.decide(h, round.contexts[j]!));
          constraints.push({ coefficients, relation: '<=', rhs: bounds[p++]! });
        }
      }
    }
    const full = solveLinearProgram({ objective: errors, constraints });
    expect(full.status).toBe('optimal');
    expectClose(best.totalErrors, full.value, 1e-9);
    expect(best.iterations).toBeGreaterThan(1);
    for (const c of constraints.slice(1)) {
      const lhs = Array.from(c.coefficients).reduce((s, v, h) => s + v * best.weights[h]!, 0);
      expect(lhs).toBeLessThanOrEqual(c.rhs + 1e-9);
    }
    expectClose(
      best.weights.reduce((a, b) => a + b, 0),
      1,
      1e-12,
    );
  });
});

describe('gammaFrontier', () => {
  it('the best fair error is non-increasing in γ and the unconstrained error is a lower bound', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(8), { rounds: 60 });
    const panel = panelExamplePanel(Rng.fromSeed(9));
    const points = gammaFrontier({ policyClass, rounds, panel, gammas: [0.2, 0.4, 0.6, 0.8, 1] });
    expect(points.map((p) => p.requiredFlags)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < points.length; i++) expect(points[i]!.bestFairErrorRate).toBeLessThanOrEqual(points[i - 1]!.bestFairErrorRate + 1e-12);
    for (const p of points) {
      expect(p.bestFairErrorRate).toBeGreaterThanOrEqual(p.unconstrainedErrorRate - 1e-12);
      expect(p.violationRate).toBeNaN();
    }
  });

  it('bad input: γ outside (0, 1], reports of the wrong length, no rounds', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(8), { rounds: 5 });
    const panel = panelExamplePanel(Rng.fromSeed(9));
    expectUnbiasedError(() => gammaFrontier({ policyClass, rounds, panel, gammas: [0.5, 0] }), 'INVALID_HYPERPARAMETER', 'gammas[1]');
    expectUnbiasedError(() => gammaFrontier({ policyClass, rounds, panel, gammas: [0.5], reports: [] }), 'SHAPE_MISMATCH', 'reports');
    expectUnbiasedError(() => bestFairPolicyInHindsight({ policyClass, rounds: [], panel }), 'BAD_INPUT', 'rounds');
  });
});
