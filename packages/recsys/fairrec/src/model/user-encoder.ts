/**
 * The NRMS user encoder (Wu et al. 2019, EMNLP, §3.2): multi-head self-attention over the vectors of the
 * clicked news, then additive attention (or, with `pooling: 'mean'`, the plain mean of the clicked news'
 * vectors, our synthetic FairRec toy's user input); optionally followed by an MLP tower with a low-rank bottleneck,
 * which FairRec's toy study needed (our synthetic FairRec toy: MLP towers, rank-2 bias-aware branch) (inferred).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { AdditiveAttention } from '../layers/additive-attention.js';
import { type Activation, Dense } from '../layers/dense.js';
import { dropout } from '../layers/dropout.js';
import { MultiHeadSelfAttention } from '../layers/multi-head-self-attention.js';
import type { ParameterStore } from '../layers/parameters.js';
import { checkChoice, checkInteger, checkNumber } from '../validate.js';

const POOLINGS: readonly HistoryPooling[] = ['attention', 'mean'];

/**
 * `sum_h m_bh x_bhd / max(1, sum_h m_bh)`: the mean of the unmasked rows of each `[H, D]` history (a user
 * with no clicks gets the zero vector). Written as a `[B, 1, H] x [B, H, D]` matMul.
 */
export function maskedMean(history: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const counts = tf.maximum(tf.sum(mask, 1, true), tf.scalar(1));
    const weights = tf.expandDims(tf.div(mask, counts), 1) as tf.Tensor3D;
    return tf.squeeze(tf.matMul(weights, history), [1]) as tf.Tensor2D;
  });
}

/**
 * An MLP on the pooled history: `r -> act(W1 r + b1) [-> W_r (.) (rank r, linear)] -> W2 (.) + b2`.
 * (inferred): NRMS has no tower; our synthetic FairRec toy found linear encoders unable to remove the attribute on its toy.
 */
export interface TowerOptions {
  /** Hidden units. */
  hidden: number;
  /** Hidden activation. Default `'tanh'` (inferred; our synthetic FairRec toy). */
  activation?: Activation;
  /** A linear bottleneck of this size before the output layer (capacity control of the bias-aware branch); default none. */
  rank?: number;
}

/** How the clicked news' vectors are pooled into one vector. */
export type HistoryPooling = 'attention' | 'mean';

export interface UserEncoderOptions {
  /** Size of the news vectors (and of the user vector, since scores are dot products). */
  newsDim: number;
  /**
   * `'attention'` (default): NRMS's multi-head self-attention then additive attention (confirmed in NRMS);
   * `'mean'`: the masked mean of the clicked news' vectors, no attention parameters (inferred; our synthetic FairRec toy).
   * The attention options below apply to `'attention'` only.
   */
  pooling?: HistoryPooling;
  /** Attention heads. Default 16 (confirmed in NRMS). */
  heads?: number;
  /** Size of each head. Default 16 (confirmed in NRMS). Without a tower, `heads * headDim` must equal `newsDim`. */
  headDim?: number;
  /** Query size of the additive attention. Default 200 (confirmed in NRMS). */
  queryDim?: number;
  /** Dropout on the self-attention output. Default 0.2 (confirmed in NRMS). */
  dropout?: number;
  /** MLP tower after the pooling; `null` (default) = plain NRMS. */
  tower?: TowerOptions | null;
}

/** `[B, H, newsDim]` clicked-news vectors with a `[B, H]` mask -> `[B, newsDim]` user vectors. */
export class UserEncoder {
  readonly newsDim: number;
  readonly dropoutRate: number;
  readonly pooling: HistoryPooling;
  /** The attention layers (`pooling: 'attention'` only). */
  readonly selfAttention: MultiHeadSelfAttention | undefined;
  readonly attention: AdditiveAttention | undefined;
  readonly tower: Dense[];

  constructor(store: ParameterStore, options: UserEncoderOptions) {
    const { newsDim, pooling = 'attention', heads = 16, headDim = 16, queryDim = 200, dropout: rate = 0.2, tower = null } = options;
    this.newsDim = checkInteger('newsDim', newsDim, { min: 1 });
    this.dropoutRate = checkNumber('dropout', rate, { min: 0, max: 0.99 });
    this.pooling = checkChoice('pooling', pooling, POOLINGS);
    let pooled = newsDim;
    if (pooling === 'attention') {
      this.selfAttention = new MultiHeadSelfAttention(store.scope('self_attention'), newsDim, { heads, headDim });
      pooled = this.selfAttention.outDim;
      this.attention = new AdditiveAttention(store.scope('additive_attention'), pooled, { queryDim });
    }
    this.tower = [];
    if (tower === null) {
      if (pooled !== newsDim) {
        throw new UnbiasedError('INVALID_HYPERPARAMETER', `without a tower, heads * headDim (${heads} * ${headDim}) must equal newsDim (${newsDim})`, {
          field: 'headDim',
        });
      }
      return;
    }
    const hidden = checkInteger('tower.hidden', tower.hidden, { min: 1 });
    this.tower.push(new Dense(store.scope('tower_hidden'), pooled, hidden, { activation: tower.activation ?? 'tanh' }));
    let width = hidden;
    if (tower.rank !== undefined) {
      const rank = checkInteger('tower.rank', tower.rank, { min: 1 });
      this.tower.push(new Dense(store.scope('tower_bottleneck'), hidden, rank));
      width = rank;
    }
    this.tower.push(new Dense(store.scope('tower_output'), width, newsDim));
  }

  /** The output layer of the tower (the layer that maps into the news space), if there is a tower. */
  get outputLayer(): Dense | undefined {
    return this.tower[this.tower.length - 1];
  }

  apply(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return tf.tidy(() => {
      let user: tf.Tensor;
      if (this.selfAttention && this.attention) {
        const contextual = dropout(this.selfAttention.apply(history, mask), this.dropoutRate, rng?.fold('self_attention')) as tf.Tensor3D;
        user = this.attention.apply(contextual, mask);
      } else {
        user = maskedMean(history, mask);
      }
      for (const layer of this.tower) user = layer.apply(user);
      return user as tf.Tensor2D;
    });
  }
}
