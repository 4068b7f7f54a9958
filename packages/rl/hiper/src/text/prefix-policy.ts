import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { gatherRows } from '@unbiased/core/tfjs';
import { checkInteger, checkOptions, UnbiasedError } from '@unbiased/core/errors';
import type { PPOModel } from '../ppo/tiny-policy.js';

/** Options of {@link PrefixBagPolicy}. */
export interface PrefixBagPolicyOptions {
  vocabSize: number;
  /** Hidden width (default 32). */
  hidden?: number;
  /** Longest sequence (default 32). */
  maxLength?: number;
  /** Value heads (default 3: HiPER's V_L, V_H, V_beta). */
  valueHeads?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
  /** Variable-name prefix; two live models need different names (default 'prefix-policy'). */
  name?: string;
  /**
   * Optional constant logit bias, `[maxLength - 1, vocabSize]` row-major, added to the logits of scored
   * position t (which predicts token t+1): 0 for allowed tokens, a large negative number (e.g. -1e4) for
   * the others. Template-constrained decoding: the same bias applies when sampling and in the PPO loss, so
   * behaviour and trained log-probabilities agree exactly.
   */
  logitBias?: Float32Array;
}

/**
 * A tiny causal token model that sees its whole prefix (ours, not HiPER's LLM; a stand-in small enough to
 * train on a CPU in seconds): the state at position t is `h_t = tanh(E[x_t] + P[t] + (1/(t+1)) sum_{s<=t} F[x_s])`,
 * the current token, the position and the mean embedding of the prefix (a causal bag of words), with next-token
 * logits `h_t W + b (+ logitBias[t])` and value heads `h_t U + c`. The value at t scores token t+1 (the
 * read-before-the-token rule). Unlike {@link TinyTokenPolicy} (order 1), it can condition a response token on
 * the observation and on earlier response tokens.
 */
export class PrefixBagPolicy implements PPOModel {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly maxLength: number;
  readonly valueHeads: number;
  private readonly embedding: tf.Variable;
  private readonly prefixEmbedding: tf.Variable;
  private readonly position: tf.Variable;
  private readonly outWeight: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly valueWeight: tf.Variable;
  private readonly valueBias: tf.Variable;
  private readonly bias: tf.Tensor2D | null;

  constructor(options: PrefixBagPolicyOptions) {
    const o = checkOptions(options) as Partial<PrefixBagPolicyOptions>;
    this.vocabSize = checkInteger('vocabSize', o.vocabSize, { min: 2 });
    this.hidden = o.hidden === undefined ? 32 : checkInteger('hidden', o.hidden, { min: 1 });
    this.maxLength = o.maxLength === undefined ? 32 : checkInteger('maxLength', o.maxLength, { min: 2 });
    this.valueHeads = o.valueHeads === undefined ? 3 : checkInteger('valueHeads', o.valueHeads, { min: 1 });
    const seed = o.seed === undefined ? 0 : checkInteger('seed', o.seed, { min: 0, max: 2 ** 32 - 1 });
    if (o.logitBias !== undefined) {
      const expected = (this.maxLength - 1) * this.vocabSize;
      if (!(o.logitBias instanceof Float32Array) || o.logitBias.length !== expected) {
        throw new UnbiasedError('SHAPE_MISMATCH', `logitBias must be a Float32Array of (maxLength - 1) * vocabSize = ${expected} entries`, { field: 'logitBias' });
      }
      for (let i = 0; i < o.logitBias.length; i++) {
        const v = o.logitBias[i] as number;
        if (v - v !== 0) throw new UnbiasedError('NON_FINITE', `logitBias[${i}] is ${v}; use a large negative finite number to forbid a token`, { field: 'logitBias' });
      }
    }
    const name = o.name ?? 'prefix-policy';
    const rng = Rng.fromSeed(seed);
    const init = (label: string, shape: number[], std: number) =>
      tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(rng.fold(label).normal(shape.reduce((a, b) => a * b, 1), 0, std)), shape), true, `${name}/${label}`));
    const h = this.hidden;
    this.embedding = init('embedding', [this.vocabSize, h], 0.5);
    this.prefixEmbedding = init('prefix_embedding', [this.vocabSize, h], 0.5);
    this.position = init('position', [this.maxLength, h], 0.1);
    // Zero output layers: the initial policy is uniform over the allowed tokens and the initial values are 0.
    this.outWeight = tf.tidy(() => tf.variable(tf.zeros([h, this.vocabSize]), true, `${name}/out_weight`));
    this.outBias = tf.tidy(() => tf.variable(tf.zeros([this.vocabSize]), true, `${name}/out_bias`));
    this.valueWeight = tf.tidy(() => tf.variable(tf.zeros([h, this.valueHeads]), true, `${name}/value_weight`));
    this.valueBias = tf.tidy(() => tf.variable(tf.zeros([this.valueHeads]), true, `${name}/value_bias`));
    this.bias = o.logitBias === undefined ? null : tf.tensor2d(o.logitBias, [this.maxLength - 1, this.vocabSize]);
  }

  forward(tokens: tf.Tensor2D): { logits: tf.Tensor3D; values: tf.Tensor3D } {
    const [batch, length] = tokens.shape;
    if (length > this.maxLength) throw new UnbiasedError('SHAPE_MISMATCH', `tokens have ${length} positions; this model has maxLength ${this.maxLength}`, { field: 'tokens' });
    return tf.tidy(() => {
      const steps = length - 1;
      const h = this.hidden;
      const context = tf.reshape(tf.slice(tokens, [0, 0], [batch, steps]), [-1]) as tf.Tensor1D;
      // One-hot gradient: deterministic on every backend (webgpu's scatter uses float atomics); the vocabulary is tiny.
      const embedded = tf.reshape(gatherRows(this.embedding, context, { gradient: 'one-hot' }), [batch, steps, h]);
      // The causal prefix mean as one matMul with a constant lower-triangular averaging matrix.
      const average = new Float32Array(steps * steps);
      for (let t = 0; t < steps; t++) for (let s = 0; s <= t; s++) average[t * steps + s] = 1 / (t + 1);
      const prefix = tf.reshape(tf.transpose(tf.reshape(gatherRows(this.prefixEmbedding, context, { gradient: 'one-hot' }), [batch, steps, h]), [1, 0, 2]), [steps, batch * h]);
      const bag = tf.transpose(tf.reshape(tf.matMul(tf.tensor2d(average, [steps, steps]), prefix), [steps, batch, h]), [1, 0, 2]);
      const state = tf.tanh(tf.add(tf.add(embedded, bag), tf.slice(this.position, [0, 0], [steps, h])));
      const flat = tf.reshape(state, [batch * steps, h]);
      let logits = tf.reshape(tf.add(tf.matMul(flat, this.outWeight), this.outBias), [batch, steps, this.vocabSize]) as tf.Tensor3D;
      if (this.bias) logits = tf.add(logits, tf.slice(this.bias, [0, 0], [steps, this.vocabSize])) as tf.Tensor3D;
      const values = tf.reshape(tf.add(tf.matMul(flat, this.valueWeight), this.valueBias), [batch, steps, this.valueHeads]) as tf.Tensor3D;
      return { logits, values };
    });
  }

  policyVariables(): tf.Variable[] {
    return [this.embedding, this.prefixEmbedding, this.position, this.outWeight, this.outBias];
  }

  valueVariables(): tf.Variable[] {
    return [this.embedding, this.prefixEmbedding, this.position, this.valueWeight, this.valueBias];
  }

  dispose(): void {
    tf.dispose([this.embedding, this.prefixEmbedding, this.position, this.outWeight, this.outBias, this.valueWeight, this.valueBias]);
    this.bias?.dispose();
  }
}
