import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import {
  detokenizeResponse,
  TEXT_KEY_DOOR_PROMPT_LENGTH,
  TEXT_KEY_DOOR_VOCABULARY,
  TEXT_SCORED_LENGTH,
  type TextRollout,
  type TextTurnRecord,
  TextKeyDoorTask,
  textKeyDoorLogitBias,
  textKeyDoorTokenId,
  textPPOBatch,
  tokenizeTextKeyDoor,
  parseHierarchicalResponse,
  spanTokenMasks,
} from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

/** Resets until the episode starts where `room` says (the start is the only random part). */
function startAt(env: TextKeyDoorTask, room: boolean, seed = 0) {
  for (let s = seed; s < seed + 200; s++) {
    const obs = env.reset(Rng.fromSeed(s));
    if (obs.state.startsWith(room ? 'at room' : 'at hall')) return obs;
  }
  throw new Error('no start found');
}

describe('TextKeyDoorTask', () => {
  it('admissible actions, the invalid penalty as a no-op, success within the budget', () => {
    const env = new TextKeyDoorTask({ horizon: 6 });
    expect(startAt(env, false).state).toBe('at hall holding nothing steps 6');
    expect(env.admissibleActions()).toEqual(['go room']);
    const bad = env.step('take key');
    expect(bad).toMatchObject({ reward: -0.1, valid: false, done: false, truncated: false });
    expect(bad.observation).toEqual({ state: 'at hall holding nothing steps 5', stepsTaken: 1, stepsRemaining: 5 });
    expect(env.step('  go room ')).toMatchObject({ reward: 0, valid: true, done: false });
    expect(env.admissibleActions()).toEqual(['go hall', 'take key']);
    expect(env.step('open door')).toMatchObject({ reward: -0.1, valid: false });
    const key = env.step('take key');
    expect(key.observation.state).toBe('at room holding key steps 2');
    expect(env.admissibleActions()).toEqual(['go hall', 'open door']);
    const win = env.step('open door');
    expect(win).toMatchObject({ reward: 1, done: true, truncated: false, valid: true });
    expect(win.observation.stepsTaken + win.observation.stepsRemaining).toBe(6);
    expectUnbiasedError(() => env.step('go hall'), 'BAD_STATE', 'action');
  });

  it('the budget is in every observation and truncates the episode', () => {
    const env = new TextKeyDoorTask({ horizon: 3, invalidPenalty: -0.5 });
    startAt(env, true);
    const steps = [env.step('dance'), env.step('go hall'), env.step('go room')];
    expect(steps.map((s) => s.observation.state)).toEqual(['at room holding nothing steps 2', 'at hall holding nothing steps 1', 'at room holding nothing steps 0']);
    expect(steps.map((s) => s.reward)).toEqual([-0.5, 0, 0]);
    expect(steps.map((s) => s.truncated)).toEqual([false, false, true]);
    expect(steps.every((s) => !s.done)).toBe(true);
    expectUnbiasedError(() => env.step('go hall'), 'BAD_STATE', 'action');
  });

  it('seeded: the same rng gives the same starts, and both starts occur', () => {
    const starts = (seed: number) => Array.from({ length: 40 }, (_, e) => new TextKeyDoorTask().reset(Rng.fromSeed(seed).fold(e)).state);
    expect(starts(7)).toEqual(starts(7));
    expect(new Set(starts(7)).size).toBe(2);
    expect(starts(7)).not.toEqual(starts(8));
    expect(starts(7).every((s) => s.endsWith('steps 10'))).toBe(true);
  });

  it('rejects bad options and inputs with UnbiasedError', () => {
    expectUnbiasedError(() => new TextKeyDoorTask({ horizon: 17 }), 'INVALID_HYPERPARAMETER', 'horizon');
    expectUnbiasedError(() => new TextKeyDoorTask({ invalidPenalty: 0.1 }), 'INVALID_HYPERPARAMETER', 'invalidPenalty');
    expectUnbiasedError(() => new TextKeyDoorTask().step('go room'), 'BAD_STATE', 'action');
    const env = new TextKeyDoorTask();
    env.reset(Rng.fromSeed(0));
    expectUnbiasedError(() => env.step(3 as unknown as string), 'INVALID_ARGUMENT', 'action');
    expectUnbiasedError(() => tokenizeTextKeyDoor('at garden'), 'BAD_INPUT', 'word');
  });
});

describe('tokens and the decoding template', () => {
  it('tokenises observations and round-trips responses with character offsets', () => {
    expect(tokenizeTextKeyDoor('at room holding key steps 7')).toHaveLength(TEXT_KEY_DOOR_PROMPT_LENGTH);
    const words = ['<switch>', 'KEEP', '</switch>', '<subgoal>', 'key', '</subgoal>', '<action>', 'take', 'key', '</action>'];
    const { text, offsets } = detokenizeResponse(words.map(textKeyDoorTokenId));
    expect(text).toBe(words.join(' '));
    expect(offsets.map(([a, b]) => text.slice(a, b))).toEqual(words);
  });

  it('the logit bias allows every token in the prompt, one tag at tag slots and the slot words at sampled slots', () => {
    const V = TEXT_KEY_DOOR_VOCABULARY.length;
    const bias = textKeyDoorLogitBias();
    expect(bias).toHaveLength(TEXT_SCORED_LENGTH * V);
    const allowed = (position: number) => TEXT_KEY_DOOR_VOCABULARY.filter((_, v) => bias[position * V + v] === 0);
    const P = TEXT_KEY_DOOR_PROMPT_LENGTH;
    for (let p = 0; p < P - 1; p++) expect(allowed(p)).toHaveLength(V);
    expect(allowed(P - 1)).toEqual(['<switch>']);
    expect(allowed(P)).toEqual(['KEEP', 'SWITCH']);
    expect(allowed(P + 3)).toEqual(['room', 'key', 'door']);
    expect(allowed(P + 6)).toEqual(['go', 'take', 'open']);
    expect(allowed(P + 7)).toEqual(['room', 'key', 'door', 'hall']);
    expect(allowed(P + 8)).toEqual(['</action>']);
  });
});

/** A rollout row written by hand: prompt, then the tagged response (all tags, then the given words). */
function row(episode: number, turn: number, obs: string, sw: string, goal: string, action: string, reward: number, done: boolean): TextTurnRecord {
  const words = ['<switch>', sw, '</switch>', '<subgoal>', goal, '</subgoal>', '<action>', ...action.split(' '), '</action>'];
  const ids = words.map(textKeyDoorTokenId);
  const { text, offsets } = detokenizeResponse(ids);
  const parsed = parseHierarchicalResponse(text);
  return {
    episode,
    turn,
    tokens: Int32Array.from([...tokenizeTextKeyDoor(obs), ...ids]),
    response: text,
    parsed,
    masks: spanTokenMasks(offsets, parsed.spans),
    sampled: Uint8Array.from(words, (_, i) => (i === 1 || i === 4 || i === 7 || i === 8 ? 1 : 0)),
    valid: reward >= 0,
    reward,
    done,
    truncated: false,
  };
}

describe('textPPOBatch', () => {
  // Episode 0: SWITCH, KEEP (same subgoal), KEEP (changed subgoal), done. Episode 1: one turn, done.
  const rows = [
    row(0, 0, 'at hall holding nothing steps 4', 'SWITCH', 'room', 'go room', 0, false),
    row(0, 1, 'at room holding nothing steps 3', 'KEEP', 'room', 'take door', -0.1, false),
    row(0, 2, 'at room holding nothing steps 2', 'KEEP', 'key', 'open door', 1, true),
    row(1, 0, 'at room holding key steps 4', 'SWITCH', 'door', 'open door', 1, true),
  ];
  const T = TEXT_SCORED_LENGTH;
  const P = TEXT_KEY_DOOR_PROMPT_LENGTH;
  // Values: a distinct number at every (row, position, head), so a wrong read position shows.
  const values = Float32Array.from({ length: rows.length * T * 3 }, (_, i) => Math.fround(0.001 * i));
  const rollout: TextRollout = { rows, oldLogProbs: new Float32Array(rows.length * T), values, success: Uint8Array.from([1, 1]) };
  const value = (r: number, p: number, h: number) => values[(r * T + p) * 3 + h] as number;

  it('flat: returns are discounted shaped Monte-Carlo returns (float64 reference), read and regressed before the first response token', () => {
    const batch = textPPOBatch(rollout, 'flat', { gamma: 0.9 });
    // Shaped rewards by hand: KEEP turns of a 3-turn episode pay -0.3/3; turn 2 also changed its subgoal (-0.3).
    const shaped = [0, -0.1 - 0.1, 1 - 0.1 - 0.3, 1];
    const returns = [shaped[0]! + 0.9 * (shaped[1]! + 0.9 * shaped[2]!), shaped[1]! + 0.9 * shaped[2]!, shaped[2]!, shaped[3]!];
    rows.forEach((_, r) => {
      for (let p = 0; p < T; p++) {
        for (let h = 0; h < 3; h++) {
          const at = (r * T + p) * 3 + h;
          const regressed = p === P - 1 && h === 0;
          expect(batch.valueMask[at]).toBe(regressed ? 1 : 0);
          if (regressed) {
            expect(batch.returns[at]).toBeCloseTo(returns[r]!, 6);
            expect(batch.oldValues[at]).toBe(value(r, P - 1, 0));
          }
        }
      }
      // The loss covers the four sampled tokens, each scored one position before it, with one advantage per turn.
      const scored = Array.from({ length: T }, (_, p) => batch.lossMask[r * T + p]);
      expect(scored.flatMap((m, p) => (m ? [p] : []))).toEqual([P, P + 3, P + 6, P + 7]);
      expect(new Set([P, P + 3, P + 6, P + 7].map((p) => batch.advantages[r * T + p])).size).toBe(1);
    });
  });

  it('HAE: each head read at its own position, subgoal tokens trained on boundary turns only', () => {
    const batch = textPPOBatch(rollout, 'hae', { gamma: 0.9 });
    rows.forEach((_, r) => {
      const regressed: [number, number][] = [];
      for (let p = 0; p < T; p++) for (let h = 0; h < 3; h++) if (batch.valueMask[(r * T + p) * 3 + h]) regressed.push([p, h]);
      const boundary = r !== 1 && r !== 2;
      // V_L reads at the `</subgoal>` token (it has seen the subgoal, not the action); V_H and V_beta before the response.
      expect(regressed).toEqual(boundary ? [[P - 1, 1], [P - 1, 2], [P + 5, 0]] : [[P - 1, 2], [P + 5, 0]]);
      for (const [p, h] of regressed) expect(batch.oldValues[(r * T + p) * 3 + h]).toBe(value(r, p, h));
      const scored = Array.from({ length: T }, (_, p) => batch.lossMask[r * T + p]).flatMap((m, p) => (m ? [p] : []));
      expect(scored).toEqual(boundary ? [P, P + 3, P + 6, P + 7] : [P, P + 6, P + 7]);
      expect(batch.advantages[r * T + P + 6]).toBe(batch.advantages[r * T + P + 7]);
    });
    // Episode 0 is one segment (SWITCH then KEEP, KEEP) ending in done, lambda_L = 1: R^L is the discounted
    // shaped return (float64 reference), as for the flat estimator.
    const shaped = [0, -0.2, 0.6];
    const expected = [shaped[0]! + 0.9 * (shaped[1]! + 0.9 * shaped[2]!), shaped[1]! + 0.9 * shaped[2]!, shaped[2]!];
    expected.forEach((ret, r) => {
      expect(batch.returns[(r * T + P + 5) * 3]).toBeCloseTo(ret, 6);
    });
  });

  it('rejects an unknown method', () => {
    expectUnbiasedError(() => textPPOBatch(rollout, 'gae' as 'flat'), 'INVALID_ARGUMENT', 'method');
  });
});
