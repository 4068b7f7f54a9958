import { checkArrayLike, UnbiasedError } from '@unbiased/core/errors';
import { aggregateFlags, type AuditorPanel, type PanelReport, requiredFlags } from '../auditors/panel.js';
import { bestFairPolicyInHindsight } from '../lp/best-fair-policy.js';
import type { OneSidedRound } from '../online/rounds.js';
import type { PolicyClass } from '../policies/policy-class.js';
import { checkGamma } from '../validate.js';

/** One point of the γ-frontier. */
export interface FrontierPoint {
  gamma: number;
  /** Auditors (of m) that must flag a pair at this γ. */
  requiredFlags: number;
  /** Error rate of the best panel-fair mixture in hindsight at this γ (the LP). */
  bestFairErrorRate: number;
  /** Error rate of the best single policy, no fairness constraint (the same at every γ). */
  unconstrainedErrorRate: number;
  /** Fraction of rounds the logged run would have been reported at this γ (when `reports` are given), else NaN. */
  violationRate: number;
}

/** Options of {@link gammaFrontier}. */
export interface GammaFrontierOptions {
  policyClass: PolicyClass;
  rounds: readonly OneSidedRound[];
  /** The panel; its γ is replaced by each swept value, its auditors and α are kept. */
  panel: AuditorPanel;
  gammas: readonly number[];
  /** Raw panel reports of a logged run over the same rounds (`runOneSided({ keepReports: true })`). */
  reports?: readonly PanelReport[];
}

/**
 * The accuracy-fairness frontier over the panel threshold γ, traced without new auditor feedback: auditors'
 * raw flags do not depend on γ, so one logged run can be re-aggregated at every γ (Bechavod & Roth, "Individually
 * Fair Learning with One-Sided Feedback", ICML 2023, the claim "exploring the resulting accuracy-fairness frontier
 * with no need for additional feedback from auditors"). For each γ: the best fair mixture's error from
 * {@link bestFairPolicyInHindsight} and the logged run's violation rate re-aggregated at γ. Larger γ asks more
 * auditors to agree, so the constraint set shrinks and both curves are non-increasing in γ.
 */
export function gammaFrontier({ policyClass, rounds, panel, gammas, reports }: GammaFrontierOptions): FrontierPoint[] {
  const count = checkArrayLike('gammas', gammas);
  if (count === 0) throw new UnbiasedError('BAD_INPUT', 'gammas must hold at least one γ', { field: 'gammas' });
  if (reports !== undefined && reports.length !== rounds.length) {
    throw new UnbiasedError('SHAPE_MISMATCH', `reports must have one entry per round (${rounds.length}); got ${reports.length}`, { field: 'reports' });
  }
  return Array.from(gammas, (gamma, index) => {
    checkGamma(gamma, `gammas[${index}]`);
    const best = bestFairPolicyInHindsight({ policyClass, rounds, panel: panel.withGamma(gamma) });
    let violationRate = Number.NaN;
    if (reports) {
      let violated = 0;
      for (const report of reports) if (aggregateFlags(report.flagCounts, report.auditors, gamma).length > 0) violated++;
      violationRate = violated / reports.length;
    }
    return {
      gamma,
      requiredFlags: requiredFlags(panel.auditors.length, gamma),
      bestFairErrorRate: best.errorRate,
      unconstrainedErrorRate: best.unconstrainedErrorRate,
      violationRate,
    };
  });
}
