/**
 * Multi-head self-attention (Vaswani et al. 2017, "Attention Is All You Need", §3.2), the word- and
 * news-level encoder of NRMS (Wu et al. 2019, "Neural News Recommendation with Multi-Head
 * Self-Attention", EMNLP, §3.1-3.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger } from '../validate.js';
import { Dense } from './dense.js';
import { maskedSoftmax } from './masked-softmax.js';
import type { ParameterStore } from './parameters.js';

/**
 * For each head h: `Q = X W_q^h`, `K = X W_k^h`, `V = X W_v^h` (no biases, as in the NRMS reference code),
 * `head_h = softmax(Q K^T / sqrt(d_k) + mask) V`; the output concatenates the heads: `[B, L, heads * headDim]`.
 * Padded keys (mask 0) get zero attention weight; rows of padded queries are computed but meaningless
 * (the additive attention that follows masks them out).
 */
export class MultiHeadSelfAttention {
  readonly inDim: number;
  readonly heads: number;
  readonly headDim: number;
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;

  constructor(store: ParameterStore, inDim: number, { heads, headDim }: { heads: number; headDim: number }) {
    this.inDim = checkInteger(`${store.path}.inDim`, inDim, { min: 1 });
    this.heads = checkInteger(`${store.path}.heads`, heads, { min: 1 });
    this.headDim = checkInteger(`${store.path}.headDim`, headDim, { min: 1 });
    const outDim = heads * headDim;
    this.query = new Dense(store.scope('query'), inDim, outDim, { bias: false });
    this.key = new Dense(store.scope('key'), inDim, outDim, { bias: false });
    this.value = new Dense(store.scope('value'), inDim, outDim, { bias: false });
  }

  get outDim(): number {
    return this.heads * this.headDim;
  }

  /** `x`: `[B, L, inDim]`; `mask`: `[B, L]` (1 = token, 0 = padding). Returns `[B, L, heads * headDim]`. */
  apply(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length] = x.shape;
      const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, length, this.heads, this.headDim]), [0, 2, 1, 3]);
      const q = split(this.query.apply(x));
      const k = split(this.key.apply(x));
      const v = split(this.value.apply(x));
      const scores = tf.mul(tf.matMul(q, k, false, true), tf.scalar(1 / Math.sqrt(this.headDim)));
      const weights = maskedSoftmax(scores, tf.reshape(mask, [batch, 1, 1, length]));
      const heads = tf.matMul(weights, v);
      return tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [batch, length, this.outDim]) as tf.Tensor3D;
    });
  }
}
