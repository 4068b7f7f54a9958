import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import {
  PrefixBagPolicy,
  rolloutTextAgent,
  TEXT_KEY_DOOR_PROMPT_LENGTH,
  TEXT_KEY_DOOR_VOCABULARY,
  TEXT_RESPONSE_TEMPLATE,
  TEXT_SCORED_LENGTH,
  TEXT_SEQUENCE_LENGTH,
  textAgentExperiment,
  textKeyDoorLogitBias,
  textPPOBatch,
  trainTextAgent,
} from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

const V = TEXT_KEY_DOOR_VOCABULARY.length;
const P = TEXT_KEY_DOOR_PROMPT_LENGTH;
const L = TEXT_SEQUENCE_LENGTH;
const T = TEXT_SCORED_LENGTH;

function models(seed: number) {
  const common = { vocabSize: V, hidden: 8, maxLength: L, logitBias: textKeyDoorLogitBias() };
  return { actor: new PrefixBagPolicy({ ...common, seed, name: `t-actor-${seed}` }), critic: new PrefixBagPolicy({ ...common, seed: seed + 1, name: `t-critic-${seed}` }) };
}

/** Deterministic weights for the output layers (zero at initialisation). */
async function randomiseOutputs(model: PrefixBagPolicy, seed: number): Promise<void> {
  const rng = Rng.fromSeed(seed);
  for (const v of [...model.policyVariables(), ...model.valueVariables()]) {
    if (!/out_|value_/.test(v.name)) continue;
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(rng.fold(v.name).normal(v.size, 0, 0.7)), v.shape)));
  }
}

describe('PrefixBagPolicy', () => {
  it('forward matches a float64 reference of tanh(E[x_t] + P[t] + mean_{s<=t} F[x_s]) W + b + bias', async () => {
    const start = tf.memory().numTensors;
    const model = new PrefixBagPolicy({ vocabSize: 5, hidden: 3, maxLength: 4, valueHeads: 2, seed: 9, name: 'ref-model', logitBias: Float32Array.from({ length: 15 }, (_, i) => (i % 4 === 0 ? -2 : 0)) });
    await randomiseOutputs(model, 1);
    const weights = new Map<string, Float32Array>();
    for (const v of [...model.policyVariables(), ...model.valueVariables()]) weights.set(v.name.split('/')[1] as string, (await v.data()) as Float32Array);
    const tokens = [
      [1, 4, 0, 2],
      [3, 3, 1, 0],
    ];
    const input = tf.tensor2d(tokens.flat(), [2, 4], 'int32');
    const { logits, values } = model.forward(input);
    const [got, gotValues] = [await logits.data(), await values.data()];
    tf.dispose([input, logits, values]);
    const w = (name: string) => weights.get(name) as Float32Array;
    tokens.forEach((row, b) => {
      for (let t = 0; t < 3; t++) {
        const h = [0, 1, 2].map((j) => {
          let bag = 0;
          for (let s = 0; s <= t; s++) bag += w('prefix_embedding')[(row[s] as number) * 3 + j] as number;
          return Math.tanh((w('embedding')[(row[t] as number) * 3 + j] as number) + (w('position')[t * 3 + j] as number) + bag / (t + 1));
        });
        for (let v = 0; v < 5; v++) {
          let ref = (w('out_bias')[v] as number) + ((t * 5 + v) % 4 === 0 ? -2 : 0);
          for (let j = 0; j < 3; j++) ref += (h[j] as number) * (w('out_weight')[j * 5 + v] as number);
          expect(got[(b * 3 + t) * 5 + v]).toBeCloseTo(ref, 5);
        }
        for (let k = 0; k < 2; k++) {
          let ref = w('value_bias')[k] as number;
          for (let j = 0; j < 3; j++) ref += (h[j] as number) * (w('value_weight')[j * 2 + k] as number);
          expect(gotValues[(b * 3 + t) * 2 + k]).toBeCloseTo(ref, 5);
        }
      }
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expectUnbiasedError(() => new PrefixBagPolicy({ vocabSize: 5, maxLength: 4, logitBias: new Float32Array(3) }), 'SHAPE_MISMATCH', 'logitBias');
  });
});

describe('the token-level text agent', () => {
  it('generates tagged responses: forced tags, sampled slots, masks, log-probs and read-before value positions', async () => {
    const { actor, critic } = models(3);
    await randomiseOutputs(actor, 2);
    await randomiseOutputs(critic, 4);
    const rollout = await rolloutTextAgent(actor, critic, 6, Rng.fromSeed(11));
    expect(rollout.rows.length).toBeGreaterThanOrEqual(6);
    rollout.rows.forEach((row, r) => {
      const words = Array.from(row.tokens.subarray(P), (id) => TEXT_KEY_DOOR_VOCABULARY[id]);
      TEXT_RESPONSE_TEMPLATE.forEach((slot, i) => {
        if (typeof slot === 'string') expect(words[i]).toBe(slot);
        else expect(slot).toContain(words[i]);
      });
      expect(row.response).toBe(words.join(' '));
      expect(row.parsed.action).toBe(`${words[7]} ${words[8]}`);
      expect(row.parsed.isSwitch).toBe(words[1] === 'SWITCH');
      expect(Array.from(row.masks.switchMask)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
      expect(Array.from(row.masks.subgoalMask)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
      expect(Array.from(row.masks.actionMask)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      // Forced tags have probability exactly 1; a sampled slot's log-probability is negative.
      for (let i = 0; i < TEXT_RESPONSE_TEMPLATE.length; i++) {
        const logp = rollout.oldLogProbs[r * T + P + i - 1] as number;
        if (row.sampled[i]) expect(logp).toBeLessThan(0);
        else expect(logp).toBe(0);
      }
    });
    // Each episode ends once: success or the budget.
    const last = new Map(rollout.rows.map((row) => [row.episode, row]));
    for (const [e, row] of last) {
      expect(row.done).toBe(rollout.success[e] === 1);
      expect(row.done || row.truncated).toBe(true);
    }
    // V_L reads at `</subgoal>` (position P + 5): changing the action tokens must not change it, but does change later positions.
    const row = rollout.rows[0]?.tokens as Int32Array;
    const other = row.slice();
    other[P + 7] = row[P + 7] === 9 ? 10 : 9;
    const input = tf.tensor2d([...row, ...other], [2, L], 'int32');
    const { logits, values } = critic.forward(input);
    const v = await values.data();
    tf.dispose([input, logits, values]);
    for (let p = 0; p <= P + 6; p++) for (let h = 0; h < 3; h++) expect(v[(T + p) * 3 + h]).toBe(v[p * 3 + h]);
    expect(v[(T + P + 7) * 3]).not.toBe(v[(P + 7) * 3]);
    const batch = textPPOBatch(rollout, 'hae');
    expect(batch.oldValues[(P + 5) * 3]).toBe(rollout.values[(P + 5) * 3]);
    actor.dispose();
    critic.dispose();
  });

  it('trains without leaking tensors, and the same seed gives the same numbers', async () => {
    const run = () => trainTextAgent('hae', Rng.fromSeed(5), 5, { iterations: 3, episodes: 4, hidden: 8 });
    await run();
    const start = tf.memory().numTensors;
    const a = await run();
    expect(tf.memory().numTensors).toBe(start);
    const b = await run();
    expect(b).toEqual(a);
    const flat = await trainTextAgent('flat', Rng.fromSeed(5), 5, { iterations: 3, episodes: 4, hidden: 8 });
    expect(tf.memory().numTensors).toBe(start);
    // The first iteration's episodes are sampled from the same initial policy with the same stream.
    expect(flat.success[0]).toBe(a.success[0]);
    for (const curve of [a, flat]) for (const s of curve.success) expect(s >= 0 && s <= 1).toBe(true);
  }, 120_000);

  it('criticWarmup k: the first k iterations leave the actor as it was, so with k = iterations both methods sample the same episodes', async () => {
    const options = { iterations: 3, episodes: 4, hidden: 8, criticWarmup: 3 };
    const hae = await trainTextAgent('hae', Rng.fromSeed(6), 6, options);
    const flat = await trainTextAgent('flat', Rng.fromSeed(6), 6, options);
    // Sampling depends only on the actor and the rng: an actor that never steps gives identical rollouts.
    expect(flat).toEqual(hae);
    expect(hae.switchRate).toHaveLength(3);
    for (const rate of hae.switchRate) expect(rate >= 0 && rate <= 1).toBe(true);
    const trained = await trainTextAgent('hae', Rng.fromSeed(6), 6, { ...options, criticWarmup: 0 });
    const trainedFlat = await trainTextAgent('flat', Rng.fromSeed(6), 6, { ...options, criticWarmup: 0 });
    // Without the warm-up the two methods' updates differ, and so do their later rollouts.
    expect(trainedFlat).not.toEqual(trained);
    await expect(trainTextAgent('hae', Rng.fromSeed(6), 6, { criticWarmup: -1 })).rejects.toMatchObject({ code: 'INVALID_HYPERPARAMETER', field: 'criticWarmup' });
  }, 120_000);

  it('hiper-text-agent (smoke): finite metrics, one row per method, mean ± sd bands', async () => {
    const result = await textAgentExperiment.run({ backend: tf.getBackend(), seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => {} });
    for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), name).toBe(true);
    expect(result.table?.rows).toHaveLength(2);
    const plot = result.plots?.[0];
    expect(plot?.kind).toBe('band');
    expect(plot?.series.map((s) => [s.name, s.role])).toEqual([
      ['HAE', 'method'],
      ['flat turn GAE', 'baseline'],
    ]);
    // The band is mean ± sd over the seeds: symmetric around the mean.
    for (const series of plot?.series ?? []) {
      expect(series.lower).toHaveLength(series.y.length);
      series.y.forEach((y, i) => {
        expect(series.lower?.[i]).toBeLessThanOrEqual(y);
        expect(series.upper?.[i]).toBeGreaterThanOrEqual(y);
        expect((series.lower![i]! + series.upper![i]!) / 2).toBeCloseTo(y, 12);
      });
    }
    expect(result.claim.text).toContain('success rate of 0.5');
    expect(typeof result.claim.holds).toBe('boolean');
  }, 120_000);
});
