/**
 * Turn records and their layout: every advantage estimator of the package groups the records by trajectory and
 * orders them by turn index, whatever order the batch arrives in, and rejects malformed records with an
 * `UnbiasedError` naming the trajectory and the turn.
 */
import { describeValue, UnbiasedError } from '@unbiased/core/errors';

/** A trajectory id: any string or number that identifies one episode within the batch. */
export type TrajectoryId = string | number;

/**
 * One turn of a hierarchical (plan-execute) agent, as a trainer hands it to {@link computeHAE}. Values are the
 * critic's three heads at that turn (HiPER, Peng et al. 2026, section 3: high-level V_H(s_t, g_{t-1}),
 * low-level V_L(s_t, g_t), termination V_beta(s_t, g_{t-1})).
 */
export interface HierarchicalTurn {
  trajId: TrajectoryId;
  /** 0-based turn index; within a trajectory the indices must be consecutive (any order in the batch). */
  turnIdx: number;
  /** The (shaped) turn reward r_t. */
  reward: number;
  /** The episode ended at this turn (terminal, no bootstrap); allowed on the last turn only. */
  done: boolean;
  /** The policy emitted SWITCH (a new subgoal) at this turn. The first turn is always a boundary. */
  isSwitch: boolean;
  /** V_L(s_t, g_t): the executor's value, conditioned on the subgoal in force at this turn. */
  vLow: number;
  /** V_H(s_t, g_{t-1}): the planner's value (used on boundary turns, and every turn in the paper-form switch advantage). */
  vHigh: number;
  /** V_beta(s_t, g_{t-1}): the switch head's value; omit it on every turn to use no baseline for the switch stream. */
  vTerm?: number;
  /** V_L(s_t, g_{t-1}): the executor's value under the previous subgoal; needed only by the paper-form switch advantage. */
  vLowPrev?: number;
  /** beta_t = P(SWITCH | s_t, g_{t-1}) under the behaviour policy; needed only by the paper-form switch advantage. */
  switchProb?: number;
}

/** A flat-agent turn for {@link turnGAE}: one value per turn. */
export interface FlatTurn {
  trajId: TrajectoryId;
  turnIdx: number;
  reward: number;
  done: boolean;
  /** V(s_t), read at the first response position. */
  value: number;
}

/**
 * How a batch of turn records is laid out: `order[starts[j] .. starts[j+1])` are the input positions of
 * trajectory j, in increasing turn index.
 */
export interface TurnLayout {
  order: Int32Array;
  starts: Int32Array;
  /** The trajectory ids, in order of first appearance (index j matches `starts[j]`). */
  ids: TrajectoryId[];
}

/** `trajectory "a" turn 3` (or `turn record 7` when the turn index itself is unusable). */
export function turnLabel(id: TrajectoryId, turnIdx: number): string {
  return `trajectory ${describeValue(id)} turn ${turnIdx}`;
}

function badTurn(field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', message, { field });
}

/**
 * Groups turn records by trajectory (in order of first appearance) and sorts each group by turn index, in O(n)
 * when the batch is already grouped and ordered (the usual case) and O(n log n) otherwise. Throws `BAD_INPUT`
 * naming the trajectory and turn when a turn index is not a non-negative integer, appears twice, or leaves a
 * gap, and when `done` is set on a turn that is not the trajectory's last.
 */
export function layoutTurns(
  trajIds: ArrayLike<TrajectoryId>,
  turnIdx: ArrayLike<number>,
  done?: ArrayLike<boolean | number>,
  field = 'turns',
): TurnLayout {
  const n = trajIds.length;
  if (turnIdx.length !== n) throw new UnbiasedError('SHAPE_MISMATCH', `${field}: ${n} trajectory ids but ${turnIdx.length} turn indices`, { field });
  const slot = new Map<TrajectoryId, number>();
  const ids: TrajectoryId[] = [];
  const group = new Int32Array(n);
  let sorted = true;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const id = trajIds[i] as TrajectoryId;
    const t = turnIdx[i] as number;
    if (typeof id !== 'string' && (typeof id !== 'number' || !Number.isFinite(id))) {
      badTurn(`${field}[${i}].trajId`, `${field}[${i}]: trajId must be a string or a finite number; got ${describeValue(id)}`);
    }
    if (!Number.isInteger(t) || t < 0) {
      badTurn(`${field}[${i}].turnIdx`, `${turnLabel(id, t)} (${field}[${i}]): turnIdx must be a non-negative integer; got ${describeValue(t)}`);
    }
    let g = i > 0 && id === trajIds[i - 1] ? previous : slot.get(id);
    if (g === undefined) {
      g = ids.length;
      slot.set(id, g);
      ids.push(id);
      if (i > 0 && g !== (group[i - 1] as number) + 1) sorted = false;
    } else if (g !== previous || t !== (turnIdx[i - 1] as number) + 1) {
      sorted = false;
    }
    group[i] = g;
    previous = g;
  }
  let order: Int32Array;
  if (sorted) {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = Int32Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => (group[a] as number) - (group[b] as number) || (turnIdx[a] as number) - (turnIdx[b] as number));
  }
  const starts = new Int32Array(ids.length + 1);
  let j = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const g = group[i] as number;
    if (k === 0 || g !== group[order[k - 1] as number]) {
      starts[j++] = k;
      continue;
    }
    const before = order[k - 1] as number;
    const t = turnIdx[i] as number;
    const tb = turnIdx[before] as number;
    const id = ids[g] as TrajectoryId;
    if (t === tb) {
      badTurn(`${field}[${i}].turnIdx`, `${turnLabel(id, t)}: two records (${field}[${before}] and ${field}[${i}]); turn indices must be strictly increasing within a trajectory`);
    }
    if (t !== tb + 1) {
      badTurn(`${field}[${i}].turnIdx`, `${turnLabel(id, t)}: follows turn ${tb}, turns ${tb + 1}..${t - 1} are missing; turn indices must be consecutive`);
    }
    if (done?.[before]) {
      badTurn(`${field}[${before}].done`, `${turnLabel(id, tb)}: done is set but turn ${t} follows it; only a trajectory's last turn can be terminal`);
    }
  }
  starts[ids.length] = n;
  return { order, starts, ids };
}

/** Throws `NON_FINITE` naming the trajectory, turn and field unless `value` is a finite number. */
export function checkTurnNumber(value: unknown, name: string, id: TrajectoryId, turnIdx: number, position: number, field = 'turns'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UnbiasedError('NON_FINITE', `${turnLabel(id, turnIdx)} (${field}[${position}]): ${name} must be a finite number; got ${describeValue(value)}`, {
      field: `${field}[${position}].${name}`,
    });
  }
  return value;
}

/** Throws `BAD_INPUT` naming the trajectory, turn and field unless `value` is a boolean. */
export function checkTurnFlag(value: unknown, name: string, id: TrajectoryId, turnIdx: number, position: number, field = 'turns'): boolean {
  if (typeof value !== 'boolean') {
    badTurn(`${field}[${position}].${name}`, `${turnLabel(id, turnIdx)} (${field}[${position}]): ${name} must be a boolean; got ${describeValue(value)}`);
  }
  return value;
}
