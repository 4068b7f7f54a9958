/**
 * The columnar (structure-of-arrays) form of a batch of turns, and the conversion from turn records. The
 * estimators run on columns; the record form is a convenience that is validated and converted once.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { checkTurnFlag, checkTurnNumber, type FlatTurn, type HierarchicalTurn, type TrajectoryId, turnLabel } from './turns.js';

/**
 * A batch of hierarchical turns as parallel arrays (one entry per turn, any order). `done` and `isSwitch` take
 * 0/1 or booleans. `vTerm`, `vLowPrev` and `switchProb` are optional columns (see {@link HierarchicalTurn}).
 */
export interface HierarchicalTurnColumns {
  trajId: ArrayLike<TrajectoryId>;
  turnIdx: ArrayLike<number>;
  reward: ArrayLike<number>;
  done: ArrayLike<boolean | number>;
  isSwitch: ArrayLike<boolean | number>;
  vLow: ArrayLike<number>;
  vHigh: ArrayLike<number>;
  vTerm?: ArrayLike<number>;
  vLowPrev?: ArrayLike<number>;
  switchProb?: ArrayLike<number>;
}

/** A batch of flat turns as parallel arrays (see {@link FlatTurn}). */
export interface FlatTurnColumns {
  trajId: ArrayLike<TrajectoryId>;
  turnIdx: ArrayLike<number>;
  reward: ArrayLike<number>;
  done: ArrayLike<boolean | number>;
  value: ArrayLike<number>;
}

const OPTIONAL_HIERARCHICAL = ['vTerm', 'vLowPrev', 'switchProb'] as const;

/**
 * Converts turn records to columns, checking every field: `BAD_INPUT` for a record that is not an object or a
 * flag that is not a boolean, `NON_FINITE` for a non-finite reward or value, and `BAD_INPUT` when an optional
 * value is present on some turns but not others; each error names the trajectory and turn.
 */
export function hierarchicalColumns(turns: readonly HierarchicalTurn[], field = 'turns'): HierarchicalTurnColumns {
  if (!Array.isArray(turns)) throw new UnbiasedError('BAD_INPUT', `${field} must be an array of turn records`, { field });
  const n = turns.length;
  const trajId: TrajectoryId[] = new Array(n);
  const turnIdx = new Float64Array(n);
  const reward = new Float64Array(n);
  const done = new Uint8Array(n);
  const isSwitch = new Uint8Array(n);
  const vLow = new Float64Array(n);
  const vHigh = new Float64Array(n);
  const optional = { vTerm: new Float64Array(n), vLowPrev: new Float64Array(n), switchProb: new Float64Array(n) };
  const present = { vTerm: 0, vLowPrev: 0, switchProb: 0 };
  for (let i = 0; i < n; i++) {
    const turn = turns[i];
    if (typeof turn !== 'object' || turn === null) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be a turn record`, { field: `${field}[${i}]` });
    const id = turn.trajId;
    const t = turn.turnIdx;
    trajId[i] = id;
    turnIdx[i] = t;
    reward[i] = checkTurnNumber(turn.reward, 'reward', id, t, i, field);
    vLow[i] = checkTurnNumber(turn.vLow, 'vLow', id, t, i, field);
    vHigh[i] = checkTurnNumber(turn.vHigh, 'vHigh', id, t, i, field);
    done[i] = checkTurnFlag(turn.done, 'done', id, t, i, field) ? 1 : 0;
    isSwitch[i] = checkTurnFlag(turn.isSwitch, 'isSwitch', id, t, i, field) ? 1 : 0;
    for (const name of OPTIONAL_HIERARCHICAL) {
      const value = turn[name];
      if (value === undefined) continue;
      optional[name][i] = checkTurnNumber(value, name, id, t, i, field);
      present[name]++;
    }
  }
  const columns: HierarchicalTurnColumns = { trajId, turnIdx, reward, done, isSwitch, vLow, vHigh };
  for (const name of OPTIONAL_HIERARCHICAL) {
    if (present[name] === 0) continue;
    if (present[name] !== n) {
      const i = turns.findIndex((turn) => turn[name] === undefined);
      const turn = turns[i] as HierarchicalTurn;
      throw new UnbiasedError(
        'BAD_INPUT',
        `${turnLabel(turn.trajId, turn.turnIdx)} (${field}[${i}]): ${name} is missing but ${present[name]} other turns carry it; give it on every turn or on none`,
        { field: `${field}[${i}].${name}` },
      );
    }
    columns[name] = optional[name];
  }
  return columns;
}

/** Converts flat turn records to columns with the same checks as {@link hierarchicalColumns}. */
export function flatColumns(turns: readonly FlatTurn[], field = 'turns'): FlatTurnColumns {
  if (!Array.isArray(turns)) throw new UnbiasedError('BAD_INPUT', `${field} must be an array of turn records`, { field });
  const n = turns.length;
  const trajId: TrajectoryId[] = new Array(n);
  const turnIdx = new Float64Array(n);
  const reward = new Float64Array(n);
  const done = new Uint8Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const turn = turns[i];
    if (typeof turn !== 'object' || turn === null) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be a turn record`, { field: `${field}[${i}]` });
    trajId[i] = turn.trajId;
    turnIdx[i] = turn.turnIdx;
    reward[i] = checkTurnNumber(turn.reward, 'reward', turn.trajId, turn.turnIdx, i, field);
    value[i] = checkTurnNumber(turn.value, 'value', turn.trajId, turn.turnIdx, i, field);
    done[i] = checkTurnFlag(turn.done, 'done', turn.trajId, turn.turnIdx, i, field) ? 1 : 0;
  }
  return { trajId, turnIdx, reward, done, value };
}

/**
 * Checks that column `name` has `n` entries and (for value columns) only finite numbers, naming the
 * trajectory and turn of the first bad entry.
 */
export function checkColumn(
  columns: { trajId: ArrayLike<TrajectoryId>; turnIdx: ArrayLike<number> },
  name: string,
  values: ArrayLike<number | boolean> | undefined,
  finite: boolean,
  field = 'columns',
): void {
  const n = columns.trajId.length;
  if (values === undefined || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new UnbiasedError('BAD_INPUT', `${field}.${name} is missing: expected an array of ${n} entries`, { field: `${field}.${name}` });
  }
  if (values.length !== n) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field}.${name} has ${values.length} entries but there are ${n} turns`, { field: `${field}.${name}` });
  }
  if (!finite) return;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    // `v - v === 0` is false exactly for NaN and ±Infinity (and non-numbers), in one comparison.
    if (typeof v !== 'number' || v - v !== 0) {
      checkTurnNumber(v, name, columns.trajId[i] as TrajectoryId, columns.turnIdx[i] as number, i, field);
    }
  }
}

/**
 * {@link checkColumn} for several value columns at once, in one pass: `x - x` is 0 for a finite number and NaN
 * otherwise, so one sum per turn screens every column and only a bad turn pays for the named error.
 */
export function checkFiniteColumns(
  columns: { trajId: ArrayLike<TrajectoryId>; turnIdx: ArrayLike<number> },
  named: readonly (readonly [string, ArrayLike<number> | undefined])[],
  field = 'columns',
): void {
  for (const [name, values] of named) checkColumn(columns, name, values, false, field);
  const arrays = named.map(([, values]) => values as ArrayLike<number>);
  const n = columns.trajId.length;
  const [a = arrays[0], b = a, c = b, d = c] = arrays as (ArrayLike<number> | undefined)[];
  if (!a || !b || !c || !d) return;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const z = c[i] as number;
    const w = d[i] as number;
    if (x - x + (y - y) + (z - z) + (w - w) !== 0) {
      for (const [name, values] of named) checkTurnNumber((values as ArrayLike<number>)[i], name, columns.trajId[i] as TrajectoryId, columns.turnIdx[i] as number, i, field);
    }
  }
  for (let j = 4; j < arrays.length; j++) checkColumn(columns, named[j]?.[0] as string, arrays[j], true, field);
}
