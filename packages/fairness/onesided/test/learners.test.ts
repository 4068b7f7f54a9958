import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import {
  ContextSemiBanditFtpl,
  Exp2,
  fairnessPenalties,
  type Feedback,
  linearThresholdClass,
  type OneSidedLearner,
  type Play,
  panelExampleClass,
  panelExamplePanel,
  panelExampleRounds,
  regretAgainstBestPolicy,
  runOneSided,
  scaledAuditor,
  AuditorPanel,
} from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('fairnessPenalties', () => {
  it('F(h) = C · Σ_{(i,j) reported} (h(x^i) − h(x^j)), hand-computed', () => {
    // 3 policies x 3 individuals: rows (1,0,1), (0,1,1), (1,1,0); reported pairs (0,1) and (2,1); C = 2.
    const actions = Uint8Array.of(1, 0, 1, 0, 1, 1, 1, 1, 0);
    const out = fairnessPenalties(actions, 3, [
      [0, 1],
      [2, 1],
    ], 2);
    expect([...out]).toEqual([2 * (1 + 1), 2 * (-1 + 0), 2 * (0 - 1)]);
    expect([...fairnessPenalties(actions, 3, [[0, 1]], 0)]).toEqual([0, 0, 0]);
  });
});

describe('runOneSided', () => {
  it('the learner sees labels only for positively classified individuals (one-sided feedback)', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(1), { rounds: 200 });
    const inner = new Exp2({ policyClass, rng: Rng.fromSeed(2), horizon: 200, armsPerRound: 3 });
    let revealed = 0;
    const spy: OneSidedLearner = {
      name: 'spy',
      policyClass,
      act: (contexts) => inner.act(contexts),
      update(play: Play, feedback: Feedback) {
        for (let i = 0; i < play.k; i++) {
          if (play.decisions[i] === 1) {
            expect(feedback.labels?.[i] === 0 || feedback.labels?.[i] === 1).toBe(true);
            revealed++;
          } else expect(feedback.labels?.[i]).toBeNull();
        }
        inner.update(play, feedback);
      },
      cumulativeLosses: () => inner.cumulativeLosses(),
    };
    const trace = runOneSided({ learner: spy, panel: panelExamplePanel(Rng.fromSeed(3)), rounds });
    expect(trace.labelsRevealed).toBe(revealed);
    expect(revealed).toBeGreaterThan(0);
    expect(revealed).toBeLessThan(600);
  });

  it('trace bookkeeping: per-policy mistakes and expected errors against a direct count', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(6), { rounds: 50 });
    const trace = runOneSided({ learner: new Exp2({ policyClass, rng: Rng.fromSeed(7), horizon: 50, armsPerRound: 3 }), panel: panelExamplePanel(Rng.fromSeed(8)), rounds, keepReports: true });
    for (const h of [0, 30, 63, 64]) {
      let mistakes = 0;
      for (const r of rounds) for (let i = 0; i < 3; i++) mistakes += policyClass.decide(h, r.contexts[i]!) === r.labels[i] ? 0 : 1;
      expect(trace.policyErrors[h]).toBe(mistakes);
    }
    // The first round plays the uniform distribution: π_i = (#policies with h(x^i) = 1)/|H|.
    const first = rounds[0]!;
    let expected = 0;
    for (let i = 0; i < 3; i++) {
      let positives = 0;
      for (let h = 0; h < policyClass.size; h++) positives += policyClass.decide(h, first.contexts[i]!);
      const pi = positives / policyClass.size;
      expected += first.labels[i] === 1 ? 1 - pi : pi;
    }
    expectClose(trace.expectedErrors[0]!, expected, 1e-12);
    expect(trace.reports).toHaveLength(50);
    expect(trace.violations.reduce((a, b) => a + b, 0)).toBe(trace.reports!.filter((r) => r.flagged.length > 0).length);
  });

  it('accepts a dynamically selected panel per round (a function of t)', () => {
    const policyClass = panelExampleClass();
    const rounds = panelExampleRounds(Rng.fromSeed(13), { rounds: 30 });
    // Even rounds: one auditor that flags any gap > 0; odd rounds: one that never flags (distance 2 > any gap).
    const strict = new AuditorPanel({ auditors: [{ distance: () => 0 }], gamma: 1, alpha: 0 });
    const lenient = new AuditorPanel({ auditors: [{ distance: () => 2 }], gamma: 1, alpha: 0 });
    const asked: number[] = [];
    const trace = runOneSided({
      learner: new Exp2({ policyClass, rng: Rng.fromSeed(14), horizon: 30, armsPerRound: 3 }),
      panel: (t) => {
        asked.push(t);
        return t % 2 === 0 ? strict : lenient;
      },
      rounds,
    });
    expect(asked).toEqual(Array.from({ length: 30 }, (_, t) => t));
    for (let t = 1; t < 30; t += 2) expect(trace.violations[t]).toBe(0);
    expect(trace.violations.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('is deterministic under a seed, and the regret of Exp2 per round falls from T = 500 to T = 4000 (C = 0)', () => {
    const policyClass = panelExampleClass();
    const panel = panelExamplePanel(Rng.fromSeed(12));
    const rounds = panelExampleRounds(Rng.fromSeed(11), { rounds: 4000 });
    const run = (T: number, seed: number) =>
      runOneSided({ learner: new Exp2({ policyClass, rng: Rng.fromSeed(seed), horizon: T, armsPerRound: 3 }), panel, rounds: rounds.slice(0, T) });
    const a = run(500, 1);
    expect([...run(500, 1).expectedErrors]).toEqual([...a.expectedErrors]);
    expect(regretAgainstBestPolicy(run(4000, 1)) / 4000).toBeLessThan(regretAgainstBestPolicy(a) / 500);
  });
});

describe('bad input: typed errors naming the field', () => {
  const policyClass = linearThresholdClass({ weights: [[1, 0]], thresholds: [0.5] });
  const exp2 = () => new Exp2({ policyClass, rng: Rng.fromSeed(1), eta: 0.1, exploration: 0.1 });

  it('contexts of the wrong dimension, non-finite contexts, an empty round', () => {
    expectUnbiasedError(() => exp2().act([[0.1, 0.2], [0.3]]), 'SHAPE_MISMATCH', 'contexts[1]');
    expectUnbiasedError(() => exp2().act([[0.1, 0.2, 0.3]]), 'SHAPE_MISMATCH', 'contexts[0]');
    expectUnbiasedError(() => exp2().act([[Number.NaN, 0.2]]), 'NON_FINITE', 'contexts[0]');
    expectUnbiasedError(() => exp2().act([]), 'BAD_INPUT', 'contexts');
    const separator = [[0.1, 0.2]];
    expectUnbiasedError(() => new ContextSemiBanditFtpl({ policyClass, rng: Rng.fromSeed(1), separator: [[0.1]], horizon: 10, armsPerRound: 1 }), 'SHAPE_MISMATCH', 'separator[0]');
    const ftpl = new ContextSemiBanditFtpl({ policyClass, rng: Rng.fromSeed(1), separator, horizon: 10, armsPerRound: 1 });
    expectUnbiasedError(() => ftpl.act([[0.1]]), 'SHAPE_MISMATCH', 'contexts[0]');
  });

  it('non-finite losses and labels outside {0, 1} of played arms; unplayed arms are never read', () => {
    const learner = exp2();
    const play = learner.playWith(2, [
      [0.9, 0],
      [0.1, 0],
    ]); // all-1 plays both
    expectUnbiasedError(() => learner.update(play, { losses: [Number.NaN, 0] }), 'NON_FINITE', 'losses[0]');
    expectUnbiasedError(() => learner.update(play, { losses: [0, Number.POSITIVE_INFINITY] }), 'NON_FINITE', 'losses[1]');
    expectUnbiasedError(() => learner.update(play, { labels: [1, 2] }), 'BAD_INPUT', 'labels[1]');
    expectUnbiasedError(() => learner.update(play, { labels: [Number.NaN, 1] }), 'NON_FINITE', 'labels[0]');
    expectUnbiasedError(() => learner.update(play, { labels: [1] }), 'SHAPE_MISMATCH', 'labels');
    expectUnbiasedError(() => learner.update(play, {}), 'INVALID_ARGUMENT', 'feedback');
    const none = learner.playWith(1, [
      [0.9, 0],
      [0.1, 0],
    ]); // all-0 plays nothing: NaN losses are never read
    learner.update(none, { losses: [Number.NaN, Number.NaN] });
    expect(learner.cumulativeLosses().every(Number.isFinite)).toBe(true);
  });

  it('hyperparameters: η <= 0, exploration outside [0, 1], negative penalty, missing horizon', () => {
    const rng = Rng.fromSeed(1);
    expectUnbiasedError(() => new Exp2({ policyClass, rng, eta: 0, exploration: 0.1 }), 'INVALID_HYPERPARAMETER', 'eta');
    expectUnbiasedError(() => new Exp2({ policyClass, rng, eta: 0.1, exploration: 1.5 }), 'INVALID_HYPERPARAMETER', 'exploration');
    expectUnbiasedError(() => new Exp2({ policyClass, rng, eta: 0.1, exploration: 0.1, penalty: -1 }), 'INVALID_HYPERPARAMETER', 'penalty');
    expectUnbiasedError(() => new Exp2({ policyClass, rng, exploration: 0.1, armsPerRound: 3 }), 'INVALID_HYPERPARAMETER', 'horizon');
    expectUnbiasedError(() => new Exp2({ policyClass, rng, eta: 0.1 }), 'INVALID_HYPERPARAMETER', 'horizon');
    expectUnbiasedError(() => fairnessPenalties(Uint8Array.of(1, 0), 2, [[0, 2]], 1), 'BAD_INPUT', 'flagged');
    expectUnbiasedError(() => new AuditorPanel({ auditors: [scaledAuditor(1)], gamma: -0.5 }), 'INVALID_HYPERPARAMETER', 'gamma');
    expectUnbiasedError(() => scaledAuditor(0), 'INVALID_HYPERPARAMETER', 'scale');
    expectUnbiasedError(() => linearThresholdClass({ weights: [[1, 0], [1]], thresholds: [0] }), 'SHAPE_MISMATCH', 'weights[1]');
  });
});
