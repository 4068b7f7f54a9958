import { checkArrayLike, UnbiasedError } from '@unbiased/core/errors';
import type { AuditorPanel, PanelReport } from '../auditors/panel.js';
import type { OneSidedLearner } from '../learners/types.js';
import { expectedErrors } from '../reduction/semi-bandit.js';
import { checkRoundLabels, type OneSidedRound } from './rounds.js';

/** Options of {@link runOneSided}. */
export interface RunOneSidedOptions {
  learner: OneSidedLearner;
  /** The auditor panel of every round, or a function choosing round t's panel (dynamically selected panels). */
  panel: AuditorPanel | ((round: number) => AuditorPanel);
  rounds: readonly OneSidedRound[];
  /** Keep every round's panel report (for re-aggregating at other γ; default false). */
  keepReports?: boolean;
}

/** What happened in a run of {@link runOneSided}. */
export interface OneSidedTrace {
  rounds: number;
  /** Individuals classified (Σ_t k_t). */
  decisions: number;
  /** Per round: expected mistakes of the deployed randomized policy, Σ_i |π_t(x^i) − y^i|. */
  expectedErrors: Float64Array;
  /** Per round: mistakes of the decisions actually drawn. */
  realizedErrors: Float64Array;
  /** Per round: 1 when the panel reported at least one pair. */
  violations: Uint8Array;
  /** Per round: number of ordered pairs the panel reported. */
  reportedPairs: Int32Array;
  /** Per policy: its mistakes over the whole run (for regret against the best fixed policy). */
  policyErrors: Float64Array;
  /** Labels the learner saw (positively classified individuals). */
  labelsRevealed: number;
  /** Panel reports per round, when `keepReports`. */
  reports?: PanelReport[];
}

/**
 * Plays the online protocol of "Individually Fair Learning with One-Sided Feedback" (Bechavod & Roth, ICML 2023,
 * the model section) for every round: the learner deploys a randomized policy on the round's individuals and
 * draws decisions; the panel reports pairs it judges unfair under the deployed π_t; the learner sees the true label
 * only of individuals it classified positive (the others are passed as null) plus the panel's report.
 */
export function runOneSided({ learner, panel, rounds, keepReports = false }: RunOneSidedOptions): OneSidedTrace {
  const T = checkArrayLike('rounds', rounds);
  const n = learner.policyClass.size;
  const trace: OneSidedTrace = {
    rounds: T,
    decisions: 0,
    expectedErrors: new Float64Array(T),
    realizedErrors: new Float64Array(T),
    violations: new Uint8Array(T),
    reportedPairs: new Int32Array(T),
    policyErrors: new Float64Array(n),
    labelsRevealed: 0,
    ...(keepReports ? { reports: [] } : {}),
  };
  for (let t = 0; t < T; t++) {
    const round = rounds[t] as OneSidedRound;
    const play = learner.act(round.contexts);
    checkRoundLabels(round, t);
    const roundPanel = typeof panel === 'function' ? panel(t) : panel;
    if (!roundPanel || typeof roundPanel.report !== 'function') throw new UnbiasedError('INVALID_ARGUMENT', `panel for round ${t} is not an AuditorPanel`, { field: 'panel' });
    const report = roundPanel.report(round.contexts, play.probabilities);
    const k = play.k;
    const revealed: (number | null)[] = new Array(k).fill(null);
    let realized = 0;
    for (let i = 0; i < k; i++) {
      const y = round.labels[i] as number;
      if (play.decisions[i] === 1) {
        revealed[i] = y;
        trace.labelsRevealed++;
      }
      if (play.decisions[i] !== y) realized++;
    }
    for (let h = 0; h < n; h++) {
      let e = 0;
      for (let i = 0; i < k; i++) if (play.actions[h * k + i] !== round.labels[i]) e++;
      trace.policyErrors[h] = (trace.policyErrors[h] as number) + e;
    }
    trace.decisions += k;
    trace.expectedErrors[t] = expectedErrors(play.probabilities, round.labels);
    trace.realizedErrors[t] = realized;
    trace.violations[t] = report.flagged.length > 0 ? 1 : 0;
    trace.reportedPairs[t] = report.flagged.length;
    trace.reports?.push(report);
    learner.update(play, { labels: revealed, flagged: report.flagged });
  }
  return trace;
}

/**
 * Regret of a run against the best fixed policy in hindsight, on the expected mistakes of the deployed randomized
 * policies: Σ_t E_{h~p_t}[Err_t(h)] − min_h Σ_t Err_t(h) (can be negative: a mixture may beat every fixed policy).
 */
export function regretAgainstBestPolicy(trace: OneSidedTrace): number {
  let total = 0;
  for (let t = 0; t < trace.rounds; t++) total += trace.expectedErrors[t] as number;
  return total - Math.min(...trace.policyErrors);
}
