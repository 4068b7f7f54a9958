/**
 * From turn-level advantages to token-level ones, and where the critic's heads read their values: HiPER,
 * Peng et al. 2026, section 3 (`hiper_hae/hier_mask.py`, `compute_value_mask`).
 */
import { describeValue, UnbiasedError } from '@unbiased/core/errors';
import type { HAEResult } from './hae.js';
import type { TurnGAEResult } from './turn-gae.js';
import { type TrajectoryId, turnLabel } from './turns.js';

/** The tag-span masks of one response (1 on the tokens of `<switch>...</switch>`, etc., tags included). */
export interface ResponseMasks {
  trajId: TrajectoryId;
  turnIdx: number;
  switchMask: ArrayLike<number>;
  subgoalMask: ArrayLike<number>;
  actionMask: ArrayLike<number>;
}

/** Token-level advantages and loss mask of one response. */
export interface TokenAdvantages {
  advantages: Float64Array;
  lossMask: Uint8Array;
}

/** The (trajectory, turn) of each turn the advantages were computed for, in the same order as the result's arrays. */
export interface TurnKey {
  trajId: TrajectoryId;
  turnIdx: number;
}

function indexTurns(turns: readonly TurnKey[]): Map<TrajectoryId, Map<number, number>> {
  const index = new Map<TrajectoryId, Map<number, number>>();
  turns.forEach((turn, i) => {
    let byTurn = index.get(turn.trajId);
    if (!byTurn) {
      byTurn = new Map();
      index.set(turn.trajId, byTurn);
    }
    byTurn.set(turn.turnIdx, i);
  });
  return index;
}

function locate(index: Map<TrajectoryId, Map<number, number>>, response: ResponseMasks, r: number): number {
  const byTurn = index.get(response.trajId);
  if (!byTurn) {
    throw new UnbiasedError('BAD_INPUT', `responses[${r}]: unknown trajectory ${describeValue(response.trajId)} (turn ${response.turnIdx}); no turn of it was given`, {
      field: `responses[${r}].trajId`,
    });
  }
  const at = byTurn.get(response.turnIdx);
  if (at === undefined) {
    throw new UnbiasedError('BAD_INPUT', `responses[${r}]: ${turnLabel(response.trajId, response.turnIdx)} is not among the turns given`, {
      field: `responses[${r}].turnIdx`,
    });
  }
  return at;
}

function checkMasks(response: ResponseMasks, r: number): number {
  let length = -1;
  for (const name of ['switchMask', 'subgoalMask', 'actionMask'] as const) {
    const mask = response[name];
    if (mask === undefined || mask === null || typeof mask !== 'object' || typeof mask.length !== 'number') {
      throw new UnbiasedError('BAD_INPUT', `responses[${r}] (${turnLabel(response.trajId, response.turnIdx)}): ${name} is missing`, {
        field: `responses[${r}].${name}`,
      });
    }
    if (length >= 0 && mask.length !== length) {
      throw new UnbiasedError('SHAPE_MISMATCH', `responses[${r}] (${turnLabel(response.trajId, response.turnIdx)}): ${name} has ${mask.length} tokens, switchMask ${length}`, {
        field: `responses[${r}].${name}`,
      });
    }
    length = mask.length;
  }
  for (let p = 0; p < length; p++) {
    const s = response.switchMask[p] ? 1 : 0;
    const g = response.subgoalMask[p] ? 1 : 0;
    const a = response.actionMask[p] ? 1 : 0;
    if (s + g + a > 1) {
      throw new UnbiasedError('BAD_INPUT', `responses[${r}] (${turnLabel(response.trajId, response.turnIdx)}): token ${p} is in more than one mask; the masks must be disjoint`, {
        field: `responses[${r}]`,
      });
    }
  }
  return length;
}

/**
 * HAE's token assignment: `adv = A^L mask_L + A^H mask_H + A^beta mask_beta`, with A^L on the action tokens of
 * every turn, A^H on the subgoal tokens of boundary turns only (a KEEP turn's copied subgoal gets no
 * gradient) and A^beta on the switch tokens of every turn. The loss mask is the union of the three masks,
 * the subgoal mask restricted to boundary turns. `turns` gives the (trajId, turnIdx) of each entry of
 * `result` (the array `computeHAE` was called with); each response is matched by its own (trajId, turnIdx).
 * Missing or overlapping masks, and responses of unknown trajectories or turns, throw `UnbiasedError`.
 */
export function tokenAdvantages(turns: readonly TurnKey[], result: HAEResult, responses: readonly ResponseMasks[]): TokenAdvantages[] {
  const index = indexTurns(turns);
  return responses.map((response, r) => {
    const length = checkMasks(response, r);
    const i = locate(index, response, r);
    const boundary = result.isBoundary[i] === 1;
    const low = result.advLow[i] as number;
    const high = result.advHigh[i] as number;
    const term = result.advTerm[i] as number;
    const advantages = new Float64Array(length);
    const lossMask = new Uint8Array(length);
    for (let p = 0; p < length; p++) {
      if (response.actionMask[p]) {
        advantages[p] = low;
        lossMask[p] = 1;
      } else if (response.switchMask[p]) {
        advantages[p] = term;
        lossMask[p] = 1;
      } else if (response.subgoalMask[p] && boundary) {
        advantages[p] = high;
        lossMask[p] = 1;
      }
    }
    return { advantages, lossMask };
  });
}

/**
 * The flat baseline's token assignment: the turn's single advantage A_t broadcast to every token of the
 * union of the three masks (switch, subgoal and action alike), which is also the loss mask.
 */
export function flatTokenAdvantages(turns: readonly TurnKey[], result: TurnGAEResult, responses: readonly ResponseMasks[]): TokenAdvantages[] {
  const index = indexTurns(turns);
  return responses.map((response, r) => {
    const length = checkMasks(response, r);
    const a = result.advantages[locate(index, response, r)] as number;
    const advantages = new Float64Array(length);
    const lossMask = new Uint8Array(length);
    for (let p = 0; p < length; p++) {
      if (response.actionMask[p] || response.switchMask[p] || response.subgoalMask[p]) {
        advantages[p] = a;
        lossMask[p] = 1;
      }
    }
    return { advantages, lossMask };
  });
}

/**
 * Index into a prompt+response sequence of the hidden state that scores response token `responseIndex`:
 * `promptLength + responseIndex - 1`, the position just BEFORE the token. A causal critic's state there has
 * seen everything up to, not including, the token (the off-by-one of verl issue #1960: reading the token's own
 * position leaks it into its value).
 */
export function valueReadPosition(promptLength: number, responseIndex: number): number {
  if (!Number.isInteger(promptLength) || promptLength < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `promptLength must be an integer >= 1; got ${describeValue(promptLength)}`, { field: 'promptLength' });
  }
  if (!Number.isInteger(responseIndex) || responseIndex < 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', `responseIndex must be a non-negative integer; got ${describeValue(responseIndex)}`, { field: 'responseIndex' });
  }
  return promptLength + responseIndex - 1;
}

/** Where the three critic heads read one response, as absolute sequence positions (see {@link valueReadPosition}). */
export interface CriticReadPositions {
  /** V_H(s_t, g_{t-1}): scores response index 0 (used on boundary turns). */
  high: number;
  /** V_L(s_t, g_t): scores the first token after the subgoal span (fallback: after the switch span, then index 0). */
  low: number;
  /** V_beta(s_t, g_{t-1}): scores response index 0. */
  term: number;
  /** The response index V_L scores (the first action-side token). */
  lowResponseIndex: number;
}

/**
 * The read positions of HiPER's three critic heads for one response with prompt length `promptLength`:
 * V_H and V_beta score the first response token, V_L the first token after `</subgoal>` (falling back to the
 * first after `</switch>`, then to index 0), each read at the position before that token, so V_L has seen
 * the subgoal g_t but not the action (HiPER, Peng et al. 2026, section 3; released `compute_value_mask`).
 */
export function criticReadPositions(promptLength: number, masks: Pick<ResponseMasks, 'switchMask' | 'subgoalMask'>): CriticReadPositions {
  const afterSpan = (mask: ArrayLike<number>): number => {
    let end = -1;
    for (let p = 0; p < mask.length; p++) if (mask[p]) end = p;
    return end < 0 || end + 1 >= mask.length ? -1 : end + 1;
  };
  let lowResponseIndex = afterSpan(masks.subgoalMask);
  if (lowResponseIndex < 0) lowResponseIndex = afterSpan(masks.switchMask);
  if (lowResponseIndex < 0) lowResponseIndex = 0;
  const start = valueReadPosition(promptLength, 0);
  return { high: start, term: start, low: valueReadPosition(promptLength, lowResponseIndex), lowResponseIndex };
}
