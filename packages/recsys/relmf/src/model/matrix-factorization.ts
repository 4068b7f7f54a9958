/**
 * Matrix factorisation with user, item and global biases (Koren, Bell & Volinsky 2009), the model of every
 * estimator in Saito et al. (WSDM 2020): logit z_ui = p_u . q_i + b_u + b_i + g, relevance R_ui = sigmoid(z_ui).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from '@unbiased/core/tfjs';
import type { Rng } from '@unbiased/core';
import { checkInteger, checkNumber } from '../validate.js';

export interface MatrixFactorizationOptions {
  numUsers: number;
  numItems: number;
  /** Latent dimension. */
  dim: number;
  /** Seeded generator for the initial embeddings (folded by variable name). */
  rng: Rng;
  /** User, item and global bias terms. Default true [C: Saito's MF "with user, item and global bias"]. */
  bias?: boolean;
  /** Embeddings start as N(0, initStd^2), biases at 0. Default 0.1 (inferred). */
  initStd?: number;
  /** Prefix of the tf.Variable names (must be unique among live variables). Default `relmf-mf-<n>`. */
  name?: string;
}

/** Role of each trainable variable, and its tf.Variable name. */
export interface MfVariableNames {
  userEmbedding: string;
  itemEmbedding: string;
  userBias?: string;
  itemBias?: string;
  globalBias?: string;
}

let instances = 0;

/**
 * The model's parameters as tf.Variables (named `<name>/user_embedding`, `<name>/item_embedding`,
 * `<name>/user_bias`, `<name>/item_bias`, `<name>/global_bias`) and its forward pass in functional tfjs ops.
 * Dispose it when done.
 */
export class MatrixFactorization {
  readonly numUsers: number;
  readonly numItems: number;
  readonly dim: number;
  readonly bias: boolean;
  readonly names: MfVariableNames;
  readonly userEmbedding: tf.Variable;
  readonly itemEmbedding: tf.Variable;
  readonly userBias: tf.Variable | undefined;
  readonly itemBias: tf.Variable | undefined;
  readonly globalBias: tf.Variable | undefined;

  constructor(options: MatrixFactorizationOptions) {
    const { numUsers, numItems, dim, rng, bias = true, initStd = 0.1 } = options;
    this.numUsers = checkInteger('numUsers', numUsers, { min: 1 });
    this.numItems = checkInteger('numItems', numItems, { min: 1 });
    this.dim = checkInteger('dim', dim, { min: 1 });
    checkNumber('initStd', initStd, { min: 0 });
    this.bias = bias;
    const name = options.name ?? `relmf-mf-${++instances}`;
    this.names = {
      userEmbedding: `${name}/user_embedding`,
      itemEmbedding: `${name}/item_embedding`,
      ...(bias ? { userBias: `${name}/user_bias`, itemBias: `${name}/item_bias`, globalBias: `${name}/global_bias` } : {}),
    };
    const init = (label: string, rows: number) => Float32Array.from(rng.fold(label).normal(rows * dim, 0, initStd));
    this.userEmbedding = tf.tidy(() => tf.variable(tf.tensor2d(init('user_embedding', numUsers), [numUsers, dim]), true, this.names.userEmbedding));
    this.itemEmbedding = tf.tidy(() => tf.variable(tf.tensor2d(init('item_embedding', numItems), [numItems, dim]), true, this.names.itemEmbedding));
    if (bias) {
      this.userBias = tf.tidy(() => tf.variable(tf.zeros([numUsers]), true, this.names.userBias));
      this.itemBias = tf.tidy(() => tf.variable(tf.zeros([numItems]), true, this.names.itemBias));
      this.globalBias = tf.tidy(() => tf.variable(tf.zeros([1]), true, this.names.globalBias));
    }
  }

  /** The trainable variables keyed by variable name (the keys of optimizer state and gradients). */
  get variables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = { [this.names.userEmbedding]: this.userEmbedding, [this.names.itemEmbedding]: this.itemEmbedding };
    if (this.bias) {
      out[this.names.userBias as string] = this.userBias as tf.Variable;
      out[this.names.itemBias as string] = this.itemBias as tf.Variable;
      out[this.names.globalBias as string] = this.globalBias as tf.Variable;
    }
    return out;
  }

  /** Logits z_j = p_{u_j} . q_{i_j} (+ b_{u_j} + b_{i_j} + g) for int32 index tensors `users`, `items` of equal length. */
  logits(users: tf.Tensor1D, items: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => {
      const dot = tf.sum(tf.mul(gatherRows(this.userEmbedding, users), gatherRows(this.itemEmbedding, items)), 1);
      if (!this.bias) return dot as tf.Tensor1D;
      return tf.add(tf.add(dot, tf.add(gatherRows(this.userBias as tf.Tensor, users), gatherRows(this.itemBias as tf.Tensor, items))), this.globalBias as tf.Tensor) as tf.Tensor1D;
    });
  }

  /** Logits of every (user, item) pair, a [numUsers, numItems] tensor (row u = user u). */
  scoreAll(): tf.Tensor2D {
    return tf.tidy(() => {
      const dot = tf.matMul(this.userEmbedding, this.itemEmbedding, false, true);
      if (!this.bias) return dot as tf.Tensor2D;
      const userBias = tf.reshape(this.userBias as tf.Tensor, [this.numUsers, 1]);
      const itemBias = tf.reshape(this.itemBias as tf.Tensor, [1, this.numItems]);
      return tf.add(tf.add(dot, userBias), tf.add(itemBias, this.globalBias as tf.Tensor)) as tf.Tensor2D;
    });
  }

  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }
}
