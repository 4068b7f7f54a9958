// The reduction of online classification with one-sided feedback to a contextual combinatorial semi-bandit
// (Bechavod & Roth, "Individually Fair Learning with One-Sided Feedback", ICML 2023, the reduction section).
import { checkArrayLike, UnbiasedError } from '@unbiased/core/errors';
import { checkLabel, checkLoss } from '../validate.js';

/**
 * Per-arm losses of the reduction: ℓ_i = 1 − 2·y_i, so that the classification error of an action a ∈ {0,1}^k is
 * Err(a) = Σ_i y_i + Σ_i a_i·(1 − 2·y_i) = Σ_i y_i + <a, ℓ>. The first term does not depend on the action, so
 * the learner only needs ℓ_i, and ℓ_i is revealed exactly when arm i is played (a_i = 1): one-sided label
 * feedback is semi-bandit feedback. Throws `BAD_INPUT` / `NON_FINITE` naming `labels[i]` for a label not in {0, 1}.
 */
export function armLossesFromLabels(labels: ArrayLike<number>): Float64Array {
  const k = checkArrayLike('labels', labels);
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = 1 - 2 * checkLabel(`labels[${i}]`, labels[i]);
  return out;
}

/** Number of mistakes of the decisions `action` (0/1 per individual) against `labels`: Σ_i |a_i − y_i|. */
export function classificationErrors(action: ArrayLike<number>, labels: ArrayLike<number>): number {
  let errors = 0;
  for (let i = 0; i < labels.length; i++) errors += action[i] === labels[i] ? 0 : 1;
  return errors;
}

/**
 * The deployed randomized policy on this round's individuals: π(x^i) = Σ_h p(h)·h(x^i) = Pr_{h~p}[h(x^i) = 1],
 * from the distribution `distribution` over H and the round's |H| x k action matrix.
 */
export function playProbabilities(distribution: ArrayLike<number>, actions: Uint8Array, k: number): Float64Array {
  const pi = new Float64Array(k);
  for (let h = 0; h < distribution.length; h++) {
    const p = distribution[h] as number;
    if (p === 0) continue;
    for (let i = 0; i < k; i++) if (actions[h * k + i] === 1) pi[i] = (pi[i] as number) + p;
  }
  // Rounding can push a sum of probabilities a hair above 1.
  for (let i = 0; i < k; i++) if ((pi[i] as number) > 1) pi[i] = 1;
  return pi;
}

/** Expected number of mistakes of the randomized policy: Σ_i π_i·(1 − y_i) + (1 − π_i)·y_i (linear in p). */
export function expectedErrors(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let errors = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i] as number;
    errors += labels[i] === 1 ? 1 - p : p;
  }
  return errors;
}

/**
 * The importance-weighted one-sided loss estimate of the semi-bandit reduction:
 * ℓ̂_i = ℓ_i·1[a_i = 1] / π_i, where π_i is the probability that arm i is played. It is unbiased,
 * E[ℓ̂_i] = π_i·ℓ_i/π_i = ℓ_i, whenever π_i > 0. `armLosses[i]` is read only for played arms (an unplayed arm's
 * loss is never observed, so it may be NaN); a played arm needs a finite loss (`NON_FINITE` naming
 * `armLosses[i]`) and π_i > 0 (`BAD_STATE`).
 */
export function importanceWeightedArmLosses(decisions: ArrayLike<number>, armLosses: ArrayLike<number>, probabilities: ArrayLike<number>): Float64Array {
  const k = decisions.length;
  if (armLosses.length !== k) {
    throw new UnbiasedError('SHAPE_MISMATCH', `armLosses must have ${k} entries (one per individual); got ${armLosses.length}`, { field: 'armLosses' });
  }
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (decisions[i] !== 1) continue;
    const loss = checkLoss(`armLosses[${i}]`, armLosses[i]);
    const p = probabilities[i] as number;
    if (!(p > 0)) throw new UnbiasedError('BAD_STATE', `arm ${i} was played with probability ${p}; the importance weight is undefined`, { field: 'probabilities' });
    out[i] = loss / p;
  }
  return out;
}
