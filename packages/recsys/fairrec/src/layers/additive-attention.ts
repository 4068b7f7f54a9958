/**
 * Additive attention pooling (Bahdanau et al. 2015), the last layer of the NRMS news and user encoders
 * (Wu et al. 2019, EMNLP, §3.1 eq. 5 and §3.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger } from '../validate.js';
import { Dense } from './dense.js';
import { maskedSoftmax } from './masked-softmax.js';
import type { ParameterStore } from './parameters.js';

/**
 * `a_i = q^T tanh(V h_i + v)`, `alpha = maskedSoftmax(a)`, `r = sum_i alpha_i h_i`. NRMS uses a query
 * dimension of 200 (confirmed in NRMS); padded positions get weight 0, and an all-padding row pools to 0.
 */
export class AdditiveAttention {
  readonly dim: number;
  readonly queryDim: number;
  readonly projection: Dense;
  readonly query: Dense;

  constructor(store: ParameterStore, dim: number, { queryDim }: { queryDim: number }) {
    this.dim = checkInteger(`${store.path}.dim`, dim, { min: 1 });
    this.queryDim = checkInteger(`${store.path}.queryDim`, queryDim, { min: 1 });
    this.projection = new Dense(store.scope('projection'), dim, queryDim, { activation: 'tanh' });
    this.query = new Dense(store.scope('query'), queryDim, 1, { bias: false });
  }

  /** Attention weights `[B, L]` of `h`: `[B, L, dim]` under `mask`: `[B, L]`. */
  weights(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, length] = h.shape;
      const logits = tf.reshape(this.query.apply(this.projection.apply(h)), [batch, length]) as tf.Tensor2D;
      return maskedSoftmax(logits, mask);
    });
  }

  /** The pooled vectors `[B, dim]`. */
  apply(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, length] = h.shape;
      const alpha = tf.reshape(this.weights(h, mask), [batch, 1, length]);
      return tf.reshape(tf.matMul(alpha, h), [batch, this.dim]) as tf.Tensor2D;
    });
  }
}
