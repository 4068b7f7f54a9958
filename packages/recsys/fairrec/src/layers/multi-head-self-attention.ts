/**
 * Multi-head self-attention (Vaswani et al. 2017, "Attention Is All You Need", §3.2), the word- and
 * news-level encoder of NRMS (Wu et al. 2019, "Neural News Recommendation with Multi-Head
 * Self-Attention", EMNLP, §3.1-3.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger } from '../validate.js';
import { Dense } from './dense.js';
import { maskedSoftmax, prepareMask } from './masked-softmax.js';
import type { ParameterStore } from './parameters.js';

/** The three projections of one head. */
export interface AttentionHead {
  query: Dense;
  key: Dense;
  value: Dense;
}

/**
 * For each head h: `Q_h = X W_q^h`, `K_h = X W_k^h`, `V_h = X W_v^h` (no biases, as in the NRMS reference
 * code), `head_h = softmax(Q_h K_h^T / sqrt(d_k), masked keys) V_h`; the output concatenates the heads:
 * `[B, L, heads * headDim]`. Padded keys (mask 0) get zero weight; rows of padded queries are computed but
 * meaningless (the additive attention that follows masks them out). Each head has its own projection
 * variables (`head_<h>/{query,key,value}/kernel`), so no op slices or transposes large activations (both
 * are slow on the tfjs cpu backend).
 */
export class MultiHeadSelfAttention {
  readonly inDim: number;
  readonly headDim: number;
  readonly heads: AttentionHead[];

  constructor(store: ParameterStore, inDim: number, { heads, headDim }: { heads: number; headDim: number }) {
    this.inDim = checkInteger(`${store.path}.inDim`, inDim, { min: 1 });
    checkInteger(`${store.path}.heads`, heads, { min: 1 });
    this.headDim = checkInteger(`${store.path}.headDim`, headDim, { min: 1 });
    this.heads = Array.from({ length: heads }, (_, h) => {
      const head = store.scope(`head_${h}`);
      return {
        query: new Dense(head.scope('query'), inDim, headDim, { bias: false }),
        key: new Dense(head.scope('key'), inDim, headDim, { bias: false }),
        value: new Dense(head.scope('value'), inDim, headDim, { bias: false }),
      };
    });
  }

  get outDim(): number {
    return this.heads.length * this.headDim;
  }

  /** Attention weights of every head, `heads` tensors `[B, L, L]` (query rows, key columns). */
  attentionWeights(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D[] {
    return tf.tidy(() => this.compute(x, mask).weights);
  }

  /** `x`: `[B, L, inDim]`; `mask`: `[B, L]` (1 = token, 0 = padding). Returns `[B, L, heads * headDim]`. */
  apply(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.compute(x, mask).output);
  }

  private compute(x: tf.Tensor3D, mask: tf.Tensor2D): { output: tf.Tensor3D; weights: tf.Tensor3D[] } {
    const [batch, length] = x.shape;
    const rows = tf.reshape(x, [batch * length, this.inDim]) as tf.Tensor2D;
    // The key mask of every (batch, query) row, [B * L, L]: a batched outer product with ones (a broadcast
    // or a gather would be much slower on cpu).
    const keyMask = prepareMask(tf.reshape(tf.matMul(tf.ones([batch, length, 1]), tf.reshape(mask, [batch, 1, length])), [batch * length, length]) as tf.Tensor2D);
    const scale = tf.scalar(1 / Math.sqrt(this.headDim));
    const outputs: tf.Tensor2D[] = [];
    const weights: tf.Tensor3D[] = [];
    for (const head of this.heads) {
      const project = (layer: Dense) => tf.reshape(tf.matMul(rows, layer.kernel), [batch, length, this.headDim]) as tf.Tensor3D;
      const scores = tf.reshape(tf.mul(tf.matMul(project(head.query), project(head.key), false, true), scale), [batch * length, length]) as tf.Tensor2D;
      const w = tf.reshape(maskedSoftmax(scores, keyMask), [batch, length, length]) as tf.Tensor3D;
      weights.push(w);
      outputs.push(tf.reshape(tf.matMul(w, project(head.value)), [batch * length, this.headDim]) as tf.Tensor2D);
    }
    const output = tf.reshape(outputs.length === 1 ? (outputs[0] as tf.Tensor2D) : tf.concat(outputs, 1), [batch, length, this.outDim]) as tf.Tensor3D;
    return { output, weights };
  }
}
