import { describe, expect, it } from 'vitest';
import { computeHAE, computeHAEColumns, type HierarchicalTurn, KeyDoorChain, turnGAE } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

const turn = (trajId: string | number, turnIdx: number, extra: Partial<HierarchicalTurn> = {}): HierarchicalTurn => ({
  trajId,
  turnIdx,
  reward: 0,
  done: false,
  isSwitch: false,
  vLow: 0,
  vHigh: 0,
  ...extra,
});

describe('malformed turn records name the trajectory and turn', () => {
  it('a turn index given twice (non-monotone after sorting)', () => {
    expectUnbiasedError(() => computeHAE([turn('a', 0), turn('a', 1), turn('a', 1)]), 'BAD_INPUT', 'turns[2].turnIdx', 'trajectory "a" turn 1: two records');
  });
  it('a gap in the turn indices', () => {
    expectUnbiasedError(() => computeHAE([turn('a', 0), turn('a', 3)]), 'BAD_INPUT', 'turns[1].turnIdx', 'trajectory "a" turn 3: follows turn 0');
  });
  it('a negative or fractional turn index', () => {
    expectUnbiasedError(() => computeHAE([turn(4, -1)]), 'BAD_INPUT', 'turns[0].turnIdx', 'trajectory 4 turn -1');
    expectUnbiasedError(() => computeHAE([turn(4, 0.5)]), 'BAD_INPUT', 'turns[0].turnIdx', 'trajectory 4 turn 0.5');
  });
  it('done on a turn that is not the last', () => {
    expectUnbiasedError(() => computeHAE([turn('b', 0, { done: true }), turn('b', 1)]), 'BAD_INPUT', 'turns[0].done', 'trajectory "b" turn 0');
  });
  it('non-finite rewards and values', () => {
    expectUnbiasedError(() => computeHAE([turn('c', 0), turn('c', 1, { reward: Number.NaN })]), 'NON_FINITE', 'turns[1].reward', 'trajectory "c" turn 1');
    expectUnbiasedError(() => computeHAE([turn('c', 0, { vHigh: Number.POSITIVE_INFINITY })]), 'NON_FINITE', 'turns[0].vHigh', 'trajectory "c" turn 0');
    expectUnbiasedError(
      () => turnGAE([{ trajId: 'd', turnIdx: 0, reward: 0, done: true, value: Number.NaN }]),
      'NON_FINITE',
      'turns[0].value',
      'trajectory "d" turn 0',
    );
  });
  it('a value given on some turns only, or missing for the paper-form switch advantage', () => {
    expectUnbiasedError(() => computeHAE([turn('e', 0, { vTerm: 1 }), turn('e', 1)]), 'BAD_INPUT', 'turns[1].vTerm', 'trajectory "e" turn 1');
    expectUnbiasedError(() => computeHAE([turn('e', 0)], { termAdvantage: 'option-critic' }), 'BAD_INPUT', 'turns.vLowPrev', 'vLowPrev is missing');
  });
  it('a flag that is not a boolean is not coerced', () => {
    expectUnbiasedError(() => computeHAE([turn('f', 0, { isSwitch: 1 as unknown as boolean })]), 'BAD_INPUT', 'turns[0].isSwitch', 'trajectory "f" turn 0');
  });
  it('columns: a missing or short column, and a NaN value', () => {
    const base = { trajId: [0, 0], turnIdx: [0, 1], reward: [0, 1], done: [0, 1], isSwitch: [1, 0], vLow: [0, 0], vHigh: [0, 0] };
    expectUnbiasedError(() => computeHAEColumns({ ...base, vLow: undefined as unknown as number[] }), 'BAD_INPUT', 'columns.vLow');
    expectUnbiasedError(() => computeHAEColumns({ ...base, reward: [0] }), 'SHAPE_MISMATCH', 'columns.reward');
    expectUnbiasedError(() => computeHAEColumns({ ...base, vHigh: [0, Number.NaN] }), 'NON_FINITE', 'columns[1].vHigh', 'trajectory 0 turn 1');
  });
  it('bad options', () => {
    expectUnbiasedError(() => computeHAE([turn('g', 0)], { gamma: 1.5 }), 'INVALID_HYPERPARAMETER', 'gamma');
    expectUnbiasedError(() => computeHAE([turn('g', 0)], { termAdvantage: 'paper' as 'return' }), 'INVALID_ARGUMENT', 'termAdvantage');
  });
});

describe('KeyDoorChain', () => {
  it('advances only on the seeded correct action, ends on the last stage with reward 1, and at the budget with 0', () => {
    const env = new KeyDoorChain({ stages: 2, stepsPerStage: 2, actions: 3, horizon: 6, seed: 11 });
    env.reset();
    const wrong = (env.correctAction(0, 0) + 1) % 3;
    let step = env.step(wrong);
    expect(step.observation).toEqual({ state: { stage: 0, progress: 0 }, stepsTaken: 1, stepsRemaining: 5 });
    for (const [k, p] of [
      [0, 0],
      [0, 1],
      [1, 0],
    ] as const) {
      step = env.step(env.correctAction(k, p));
      expect(step.done).toBe(false);
    }
    step = env.step(env.correctAction(1, 1));
    expect([step.done, step.truncated, step.reward]).toEqual([true, false, 1]);
    env.reset();
    for (let t = 0; t < 6; t++) step = env.step(wrong);
    expect([step.done, step.truncated, step.reward]).toEqual([false, true, 0]);
    expectUnbiasedError(() => env.step(0), 'BAD_STATE', 'action');
    expectUnbiasedError(() => new KeyDoorChain({ stages: 0, stepsPerStage: 2, actions: 3, horizon: 6, seed: 1 }), 'INVALID_HYPERPARAMETER', 'stages');
  });
});
