import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { gatherRows } from '@unbiased/core/tfjs';
import { checkInteger, checkOptions } from '@unbiased/core/errors';

/** A token model the PPO trainer can train: logits and value heads per position, variables split by role. */
export interface PPOModel {
  /** Per position t of `tokens` [B, T+1] (t < T): next-token logits [B, T, V] and value heads [B, T, H]. */
  forward(tokens: tf.Tensor2D): { logits: tf.Tensor3D; values: tf.Tensor3D };
  /** Variables the policy loss trains (their names key the optimizer state). */
  policyVariables(): tf.Variable[];
  /** Variables the value loss trains. */
  valueVariables(): tf.Variable[];
  dispose(): void;
}

/** Options of {@link TinyTokenPolicy}. */
export interface TinyTokenPolicyOptions {
  vocabSize: number;
  /** Hidden width (default 32). */
  hidden?: number;
  /** Longest sequence (positions with a learned embedding; default 64). */
  maxLength?: number;
  /** Value heads (default 3: HiPER's V_L, V_H, V_beta). */
  valueHeads?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
  /** Variable-name prefix; two live models need different names (default 'tiny-policy'). */
  name?: string;
}

/**
 * A tiny causal token model for end-to-end tests and throughput measurements (ours, not HiPER's LLM): the
 * state at position t is `h_t = tanh(E[x_t] + P[t])` (an order-1 Markov context plus position), logits
 * `h_t W + b`, value heads `h_t U + c`. The value at t scores token t+1, the read-before-the-token rule.
 */
export class TinyTokenPolicy implements PPOModel {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly maxLength: number;
  readonly valueHeads: number;
  private readonly embedding: tf.Variable;
  private readonly position: tf.Variable;
  private readonly outWeight: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly valueWeight: tf.Variable;
  private readonly valueBias: tf.Variable;

  constructor(options: TinyTokenPolicyOptions) {
    const o = checkOptions(options) as Partial<TinyTokenPolicyOptions>;
    this.vocabSize = checkInteger('vocabSize', o.vocabSize, { min: 2 });
    this.hidden = o.hidden === undefined ? 32 : checkInteger('hidden', o.hidden, { min: 1 });
    this.maxLength = o.maxLength === undefined ? 64 : checkInteger('maxLength', o.maxLength, { min: 2 });
    this.valueHeads = o.valueHeads === undefined ? 3 : checkInteger('valueHeads', o.valueHeads, { min: 1 });
    const seed = o.seed === undefined ? 0 : checkInteger('seed', o.seed, { min: 0, max: 2 ** 32 - 1 });
    const name = o.name ?? 'tiny-policy';
    const rng = Rng.fromSeed(seed);
    // Inside tidy: tf.variable shares the initial tensor's data, and the initial tensor itself must be freed.
    const init = (label: string, shape: number[], std: number) =>
      tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(rng.fold(label).normal(shape.reduce((a, b) => a * b, 1), 0, std)), shape), true, `${name}/${label}`));
    const h = this.hidden;
    this.embedding = init('embedding', [this.vocabSize, h], 0.5);
    this.position = init('position', [this.maxLength, h], 0.1);
    this.outWeight = init('out_weight', [h, this.vocabSize], 1 / Math.sqrt(h));
    this.outBias = tf.tidy(() => tf.variable(tf.zeros([this.vocabSize]), true, `${name}/out_bias`));
    this.valueWeight = init('value_weight', [h, this.valueHeads], 1 / Math.sqrt(h));
    this.valueBias = tf.tidy(() => tf.variable(tf.zeros([this.valueHeads]), true, `${name}/value_bias`));
  }

  forward(tokens: tf.Tensor2D): { logits: tf.Tensor3D; values: tf.Tensor3D } {
    // gatherRows (core's tfjs seam): tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks. The one-hot
    // gradient is deterministic on every backend (webgpu's scatter sums with float atomics in varying order), so
    // the same seed gives the same training on webgpu too; the vocabulary is tiny, so it costs nothing.
    return tf.tidy(() => {
      const [batch, length] = tokens.shape;
      const steps = length - 1;
      const context = tf.slice(tokens, [0, 0], [batch, steps]);
      const embedded = tf.reshape(gatherRows(this.embedding, tf.reshape(context, [-1]) as tf.Tensor1D, { gradient: 'one-hot' }), [batch, steps, this.hidden]);
      const state = tf.tanh(tf.add(embedded, tf.slice(this.position, [0, 0], [steps, this.hidden])));
      const flat = tf.reshape(state, [batch * steps, this.hidden]);
      const logits = tf.reshape(tf.add(tf.matMul(flat, this.outWeight), this.outBias), [batch, steps, this.vocabSize]) as tf.Tensor3D;
      const values = tf.reshape(tf.add(tf.matMul(flat, this.valueWeight), this.valueBias), [batch, steps, this.valueHeads]) as tf.Tensor3D;
      return { logits, values };
    });
  }

  policyVariables(): tf.Variable[] {
    return [this.embedding, this.position, this.outWeight, this.outBias];
  }

  valueVariables(): tf.Variable[] {
    return [this.embedding, this.position, this.valueWeight, this.valueBias];
  }

  dispose(): void {
    tf.dispose([this.embedding, this.position, this.outWeight, this.outBias, this.valueWeight, this.valueBias]);
  }
}
