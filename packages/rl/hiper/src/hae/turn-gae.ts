/**
 * The flat turn-level GAE baseline HAE is compared with: one value per turn, the same advantage broadcast to
 * every token of the turn (verl's multi-turn `compute_turn_gae_advantage_return`, as in HiPER's ablation).
 */
import { checkNumber, checkOptions, UnbiasedError } from '@unbiased/core/errors';
import { checkColumn, type FlatTurnColumns, flatColumns } from './columns.js';
import { standardizeInPlace } from './standardize.js';
import { type FlatTurn, layoutTurns, type TurnLayout } from './turns.js';

/** Options of {@link turnGAE}. */
export interface TurnGAEOptions {
  /** Discount gamma (default 1). */
  gamma?: number;
  /** GAE lambda (default 1: Monte-Carlo returns minus the baseline, the released flat-PPO scripts' setting). */
  lam?: number;
  /** Bootstrap a trajectory cut without `done` from its last value V(t) (default false: no bootstrap). */
  bootstrapTruncated?: boolean;
  /** Standardise the advantages over the batch (default true). */
  normAdv?: boolean;
  /** Standardisation epsilon (default 1e-8). */
  eps?: number;
}

/** Per-turn outputs of {@link turnGAE}, in input order. */
export interface TurnGAEResult {
  /** A_t (standardised when `normAdv`). */
  advantages: Float64Array;
  /** R_t = A_t + V_t, before standardisation. */
  returns: Float64Array;
}

/**
 * Turn-level GAE (Schulman, Moritz, Levine, Jordan, Abbeel, "High-Dimensional Continuous Control Using
 * Generalized Advantage Estimation", ICLR 2016, eq. 16) over the turns of each trajectory:
 * `delta_t = r_t + gamma V_{t+1} 1[t+1 exists and not done_t] - V_t`, `A_t = delta_t + gamma lam A_{t+1}`; with
 * `bootstrapTruncated` the last turn of a trajectory cut without `done` uses `V_t` as its next value. Turns
 * in any order; bad records throw `UnbiasedError` naming the trajectory and turn.
 */
export function turnGAE(turns: readonly FlatTurn[], options?: TurnGAEOptions): TurnGAEResult {
  const resolved = resolveOptions(options);
  const columns = flatColumns(turns);
  return gaeOnLayout(columns, layoutTurns(columns.trajId, columns.turnIdx, columns.done), resolved);
}

/** {@link turnGAE} on a structure-of-arrays batch: the fast path for large batches. */
export function turnGAEColumns(columns: FlatTurnColumns, options?: TurnGAEOptions): TurnGAEResult {
  const resolved = resolveOptions(options);
  checkColumn(columns, 'turnIdx', columns.turnIdx, false);
  checkColumn(columns, 'reward', columns.reward, true);
  checkColumn(columns, 'value', columns.value, true);
  checkColumn(columns, 'done', columns.done, false);
  return gaeOnLayout(columns, layoutTurns(columns.trajId, columns.turnIdx, columns.done, 'columns'), resolved);
}

function resolveOptions(options: TurnGAEOptions | undefined): Required<TurnGAEOptions> {
  const o = checkOptions(options);
  for (const flag of ['bootstrapTruncated', 'normAdv'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') {
      throw new UnbiasedError('INVALID_ARGUMENT', `${flag} must be a boolean; got ${String(o[flag])}`, { field: flag });
    }
  }
  return {
    gamma: o.gamma === undefined ? 1 : checkNumber('gamma', o.gamma, { min: 0, max: 1 }),
    lam: o.lam === undefined ? 1 : checkNumber('lam', o.lam, { min: 0, max: 1 }),
    bootstrapTruncated: o.bootstrapTruncated ?? false,
    normAdv: o.normAdv ?? true,
    eps: o.eps === undefined ? 1e-8 : checkNumber('eps', o.eps, { min: 0 }),
  };
}

function gaeOnLayout(columns: FlatTurnColumns, layout: TurnLayout, options: Required<TurnGAEOptions>): TurnGAEResult {
  const { reward, done, value } = columns;
  const { gamma, lam, bootstrapTruncated } = options;
  const n = reward.length;
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  const { order, starts } = layout;
  for (let j = 0; j + 1 < starts.length; j++) {
    const first = starts[j] as number;
    const last = (starts[j + 1] as number) - 1;
    let nextAdvantage = 0;
    for (let k = last; k >= first; k--) {
      const i = order[k] as number;
      const v = value[i] as number;
      let notDone = 1;
      let next: number;
      if (k === last) {
        notDone = done[i] ? 0 : 1;
        next = bootstrapTruncated ? v : 0;
        nextAdvantage = 0;
      } else {
        next = value[order[k + 1] as number] as number;
      }
      const a = (reward[i] as number) + gamma * notDone * next - v + gamma * lam * notDone * nextAdvantage;
      advantages[i] = a;
      returns[i] = a + v;
      nextAdvantage = a;
    }
  }
  if (options.normAdv) standardizeInPlace(advantages, undefined, options.eps);
  return { advantages, returns };
}
