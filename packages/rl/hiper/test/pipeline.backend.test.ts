import * as tf from '@tensorflow/tfjs-core';
import { chain, scaleByAdam, scaleByLearningRate } from '@unbiased/core';
import { expect, it } from 'vitest';
import {
  computeHAE,
  criticReadPositions,
  type HierarchicalTurn,
  isAdmissible,
  type PPOBatch,
  PPOTrainer,
  parseHierarchicalResponse,
  shapeRewards,
  spanTokenMasks,
  TinyTokenPolicy,
  tokenAdvantages,
} from '../src/index.js';

// One character per token (printable ASCII): the token-level path end to end, text -> masks -> HAE -> PPO.
const encode = (text: string) => Array.from(text, (c) => c.charCodeAt(0) - 32);
const PROMPT = 'obs: door locked; ';
const LENGTH = 64;

it('text responses -> parsed tags, shaped rewards, critic reads, HAE token advantages -> one PPO update', async () => {
  const episodes = [
    ['<switch>SWITCH</switch><subgoal>key</subgoal><action>take key</action>', '<switch>KEEP</switch><subgoal>key</subgoal><action>open door</action>'],
    ['<switch>SWITCH</switch><subgoal>door</subgoal><action>dance</action>', '<switch>SWITCH</switch><subgoal>key</subgoal><action>take key</action>'],
  ];
  const admissible = ['take key', 'open door', 'go north'];
  const start = tf.memory().numTensors;
  const actor = new TinyTokenPolicy({ vocabSize: 96, hidden: 8, maxLength: LENGTH + 1, seed: 3, name: 'pipeline-actor' });
  const critic = new TinyTokenPolicy({ vocabSize: 96, hidden: 8, maxLength: LENGTH + 1, seed: 4, name: 'pipeline-critic' });
  const rows = episodes.flatMap((responses, e) =>
    responses.map((response, t) => {
      const parsed = parseHierarchicalResponse(response);
      const offsets = Array.from(response, (_, i) => [i, i + 1] as const);
      return { e, t, response, parsed, masks: spanTokenMasks(offsets, parsed.spans), valid: isAdmissible(parsed.action, admissible) };
    }),
  );
  expect(rows.map((r) => r.valid)).toEqual([true, true, false, true]);
  const B = rows.length;
  const tokens = new Int32Array(B * (LENGTH + 1));
  rows.forEach((row, b) => {
    const ids = encode(PROMPT + row.response).slice(0, LENGTH + 1);
    tokens.set(ids, b * (LENGTH + 1));
  });
  // Critic values at every position; each head is read where criticReadPositions says (position before the token).
  const tokenTensor = tf.tensor2d(tokens, [B, LENGTH + 1], 'int32');
  const { logits, values } = critic.forward(tokenTensor);
  const valueData = await values.data();
  tf.dispose([tokenTensor, logits, values]);
  const read = (b: number, position: number, head: number) => valueData[(b * LENGTH + position) * 3 + head] as number;
  const positions = rows.map((row) => criticReadPositions(PROMPT.length, row.masks));
  const rewards = shapeRewards(rows.map((row) => ({ trajId: row.e, turnIdx: row.t, reward: row.t === 1 && row.e === 0 ? 1 : 0, isSwitch: row.parsed.isSwitch, subgoal: row.parsed.subgoal ?? '', actionValid: row.valid })));
  const turns: HierarchicalTurn[] = rows.map((row, b) => ({
    trajId: row.e,
    turnIdx: row.t,
    reward: rewards[b] as number,
    done: row.t === 1 && row.e === 0,
    isSwitch: row.parsed.isSwitch,
    vLow: read(b, positions[b]?.low as number, 0),
    vHigh: read(b, positions[b]?.high as number, 1),
    vTerm: read(b, positions[b]?.term as number, 2),
  }));
  const hae = computeHAE(turns, { gamma: 1, lamSeg: 0.95 });
  const perToken = tokenAdvantages(
    turns,
    hae,
    rows.map((row) => ({ trajId: row.e, turnIdx: row.t, ...row.masks })),
  );
  const scored = B * LENGTH;
  const batch: PPOBatch = {
    batchSize: B,
    length: LENGTH,
    tokens,
    lossMask: new Float32Array(scored),
    advantages: new Float32Array(scored),
    oldLogProbs: new Float32Array(scored).fill(-Math.log(96)),
    refLogProbs: new Float32Array(scored).fill(-Math.log(96)),
    returns: new Float32Array(scored * 3),
    oldValues: new Float32Array(scored * 3),
    valueMask: new Float32Array(scored * 3),
  };
  rows.forEach((row, b) => {
    const tokenAdv = perToken[b];
    // Response token i is predicted at position PROMPT.length + i - 1 (the read-before rule).
    for (let i = 0; i < row.response.length && PROMPT.length + i - 1 < LENGTH; i++) {
      const position = b * LENGTH + PROMPT.length + i - 1;
      batch.lossMask[position] = tokenAdv?.lossMask[i] as number;
      batch.advantages[position] = tokenAdv?.advantages[i] as number;
    }
    const heads = [positions[b]?.low, positions[b]?.high, positions[b]?.term] as number[];
    const targets = [hae.retLow[b], hae.retHigh[b], hae.retTerm[b]] as number[];
    heads.forEach((position, h) => {
      if (position >= LENGTH || (h === 1 && !hae.isBoundary[b])) return;
      batch.valueMask[(b * LENGTH + position) * 3 + h] = 1;
      batch.returns[(b * LENGTH + position) * 3 + h] = targets[h] as number;
      batch.oldValues[(b * LENGTH + position) * 3 + h] = read(b, position, h);
    });
  });
  // The invalid action of episode 1 turn 0 cost -0.1 on top of the normalised keep penalty structure.
  expect(rewards[2]).toBeCloseTo(-0.1, 12);
  const trainer = new PPOTrainer({ actor, critic, actorTransform: chain(scaleByAdam(), scaleByLearningRate(1e-2)), criticTransform: chain(scaleByAdam(), scaleByLearningRate(1e-2)) });
  const stats = await trainer.update(batch);
  for (const value of Object.values(stats)) expect(Number.isFinite(value)).toBe(true);
  expect(stats.valueLoss).toBeGreaterThan(0);
  trainer.dispose();
  actor.dispose();
  critic.dispose();
  expect(tf.memory().numTensors).toBe(start);
});
