/**
 * Perf suite `fairness-onesided`: rounds per second of Exp2 and Context-Semi-Bandit-FTPL (act, panel report,
 * one-sided update) on the example problem at several policy-class sizes.
 */
import { type PerfCase, type PerfSuite, Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { panelExampleClass, panelExamplePanel, panelExampleRounds } from '../experiments/panel-data.js';
import { Exp2 } from '../learners/exp2.js';
import { ContextSemiBanditFtpl } from '../learners/ftpl.js';
import type { OneSidedLearner } from '../learners/types.js';

/** Policy-grid sizes (angles × thresholds, plus the two constants): |H| = 65, 258, 1026. */
export const ONESIDED_PERF_GRIDS: readonly (readonly [number, number])[] = [
  [7, 9],
  [16, 16],
  [32, 32],
];

const HORIZON = 10_000;
const K = 3;

/** One perf case: `learner` rounds on a class of `angles` × `thresholds` + 2 policies, one round per step. */
export function onesidedPerfCase(learner: 'exp2' | 'ftpl', angles: number, thresholds: number, baseline: string | null): PerfCase {
  const size = angles * thresholds + 2;
  return {
    name: `${learner}, |H| = ${size}`,
    n: size,
    baseline,
    stepsPerSample: 50,
    async setup() {
      const rng = Rng.fromSeed(20230723);
      const policyClass = panelExampleClass({ angles, thresholds });
      const rounds = panelExampleRounds(rng.fold('data'), { rounds: 1000, k: K });
      const panel = panelExamplePanel(rng.fold('panel'));
      const separator = Array.from({ length: 20 }, (_, j) => rng.fold('separator').fold(j).uniform(2));
      const options = { policyClass, rng: rng.fold(learner), horizon: HORIZON, armsPerRound: K, penalty: HORIZON ** 0.25 };
      const agent: OneSidedLearner = learner === 'exp2' ? new Exp2(options) : new ContextSemiBanditFtpl({ ...options, separator });
      let t = 0;
      return {
        step() {
          const round = rounds[t % rounds.length] as (typeof rounds)[number];
          t++;
          const play = agent.act(round.contexts);
          const report = panel.report(round.contexts, play.probabilities);
          const labels = Array.from(round.labels, (y, i) => (play.decisions[i] === 1 ? y : null));
          agent.update(play, { labels, flagged: report.flagged });
        },
        async fence() {
          const losses = agent.cumulativeLosses();
          if (!losses.every(Number.isFinite)) throw new UnbiasedError('BAD_STATE', `${learner}: non-finite cumulative loss`, { field: learner });
        },
        dispose() {
          t = 0;
        },
      };
    },
  };
}

/**
 * `unbiased perf fairness-onesided`: one round (act + panel report + update, k = 3, 5 auditors, C = T^(1/4)) of
 * Exp2 and of FTPL (20-point separator, 64 Monte Carlo draws for π_t, geometric resampling) at |H| = 65, 258 and
 * 1026; each FTPL case is compared with Exp2 at the same |H|, each larger Exp2 case with Exp2 at |H| = 65.
 * Rounds per second = 1 / (time per step). Pure CPU; ignores the CLI's `size`.
 */
export const onesidedPerfSuite: PerfSuite = {
  id: 'fairness-onesided',
  title: 'Individually fair online learning with one-sided feedback: rounds/s of Exp2 and FTPL vs |H|',
  packageName: '@unbiased/fair-onesided',
  cases: () => {
    const exp2Base = `exp2, |H| = ${(ONESIDED_PERF_GRIDS[0] as readonly [number, number])[0] * (ONESIDED_PERF_GRIDS[0] as readonly [number, number])[1] + 2}`;
    const cases: PerfCase[] = [];
    for (const [angles, thresholds] of ONESIDED_PERF_GRIDS) {
      const exp2 = onesidedPerfCase('exp2', angles, thresholds, cases.length === 0 ? null : exp2Base);
      cases.push(exp2, onesidedPerfCase('ftpl', angles, thresholds, exp2.name));
    }
    return cases;
  },
};
