// The fairness Lagrangian of the reduction (Bechavod & Roth, "Individually Fair Learning with One-Sided Feedback",
// ICML 2023, the reduction section; the Lagrangian form follows Bechavod, Jung & Wu 2020).
import { checkNonNegative, UnbiasedError } from '@unbiased/core/errors';
import { armLossesFromLabels } from '../reduction/semi-bandit.js';
import { checkLabel, checkLoss } from '../validate.js';
import type { Feedback, Play } from './types.js';

/**
 * The fairness penalty of every policy for one round: F_t(h) = C · Σ_{(i, j) reported} (h(x^i) − h(x^j)), a
 * known linear term (the panel's report is about the deployed π_t, and every h's actions are computable), so the
 * learner adds it to every policy's loss with full information. `actions` is the round's |H| x k matrix.
 * C = 0 gives zeros. Throws `INVALID_HYPERPARAMETER` naming `penalty` for C < 0 or non-finite, and
 * `BAD_INPUT` naming `flagged` for a pair index outside 0..k-1.
 */
export function fairnessPenalties(actions: Uint8Array, k: number, flagged: readonly (readonly [number, number])[], penalty: number): Float64Array {
  checkNonNegative('penalty', penalty);
  const size = actions.length / k;
  const out = new Float64Array(size);
  if (penalty === 0 || flagged.length === 0) return out;
  for (const [i, j] of flagged) {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= k || j >= k || i === j) {
      throw new UnbiasedError('BAD_INPUT', `flagged pair [${i}, ${j}] must name two different individuals in 0..${k - 1}`, { field: 'flagged' });
    }
    for (let h = 0; h < size; h++) out[h] = (out[h] as number) + penalty * ((actions[h * k + i] as number) - (actions[h * k + j] as number));
  }
  return out;
}

/**
 * The observed per-arm losses of a round: ℓ_i = 1 − 2·y_i from the revealed labels (or the given losses), for played
 * arms only; NaN for the others (never observed). Errors name `labels[i]` / `losses[i]` (`BAD_INPUT`, `NON_FINITE`)
 * and `feedback` when neither or both are given.
 */
export function observedArmLosses(play: Play, feedback: Feedback): Float64Array {
  const { labels, losses } = feedback;
  if ((labels === undefined) === (losses === undefined)) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'feedback needs exactly one of labels or losses', { field: 'feedback' });
  }
  const source = (labels ?? losses) as ArrayLike<number | null>;
  const field = labels !== undefined ? 'labels' : 'losses';
  if (source.length !== play.k) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have ${play.k} entries (one per individual); got ${source.length}`, { field });
  }
  const out = new Float64Array(play.k).fill(Number.NaN);
  for (let i = 0; i < play.k; i++) {
    if (play.decisions[i] !== 1) continue;
    out[i] = labels !== undefined ? (armLossesFromLabels([checkLabel(`labels[${i}]`, source[i])])[0] as number) : checkLoss(`losses[${i}]`, source[i]);
  }
  return out;
}
