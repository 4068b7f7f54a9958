import { describe, expect, it } from 'vitest';
import { computeHAE, criticReadPositions, flatTokenAdvantages, type HierarchicalTurn, shapeRewards, tokenAdvantages, turnGAE, valueReadPosition } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

const turns: HierarchicalTurn[] = [
  { trajId: 'a', turnIdx: 0, reward: 0, done: false, isSwitch: true, vLow: 0.1, vHigh: 0.2, vTerm: 0.3 },
  { trajId: 'a', turnIdx: 1, reward: 1, done: true, isSwitch: false, vLow: 0.4, vHigh: 0.5, vTerm: 0.6 },
];
//                switch  subgoal  action
const masks = (trajId: string, turnIdx: number) => ({
  trajId,
  turnIdx,
  switchMask: [1, 1, 0, 0, 0, 0, 0],
  subgoalMask: [0, 0, 1, 1, 0, 0, 0],
  actionMask: [0, 0, 0, 0, 1, 1, 0],
});

describe('token assignment', () => {
  it('puts A^L on action tokens, A^beta on switch tokens, A^H on subgoal tokens of boundary turns only', () => {
    const result = computeHAE(turns, { normAdv: false });
    const [first, second] = tokenAdvantages(turns, result, [masks('a', 0), masks('a', 1)]);
    const a0 = [result.advTerm[0], result.advTerm[0], result.advHigh[0], result.advHigh[0], result.advLow[0], result.advLow[0], 0];
    expect(Array.from(first?.advantages ?? [])).toEqual(a0);
    expect(Array.from(first?.lossMask ?? [])).toEqual([1, 1, 1, 1, 1, 1, 0]);
    // KEEP turn: the copied subgoal gets neither an advantage nor a place in the loss mask.
    expect(Array.from(second?.advantages ?? [])).toEqual([result.advTerm[1], result.advTerm[1], 0, 0, result.advLow[1], result.advLow[1], 0]);
    expect(Array.from(second?.lossMask ?? [])).toEqual([1, 1, 0, 0, 1, 1, 0]);
  });

  it('the flat baseline broadcasts A_t to every masked token of the turn', () => {
    const flatTurns = turns.map((t) => ({ trajId: t.trajId, turnIdx: t.turnIdx, reward: t.reward, done: t.done, value: t.vLow }));
    const gae = turnGAE(flatTurns, { normAdv: false });
    const [first] = flatTokenAdvantages(flatTurns, gae, [masks('a', 0)]);
    // gamma = lam = 1: A_0 = r_0 + r_1 - V_0 = 1 - 0.1.
    expectClose(gae.advantages[0] as number, 0.9, 1e-15);
    expect(Array.from(first?.advantages ?? [])).toEqual([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0].map((x) => (x === 0 ? 0 : (gae.advantages[0] as number))));
  });

  it('rejects unknown trajectories and turns, missing masks and overlapping masks, naming the trajectory and turn', () => {
    const result = computeHAE(turns);
    expectUnbiasedError(() => tokenAdvantages(turns, result, [masks('b', 0)]), 'BAD_INPUT', 'responses[0].trajId', 'unknown trajectory "b"');
    expectUnbiasedError(() => tokenAdvantages(turns, result, [masks('a', 7)]), 'BAD_INPUT', 'responses[0].turnIdx', 'trajectory "a" turn 7');
    const { actionMask: _, ...noAction } = masks('a', 1);
    expectUnbiasedError(
      () => tokenAdvantages(turns, result, [noAction as unknown as ReturnType<typeof masks>]),
      'BAD_INPUT',
      'responses[0].actionMask',
      'trajectory "a" turn 1',
    );
    const overlap = { ...masks('a', 0), actionMask: [0, 1, 0, 0, 1, 1, 0] };
    expectUnbiasedError(() => tokenAdvantages(turns, result, [overlap]), 'BAD_INPUT', 'responses[0]', 'token 1 is in more than one mask');
  });
});

describe('critic read positions (verl#1960: the value of a token is read at the position BEFORE it)', () => {
  // Prompt (5 tokens) + response; a causal critic's hidden state at position p has seen tokens[0..p].
  const prompt = ['<s>', 'task', 'obs', 'goal:', 'open'];
  const response = ['<switch>', 'SWITCH', '</switch>', '<subgoal>', 'get-key', '</subgoal>', '<action>', 'take', 'key', '</action>'];
  const sequence = [...prompt, ...response];
  const seenAt = (position: number) => new Set(sequence.slice(0, position + 1).map((token, i) => `${i}:${token}`));
  const responseToken = (i: number) => `${prompt.length + i}:${response[i]}`;
  const switchMask = response.map((_, i) => (i <= 2 ? 1 : 0));
  const subgoalMask = response.map((_, i) => (i >= 3 && i <= 5 ? 1 : 0));

  it('every response token is scored by a state that has seen all tokens before it and not the token itself', () => {
    for (let i = 0; i < response.length; i++) {
      const seen = seenAt(valueReadPosition(prompt.length, i));
      for (let j = 0; j < i; j++) expect(seen.has(responseToken(j))).toBe(true);
      expect(seen.has(responseToken(i))).toBe(false);
    }
  });

  it('V_L sees the whole subgoal span and no action token; V_H and V_beta see no response token', () => {
    const read = criticReadPositions(prompt.length, { switchMask, subgoalMask });
    expect(read.lowResponseIndex).toBe(6);
    const low = seenAt(read.low);
    for (let i = 0; i <= 5; i++) expect(low.has(responseToken(i))).toBe(true);
    for (let i = 6; i < response.length; i++) expect(low.has(responseToken(i))).toBe(false);
    for (const position of [read.high, read.term]) {
      expect(position).toBe(prompt.length - 1);
      for (let i = 0; i < response.length; i++) expect(seenAt(position).has(responseToken(i))).toBe(false);
    }
  });

  it('falls back to the token after </switch>, then to index 0, when there is no subgoal span', () => {
    expect(criticReadPositions(5, { switchMask, subgoalMask: response.map(() => 0) }).lowResponseIndex).toBe(3);
    expect(criticReadPositions(5, { switchMask: response.map(() => 0), subgoalMask: response.map(() => 0) }).lowResponseIndex).toBe(0);
  });
});

describe('reward shaping', () => {
  it('adds the normalised keep penalty, the consistency penalty and the invalid-action penalty (ALFWorld defaults)', () => {
    const shaped = shapeRewards([
      { trajId: 0, turnIdx: 0, reward: 0, isSwitch: false, subgoal: 'find key' },
      { trajId: 0, turnIdx: 1, reward: 0, isSwitch: false, subgoal: 'find key', actionValid: false },
      { trajId: 0, turnIdx: 2, reward: 0, isSwitch: false, subgoal: 'open door' },
      { trajId: 0, turnIdx: 3, reward: 1, isSwitch: true, subgoal: 'leave' },
    ]);
    // T = 4: keep turns 1 and 2 get -0.3 / 4; turn 2 changed its subgoal on KEEP (-0.3); turn 1 was invalid (-0.1).
    const expected = [0, -0.075 - 0.1, -0.075 - 0.3, 1];
    expected.forEach((e, i) => {
      expectClose(shaped[i] as number, e, 1e-12);
    });
  });

  it('per-turn mode and custom values; a missing subgoal with the consistency penalty on is an error', () => {
    const shaped = shapeRewards(
      [
        { trajId: 'x', turnIdx: 1, reward: 0, isSwitch: false },
        { trajId: 'x', turnIdx: 0, reward: 0, isSwitch: true },
      ],
      { keepPenalty: -3.5, keepPenaltyMode: 'per-turn', consistencyPenalty: 0 },
    );
    expect(Array.from(shaped)).toEqual([-3.5, 0]);
    expectUnbiasedError(
      () =>
        shapeRewards([
          { trajId: 'x', turnIdx: 0, reward: 0, isSwitch: true, subgoal: 'a' },
          { trajId: 'x', turnIdx: 1, reward: 0, isSwitch: false },
        ]),
      'BAD_INPUT',
      'turns[1].subgoal',
      'trajectory "x" turn 1',
    );
  });
});
