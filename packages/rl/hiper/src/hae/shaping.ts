/**
 * HiPER's reward shaping, applied to the turn rewards before HAE (the released ALFWorld/WebShop scripts'
 * `keep_penalty`, `keep_consistency_penalty` and invalid-action penalty).
 */
import { checkChoice, checkNumber, checkOptions, describeValue, UnbiasedError } from '@unbiased/core/errors';
import { checkTurnFlag, checkTurnNumber, layoutTurns, type TrajectoryId, turnLabel } from './turns.js';

/** A turn as reward shaping needs it. */
export interface ShapingTurn {
  trajId: TrajectoryId;
  turnIdx: number;
  reward: number;
  isSwitch: boolean;
  /** The subgoal text emitted at this turn (needed when `consistencyPenalty` is non-zero). */
  subgoal?: string;
  /** Whether the action was admissible; absent means it was (the environment did not check it). */
  actionValid?: boolean;
}

/** Options of {@link shapeRewards}; defaults are the released ALFWorld script's values. */
export interface ShapingOptions {
  /** Penalty for a KEEP turn (default -0.3; WebShop uses -3.5). */
  keepPenalty?: number;
  /** `'normalized'` (default): each KEEP turn gets `keepPenalty / T` with T the trajectory's turn count; `'per-turn'`: `keepPenalty`. */
  keepPenaltyMode?: 'normalized' | 'per-turn';
  /** Penalty for a KEEP turn whose subgoal text differs from the previous turn's (default -0.3). */
  consistencyPenalty?: number;
  /** Penalty for an inadmissible action (default -0.1). */
  invalidPenalty?: number;
}

/**
 * Shaped turn rewards `r'_t = r_t + keep_t (keepPenalty / T or keepPenalty) + keep_t 1[g_t != g_{t-1}]
 * consistencyPenalty + 1[action invalid] invalidPenalty`, in input order. A KEEP turn is a turn that is
 * neither the trajectory's first nor a SWITCH (HiPER, Peng et al. 2026, section 4 and the released run
 * scripts; which turns count as KEEP for the normalised penalty is inferred: the paper does not say whether
 * the forced first turn counts, and we do not penalise it). Throws `UnbiasedError` naming the trajectory and
 * turn for a bad record, or a missing `subgoal` when the consistency penalty is on.
 */
export function shapeRewards(turns: readonly ShapingTurn[], options?: ShapingOptions): Float64Array {
  const o = checkOptions(options);
  const keepPenalty = o.keepPenalty === undefined ? -0.3 : checkNumber('keepPenalty', o.keepPenalty);
  const mode = checkChoice('keepPenaltyMode', o.keepPenaltyMode, ['normalized', 'per-turn'] as const, 'normalized');
  const consistencyPenalty = o.consistencyPenalty === undefined ? -0.3 : checkNumber('consistencyPenalty', o.consistencyPenalty);
  const invalidPenalty = o.invalidPenalty === undefined ? -0.1 : checkNumber('invalidPenalty', o.invalidPenalty);
  if (!Array.isArray(turns)) throw new UnbiasedError('BAD_INPUT', 'turns must be an array of turn records', { field: 'turns' });
  const n = turns.length;
  const shaped = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const turn = turns[i] as ShapingTurn;
    if (typeof turn !== 'object' || turn === null) throw new UnbiasedError('BAD_INPUT', `turns[${i}] must be a turn record`, { field: `turns[${i}]` });
    shaped[i] = checkTurnNumber(turn.reward, 'reward', turn.trajId, turn.turnIdx, i);
    checkTurnFlag(turn.isSwitch, 'isSwitch', turn.trajId, turn.turnIdx, i);
    if (turn.actionValid !== undefined) checkTurnFlag(turn.actionValid, 'actionValid', turn.trajId, turn.turnIdx, i);
  }
  const { order, starts } = layoutTurns(
    turns.map((t) => t.trajId),
    turns.map((t) => t.turnIdx),
  );
  for (let j = 0; j + 1 < starts.length; j++) {
    const first = starts[j] as number;
    const end = starts[j + 1] as number;
    const length = end - first;
    for (let k = first; k < end; k++) {
      const i = order[k] as number;
      const turn = turns[i] as ShapingTurn;
      if (turn.actionValid === false) shaped[i] = (shaped[i] as number) + invalidPenalty;
      if (k === first || turn.isSwitch) continue;
      shaped[i] = (shaped[i] as number) + (mode === 'normalized' ? keepPenalty / length : keepPenalty);
      if (consistencyPenalty === 0) continue;
      const previous = turns[order[k - 1] as number] as ShapingTurn;
      for (const [t, at] of [
        [turn, i],
        [previous, order[k - 1] as number],
      ] as const) {
        if (typeof t.subgoal !== 'string') {
          throw new UnbiasedError(
            'BAD_INPUT',
            `${turnLabel(t.trajId, t.turnIdx)} (turns[${at}]): subgoal must be a string when consistencyPenalty is non-zero; got ${describeValue(t.subgoal)}`,
            { field: `turns[${at}].subgoal` },
          );
        }
      }
      if (turn.subgoal !== previous.subgoal) shaped[i] = (shaped[i] as number) + consistencyPenalty;
    }
  }
  return shaped;
}
