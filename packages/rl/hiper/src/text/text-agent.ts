/**
 * A token-level hierarchical agent on {@link TextKeyDoorTask}: a tfjs policy writes
 * `<switch> X </switch> <subgoal> G </subgoal> <action> V O </action>` one token at a time, the text is parsed
 * with {@link parseHierarchicalResponse}, and PPO trains it with HiPER's hierarchical advantages on the
 * switch / subgoal / action token spans (Peng et al. 2026, sections 3-4) or with the flat turn-level GAE
 * broadcast to every response token.
 */
import * as tf from '@tensorflow/tfjs-core';
import { chain, type Rng, scaleByAdam, scaleByLearningRate } from '@unbiased/core';
import { checkChoice, checkInteger, checkNumber, checkOptions, UnbiasedError } from '@unbiased/core/errors';
import { computeHAE } from '../hae/hae.js';
import { type ShapingOptions, shapeRewards } from '../hae/shaping.js';
import { criticReadPositions, flatTokenAdvantages, tokenAdvantages } from '../hae/token-advantages.js';
import { turnGAE } from '../hae/turn-gae.js';
import { tokenLogProbs } from '../ppo/losses.js';
import { type PPOBatch, PPOTrainer } from '../ppo/trainer.js';
import { PrefixBagPolicy } from './prefix-policy.js';
import { type ParsedResponse, parseHierarchicalResponse, spanTokenMasks } from './tags.js';
import {
  TEXT_KEY_DOOR_PROMPT_LENGTH,
  TEXT_KEY_DOOR_VOCABULARY,
  type TextKeyDoorOptions,
  TextKeyDoorTask,
  textKeyDoorTokenId,
  tokenizeTextKeyDoor,
} from './text-key-door.js';

/**
 * The response template: a fixed tag token, or the words a sampled slot may take (switch word, subgoal,
 * verb, object). Tags are written by the decoder (probability 1); the four slots are sampled.
 */
export const TEXT_RESPONSE_TEMPLATE: readonly (string | readonly string[])[] = [
  '<switch>',
  ['KEEP', 'SWITCH'],
  '</switch>',
  '<subgoal>',
  ['room', 'key', 'door'],
  '</subgoal>',
  '<action>',
  ['go', 'take', 'open'],
  ['room', 'key', 'door', 'hall'],
  '</action>',
];

/** Tokens per response (10). */
export const TEXT_RESPONSE_LENGTH = TEXT_RESPONSE_TEMPLATE.length;
/** Tokens per turn sequence: the observation prompt then the response (16). */
export const TEXT_SEQUENCE_LENGTH = TEXT_KEY_DOOR_PROMPT_LENGTH + TEXT_RESPONSE_LENGTH;
/** Scored positions per turn sequence (15): position t scores token t + 1. */
export const TEXT_SCORED_LENGTH = TEXT_SEQUENCE_LENGTH - 1;
const FORBIDDEN = -1e4;
const HEADS = 3;

/**
 * The template-constrained decoding bias, `[TEXT_SCORED_LENGTH, vocabulary]` row-major: position t (predicting
 * token t + 1) allows every token inside the prompt, only the tag at a tag slot, and only the slot's words at a
 * sampled slot (`-1e4` elsewhere, which is exactly probability 0 in float32).
 */
export function textKeyDoorLogitBias(): Float32Array {
  const V = TEXT_KEY_DOOR_VOCABULARY.length;
  const bias = new Float32Array(TEXT_SCORED_LENGTH * V);
  TEXT_RESPONSE_TEMPLATE.forEach((slot, i) => {
    const row = (TEXT_KEY_DOOR_PROMPT_LENGTH + i - 1) * V;
    bias.fill(FORBIDDEN, row, row + V);
    for (const word of typeof slot === 'string' ? [slot] : slot) bias[row + textKeyDoorTokenId(word)] = 0;
  });
  return bias;
}

/** Response text of response token ids (space-separated words) and each token's character span in it. */
export function detokenizeResponse(ids: ArrayLike<number>): { text: string; offsets: (readonly [number, number])[] } {
  const offsets: (readonly [number, number])[] = [];
  let text = '';
  for (let i = 0; i < ids.length; i++) {
    const word = TEXT_KEY_DOOR_VOCABULARY[ids[i] as number];
    if (word === undefined) throw new UnbiasedError('BAD_INPUT', `token id ${ids[i]} is not in the vocabulary`, { field: `ids[${i}]` });
    if (i > 0) text += ' ';
    offsets.push([text.length, text.length + word.length]);
    text += word;
  }
  return { text, offsets };
}

/** One turn of a rollout: its token sequence, the parsed response, its span masks and what the environment said. */
export interface TextTurnRecord {
  episode: number;
  turn: number;
  /** Prompt + response token ids ({@link TEXT_SEQUENCE_LENGTH}). */
  tokens: Int32Array;
  response: string;
  parsed: ParsedResponse;
  /** Span masks over the response tokens (tags included). */
  masks: { switchMask: Uint8Array; subgoalMask: Uint8Array; actionMask: Uint8Array };
  /** 1 on the response tokens the policy sampled (the tag tokens are forced). */
  sampled: Uint8Array;
  valid: boolean;
  reward: number;
  done: boolean;
  truncated: boolean;
}

/** A batch of episodes: every turn, the behaviour log-probabilities and the critic's values at rollout time. */
export interface TextRollout {
  rows: TextTurnRecord[];
  /** [rows, TEXT_SCORED_LENGTH] log-probabilities of the tokens under the behaviour policy. */
  oldLogProbs: Float32Array;
  /** [rows, TEXT_SCORED_LENGTH, 3] the critic's heads at every position. */
  values: Float32Array;
  /** 1 for each episode that opened the door within the budget. */
  success: Uint8Array;
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

/**
 * Plays `episodes` episodes in parallel: each turn the actor samples the four slots of the response token by
 * token (one forward pass per slot, inverse-CDF sampling from `rng`), the response is parsed and its action sent
 * to the environment. Afterwards one actor pass gives the behaviour log-probabilities and one critic pass the
 * values. Deterministic given the models and `rng`.
 */
export async function rolloutTextAgent(actor: PrefixBagPolicy, critic: PrefixBagPolicy, episodes: number, rng: Rng, envOptions?: TextKeyDoorOptions): Promise<TextRollout> {
  checkInteger('episodes', episodes, { min: 1 });
  const V = TEXT_KEY_DOOR_VOCABULARY.length;
  const P = TEXT_KEY_DOOR_PROMPT_LENGTH;
  const L = TEXT_SEQUENCE_LENGTH;
  const envs = Array.from({ length: episodes }, () => new TextKeyDoorTask(envOptions));
  const observations = envs.map((env, e) => env.reset(rng.fold(`reset-${e}`)).state);
  const sampler = rng.fold('tokens');
  const active = envs.map(() => true);
  const turnOf = envs.map(() => 0);
  const success = new Uint8Array(episodes);
  const rows: TextTurnRecord[] = [];
  const slots = TEXT_RESPONSE_TEMPLATE.map((slot, i) => (typeof slot === 'string' ? -1 : i)).filter((i) => i >= 0);
  while (active.some((a) => a)) {
    const live = active.flatMap((a, e) => (a ? [e] : []));
    const B = live.length;
    const tokens = new Int32Array(B * L);
    live.forEach((e, b) => {
      tokens.set(tokenizeTextKeyDoor(observations[e] as string), b * L);
      TEXT_RESPONSE_TEMPLATE.forEach((slot, i) => {
        if (typeof slot === 'string') tokens[b * L + P + i] = textKeyDoorTokenId(slot);
      });
    });
    for (const i of slots) {
      const probsTensor = tf.tidy(() => {
        const { logits, values } = actor.forward(tf.tensor2d(tokens, [B, L], 'int32'));
        values.dispose();
        return tf.softmax(tf.reshape(tf.slice(logits, [0, P + i - 1, 0], [B, 1, V]), [B, V]));
      });
      const probs = await readAndDispose(probsTensor);
      for (let b = 0; b < B; b++) {
        const u = sampler.next();
        let cumulative = 0;
        let pick = -1;
        for (let v = 0; v < V; v++) {
          const p = probs[b * V + v] as number;
          if (p <= 0) continue;
          pick = v;
          cumulative += p;
          if (u < cumulative) break;
        }
        tokens[b * L + P + i] = pick;
      }
    }
    live.forEach((e, b) => {
      const env = envs[e] as TextKeyDoorTask;
      const sequence = tokens.slice(b * L, (b + 1) * L);
      const { text, offsets } = detokenizeResponse(sequence.subarray(P));
      const parsed = parseHierarchicalResponse(text);
      const step = env.step(parsed.action);
      rows.push({
        episode: e,
        turn: turnOf[e] as number,
        tokens: sequence,
        response: text,
        parsed,
        masks: spanTokenMasks(offsets, parsed.spans),
        sampled: Uint8Array.from(TEXT_RESPONSE_TEMPLATE, (slot) => (typeof slot === 'string' ? 0 : 1)),
        valid: step.valid,
        reward: step.reward,
        done: step.done,
        truncated: step.truncated,
      });
      turnOf[e] = (turnOf[e] as number) + 1;
      observations[e] = step.observation.state;
      if (step.done) success[e] = 1;
      if (step.done || step.truncated) active[e] = false;
    });
  }
  const N = rows.length;
  const all = new Int32Array(N * L);
  rows.forEach((row, r) => {
    all.set(row.tokens, r * L);
  });
  const input = tf.tensor2d(all, [N, L], 'int32');
  const logProbTensor = tf.tidy(() => {
    const { logits, values } = actor.forward(input);
    values.dispose();
    return tokenLogProbs(logits, tf.slice(input, [0, 1], [N, L - 1]) as tf.Tensor2D).logProbs;
  });
  const valueTensor = tf.tidy(() => {
    const { logits, values } = critic.forward(input);
    logits.dispose();
    return values;
  });
  input.dispose();
  const oldLogProbs = await readAndDispose(logProbTensor);
  const values = await readAndDispose(valueTensor);
  return { rows, oldLogProbs, values, success };
}

/** Options of {@link textPPOBatch}. */
export interface TextBatchOptions {
  /** Discount (default 0.95, chosen for this task: it prefers shorter solutions). */
  gamma?: number;
  /** HAE's lambda_L and the flat GAE's lambda (default 1). */
  lamTurn?: number;
  /** HAE's lambda_H (default 0.95). */
  lamSeg?: number;
  /** Reward shaping on top of the environment's reward (keep / consistency penalties; the environment already charged the invalid penalty). */
  shaping?: Omit<ShapingOptions, 'invalidPenalty'>;
}

/**
 * The PPO batch of a rollout. Rewards: the environment's (success 1, invalid -0.1) plus HiPER's keep and
 * consistency penalties ({@link shapeRewards}). `'hae'`: the critic's three heads are read where
 * {@link criticReadPositions} says (V_H and V_beta before the first response token, V_L before the first
 * token after `</subgoal>`), {@link computeHAE} gives the three streams and {@link tokenAdvantages} puts A^beta
 * on the switch span, A^H on the subgoal span of boundary turns and A^L on the action span; the heads regress
 * on R^L, R^H (boundary turns) and R^beta at their read positions. `'flat'`: V = head 0 read before the first
 * response token, {@link turnGAE} (lambda = `lamTurn`) broadcast to all spans, head 0 regresses on R_t there.
 * Either way the loss mask keeps only sampled tokens (the forced tags carry no gradient).
 */
export function textPPOBatch(rollout: TextRollout, method: 'hae' | 'flat', options?: TextBatchOptions): PPOBatch {
  const m = checkChoice('method', method, ['hae', 'flat'] as const, 'hae');
  const o = checkOptions(options);
  const gamma = o.gamma === undefined ? 0.95 : checkNumber('gamma', o.gamma, { min: 0, max: 1 });
  const lamTurn = o.lamTurn === undefined ? 1 : checkNumber('lamTurn', o.lamTurn, { min: 0, max: 1 });
  const lamSeg = o.lamSeg === undefined ? 0.95 : checkNumber('lamSeg', o.lamSeg, { min: 0, max: 1 });
  const { rows, values } = rollout;
  const N = rows.length;
  const T = TEXT_SCORED_LENGTH;
  const P = TEXT_KEY_DOOR_PROMPT_LENGTH;
  const read = (r: number, position: number, head: number) => values[(r * T + position) * HEADS + head] as number;
  const rewards = shapeRewards(
    rows.map((row) => ({ trajId: row.episode, turnIdx: row.turn, reward: row.reward, isSwitch: row.parsed.isSwitch, subgoal: row.parsed.subgoal ?? '' })),
    { ...o.shaping, invalidPenalty: 0 },
  );
  const positions = rows.map((row) => criticReadPositions(P, row.masks));
  const keys = rows.map((row) => ({ trajId: row.episode, turnIdx: row.turn }));
  const responses = rows.map((row) => ({ trajId: row.episode, turnIdx: row.turn, ...row.masks }));
  const batch: PPOBatch = {
    batchSize: N,
    length: T,
    tokens: new Int32Array(N * (T + 1)),
    lossMask: new Float32Array(N * T),
    advantages: new Float32Array(N * T),
    oldLogProbs: rollout.oldLogProbs,
    refLogProbs: rollout.oldLogProbs,
    returns: new Float32Array(N * T * HEADS),
    oldValues: new Float32Array(N * T * HEADS),
    valueMask: new Float32Array(N * T * HEADS),
  };
  rows.forEach((row, r) => {
    batch.tokens.set(row.tokens, r * (T + 1));
  });
  const target = (r: number, position: number, head: number, value: number) => {
    const at = (r * T + position) * HEADS + head;
    batch.valueMask[at] = 1;
    batch.returns[at] = value;
    batch.oldValues[at] = read(r, position, head);
  };
  let perToken: { advantages: Float64Array; lossMask: Uint8Array }[];
  if (m === 'hae') {
    const turns = rows.map((row, r) => {
      const at = positions[r] as { low: number; high: number; term: number };
      return { trajId: row.episode, turnIdx: row.turn, reward: rewards[r] as number, done: row.done, isSwitch: row.parsed.isSwitch, vLow: read(r, at.low, 0), vHigh: read(r, at.high, 1), vTerm: read(r, at.term, 2) };
    });
    const hae = computeHAE(turns, { gamma, lamTurn, lamSeg });
    perToken = tokenAdvantages(keys, hae, responses);
    rows.forEach((_, r) => {
      const at = positions[r] as { low: number; high: number; term: number };
      target(r, at.low, 0, hae.retLow[r] as number);
      if (hae.isBoundary[r]) target(r, at.high, 1, hae.retHigh[r] as number);
      target(r, at.term, 2, hae.retTerm[r] as number);
    });
  } else {
    const flatTurns = rows.map((row, r) => ({ trajId: row.episode, turnIdx: row.turn, reward: rewards[r] as number, done: row.done, value: read(r, (positions[r] as { high: number }).high, 0) }));
    const flat = turnGAE(flatTurns, { gamma, lam: lamTurn });
    perToken = flatTokenAdvantages(keys, flat, responses);
    rows.forEach((_, r) => {
      target(r, (positions[r] as { high: number }).high, 0, flat.returns[r] as number);
    });
  }
  rows.forEach((row, r) => {
    const tokenAdv = perToken[r] as { advantages: Float64Array; lossMask: Uint8Array };
    // Response token i is scored at position P + i - 1 (the read-before rule).
    for (let i = 0; i < TEXT_RESPONSE_LENGTH; i++) {
      if (!tokenAdv.lossMask[i] || !row.sampled[i]) continue;
      batch.lossMask[r * T + P + i - 1] = 1;
      batch.advantages[r * T + P + i - 1] = tokenAdv.advantages[i] as number;
    }
  });
  return batch;
}

/** Options of {@link trainTextAgent}; the defaults are the `hiper-text-agent` experiment's. */
export interface TextAgentConfig {
  /** PPO iterations (default 30). */
  iterations?: number;
  /** Episodes per iteration (default 16). */
  episodes?: number;
  /** Hidden width of actor and critic (default 32). */
  hidden?: number;
  /** Adam learning rate of the actor (default 0.01) and of the critic (default 0.03; HiPER's critic is faster). */
  actorLearningRate?: number;
  criticLearningRate?: number;
  /** PPO epochs per batch (default 2). */
  epochs?: number;
  /** Entropy bonus (default 0.01). */
  entropyCoef?: number;
  /**
   * Critic warm-up: the first `criticWarmup` iterations update only the critic, the actor keeps its initial
   * policy (verl's `trainer.critic_warmup`; default 0, no warm-up). Used only by the experiment's report-only
   * sensitivity row, identically for both methods.
   */
  criticWarmup?: number;
  env?: TextKeyDoorOptions;
  batch?: TextBatchOptions;
}

/** Per-iteration results of {@link trainTextAgent}. */
export interface TextTrainingCurve {
  /** Fraction of the iteration's episodes that succeeded (before that iteration's update). */
  success: number[];
  /** Mean turns per episode. */
  turns: number[];
  /** Fraction of turns with an inadmissible action. */
  invalid: number[];
  /** Fraction of the turns after each episode's first (where the choice is free) on which the policy wrote SWITCH. */
  switchRate: number[];
}

/**
 * Trains a {@link PrefixBagPolicy} actor and critic (seeded from `seed`) on {@link TextKeyDoorTask} with
 * {@link PPOTrainer} (Adam, KL coefficient 0: there is no separate reference model in this toy), using HAE
 * or flat turn GAE advantages; returns the success rate per iteration (and turns, invalid and switch rates).
 * With `criticWarmup` k the first k iterations update only the critic. Frees every tensor it made.
 */
export async function trainTextAgent(method: 'hae' | 'flat', rng: Rng, seed: number, config?: TextAgentConfig): Promise<TextTrainingCurve> {
  const c = checkOptions(config);
  const iterations = c.iterations === undefined ? 30 : checkInteger('iterations', c.iterations, { min: 1 });
  const episodes = c.episodes === undefined ? 16 : checkInteger('episodes', c.episodes, { min: 1 });
  const hidden = c.hidden === undefined ? 32 : checkInteger('hidden', c.hidden, { min: 1 });
  const actorLr = c.actorLearningRate === undefined ? 0.01 : checkNumber('actorLearningRate', c.actorLearningRate, { min: 0, minInclusive: false });
  const criticLr = c.criticLearningRate === undefined ? 0.03 : checkNumber('criticLearningRate', c.criticLearningRate, { min: 0, minInclusive: false });
  const epochs = c.epochs === undefined ? 2 : checkInteger('epochs', c.epochs, { min: 1 });
  const entropyCoef = c.entropyCoef === undefined ? 0.01 : checkNumber('entropyCoef', c.entropyCoef, { min: 0 });
  const criticWarmup = c.criticWarmup === undefined ? 0 : checkInteger('criticWarmup', c.criticWarmup, { min: 0 });
  const bias = textKeyDoorLogitBias();
  const common = { vocabSize: TEXT_KEY_DOOR_VOCABULARY.length, hidden, maxLength: TEXT_SEQUENCE_LENGTH, logitBias: bias };
  const actor = new PrefixBagPolicy({ ...common, seed, name: `text-actor-${method}-${seed}` });
  const critic = new PrefixBagPolicy({ ...common, seed: seed + 1, name: `text-critic-${method}-${seed}` });
  const trainer = new PPOTrainer({
    actor,
    critic,
    actorTransform: chain(scaleByAdam(), scaleByLearningRate(actorLr)),
    criticTransform: chain(scaleByAdam(), scaleByLearningRate(criticLr)),
    klCoef: 0,
    entropyCoef,
    epochs,
  });
  const curve: TextTrainingCurve = { success: [], turns: [], invalid: [], switchRate: [] };
  try {
    for (let it = 0; it < iterations; it++) {
      const rollout = await rolloutTextAgent(actor, critic, episodes, rng.fold(it), c.env);
      let wins = 0;
      for (const s of rollout.success) wins += s;
      curve.success.push(wins / episodes);
      curve.turns.push(rollout.rows.length / episodes);
      curve.invalid.push(rollout.rows.filter((r) => !r.valid).length / rollout.rows.length);
      const later = rollout.rows.filter((r) => r.turn > 0);
      curve.switchRate.push(later.length === 0 ? 0 : later.filter((r) => r.parsed.isSwitch).length / later.length);
      await trainer.update(textPPOBatch(rollout, method, c.batch), { updateActor: it >= criticWarmup });
    }
  } finally {
    trainer.dispose();
    actor.dispose();
    critic.dispose();
  }
  return curve;
}
