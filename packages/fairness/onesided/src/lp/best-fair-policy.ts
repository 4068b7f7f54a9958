import { checkArrayLike, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import type { AuditorPanel } from '../auditors/panel.js';
import { orderedPairs } from '../auditors/panel.js';
import { type OneSidedRound, checkRoundLabels } from '../online/rounds.js';
import { actionMatrix, type PolicyClass } from '../policies/policy-class.js';
import { type LinearConstraint, solveLinearProgram } from './simplex.js';

/** Result of {@link bestFairPolicyInHindsight}. */
export interface BestFairPolicy {
  /** The optimal mixture w over H (sums to 1). */
  weights: Float64Array;
  /** Σ_t Σ_i Pr_{h~w}[h(x^i_t) != y^i_t]: expected mistakes of the mixture over all rounds. */
  totalErrors: number;
  /** totalErrors / (number of decisions). */
  errorRate: number;
  /** Mistakes of the best single policy (no fairness constraint), for comparison. */
  unconstrainedErrors: number;
  unconstrainedErrorRate: number;
  /** Distinct non-vacuous fairness constraints after merging equal coefficient rows (keeping the tightest bound). */
  distinctConstraints: number;
  /** Constraints the final LP held (constraint generation adds only violated ones). */
  activeConstraints: number;
  /** LPs solved. */
  iterations: number;
  /** Largest violation of any constraint by the returned mixture (<= tolerance). */
  maxViolation: number;
}

/** Options of {@link bestFairPolicyInHindsight}. */
export interface BestFairPolicyOptions {
  policyClass: PolicyClass;
  rounds: readonly OneSidedRound[];
  /** The panel (its γ and α set the constraints). */
  panel: AuditorPanel;
  /** Constraints added per constraint-generation step (default 40, the most violated first). */
  batch?: number;
  /** Violation tolerance of the final mixture (default 1e-9). */
  tolerance?: number;
}

/**
 * The best panel-fair randomized policy in hindsight: the LP over mixtures w ∈ Δ(H)
 *   minimize Σ_h w_h·Err(h)   subject to   Σ_h w_h·(h(x^i_t) − h(x^j_t)) <= d_(r)(x^i_t, x^j_t) + α
 * for every round t and ordered pair (i, j), Err(h) the mistakes of h over all rounds and d_(r) + α the panel's
 * bound ({@link AuditorPanel.bounds}): the comparator of the fairness-constrained regret (Bechavod & Roth,
 * "Individually Fair Learning with One-Sided Feedback", ICML 2023; the comparator class of fair mixtures follows
 * Bechavod, Jung & Wu 2020). Solved exactly by constraint generation on {@link solveLinearProgram}: rows with
 * bound >= 1 are vacuous (a difference of probabilities never exceeds 1) and equal coefficient rows are merged;
 * the LP is re-solved with the most violated remaining rows until the mixture satisfies all of them, so the
 * final optimum is the optimum of the full LP. Throws `BAD_STATE` if no fair mixture exists (impossible when the
 * class holds a constant policy).
 */
export function bestFairPolicyInHindsight({ policyClass, rounds, panel, batch = 40, tolerance = 1e-9 }: BestFairPolicyOptions): BestFairPolicy {
  const T = checkArrayLike('rounds', rounds);
  if (T === 0) throw new UnbiasedError('BAD_INPUT', 'rounds must hold at least one round', { field: 'rounds' });
  checkPositiveInteger('batch', batch);
  const n = policyClass.size;
  const errors = new Float64Array(n);
  const rows = new Map<string, { coefficients: Int8Array; bound: number }>();
  let decisions = 0;
  for (let t = 0; t < T; t++) {
    const round = rounds[t] as OneSidedRound;
    const actions = actionMatrix(policyClass, round.contexts);
    checkRoundLabels(round, t);
    const k = round.contexts.length;
    decisions += k;
    for (let h = 0; h < n; h++) for (let i = 0; i < k; i++) if (actions[h * k + i] !== round.labels[i]) errors[h] = (errors[h] as number) + 1;
    const bounds = panel.bounds(round.contexts);
    const pairs = orderedPairs(k);
    for (let p = 0; p < bounds.length; p++) {
      const bound = bounds[p] as number;
      if (bound >= 1) continue;
      const i = pairs[2 * p] as number;
      const j = pairs[2 * p + 1] as number;
      const coefficients = new Int8Array(n);
      let any = false;
      for (let h = 0; h < n; h++) {
        const c = (actions[h * k + i] as number) - (actions[h * k + j] as number);
        coefficients[h] = c;
        if (c > 0) any = true;
      }
      if (!any) continue; // Σ w·c <= 0 <= bound always holds
      const key = coefficients.join(',');
      const existing = rows.get(key);
      if (!existing) rows.set(key, { coefficients, bound });
      else if (bound < existing.bound) existing.bound = bound;
    }
  }
  const all = [...rows.values()];
  const active: LinearConstraint[] = [];
  const simplex: LinearConstraint = { coefficients: new Float64Array(n).fill(1), relation: '=', rhs: 1 };
  let iterations = 0;
  for (;;) {
    iterations++;
    const result = solveLinearProgram({ objective: errors, constraints: [simplex, ...active] });
    if (result.status !== 'optimal') {
      throw new UnbiasedError('BAD_STATE', `best fair policy LP is ${result.status}: no panel-fair mixture over the class`, { field: 'policyClass' });
    }
    const w = result.x;
    const violated: { row: (typeof all)[number]; by: number }[] = [];
    let maxViolation = 0;
    for (const row of all) {
      let s = 0;
      for (let h = 0; h < n; h++) if (row.coefficients[h] !== 0) s += (row.coefficients[h] as number) * (w[h] as number);
      const by = s - row.bound;
      if (by > tolerance) violated.push({ row, by });
      maxViolation = Math.max(maxViolation, by);
    }
    if (violated.length === 0) {
      let totalErrors = 0;
      for (let h = 0; h < n; h++) totalErrors += (w[h] as number) * (errors[h] as number);
      const unconstrainedErrors = Math.min(...errors);
      return {
        weights: w,
        totalErrors,
        errorRate: totalErrors / decisions,
        unconstrainedErrors,
        unconstrainedErrorRate: unconstrainedErrors / decisions,
        distinctConstraints: all.length,
        activeConstraints: active.length,
        iterations,
        maxViolation: Math.max(0, maxViolation),
      };
    }
    violated.sort((a, b) => b.by - a.by);
    for (const { row } of violated.slice(0, batch)) active.push({ coefficients: Float64Array.from(row.coefficients), relation: '<=', rhs: row.bound });
  }
}
