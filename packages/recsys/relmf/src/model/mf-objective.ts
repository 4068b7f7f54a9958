/**
 * The training objective of a pointwise matrix factorisation and its gradients, by the fused kernel or by
 * tfjs autodiff (the reference path):
 *
 *   L(theta) = (1/N) sum_j [a_j delta1(z_j) + b_j delta0(z_j)] + (l2/2) (||P||^2 + ||Q||^2)
 *
 * with (a, b, N) from an estimator and z_j the model's logits. The L2 term is on the whole embedding tables,
 * not the biases, as in Saito's real-world code (confirmed in Saito's released code).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors } from '@unbiased/core';
import type { PointwiseWeights } from '../estimators/estimator.js';
import { type MfGradientAttrs, type MfGradientInputs, mfGradientsFused, rowIndex } from '../kernels/mf-gradients.js';
import { type LocalLossOptions, pointwiseLoss, resolveLocalLoss } from '../losses/local-loss.js';
import { badInput, checkIds, checkNumber, invalidArgument } from '../validate.js';
import type { MatrixFactorization } from './matrix-factorization.js';

/**
 * How gradients are computed: `fused` (default) is one custom kernel on cpu, wasm and webgpu (see
 * `kernels/mf-gradients.ts`); `reference` is tfjs autodiff through core's `gatherRows` (`@unbiased/core/tfjs`),
 * whose gradient works on every backend.
 */
export type GradientImpl = 'fused' | 'reference';

export interface MfObjectiveOptions extends LocalLossOptions {
  /** L2 coefficient on the embedding tables. Default 1e-4 [C: Saito's real-world `config.yaml`]. */
  l2?: number;
  /** Default `'fused'`. */
  impl?: GradientImpl;
}

/** A batch on the device: indices, estimator weights and (on webgpu) the CSR row index of the fused kernel. */
export interface DeviceBatch {
  size: number;
  normaliser: number;
  users: tf.Tensor1D;
  items: tf.Tensor1D;
  positiveWeight: tf.Tensor1D;
  negativeWeight: tf.Tensor1D;
  /** webgpu only: packed indices and weights, and the CSR row index (see `kernels/mf-gradients.ts`). */
  rows?: {
    pairs: tf.Tensor1D;
    weights: tf.Tensor1D;
    userOrder: tf.Tensor1D;
    userOffsets: tf.Tensor1D;
    itemOrder: tf.Tensor1D;
    itemOffsets: tf.Tensor1D;
  };
  dispose(): void;
}

/** Uploads a batch's indices and its estimator weights to the active backend (validates the ids). */
export function uploadBatch(model: MatrixFactorization, users: Int32Array, items: Int32Array, weights: PointwiseWeights): DeviceBatch {
  const size = users.length;
  if (size === 0) badInput('users', 'a batch needs at least one pair');
  if (items.length !== size) badInput('items', `items must have one entry per pair (${size}); got ${items.length}`);
  if (weights.positive.length !== size || weights.negative.length !== size) {
    badInput('weights', `estimator weights must have one entry per pair (${size})`);
  }
  if (!(weights.normaliser > 0) || !Number.isFinite(weights.normaliser)) badInput('weights', `the normaliser must be finite and > 0; got ${weights.normaliser}`);
  checkIds('users', users, model.numUsers);
  checkIds('items', items, model.numItems);
  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    tensors.push(t);
    return t;
  };
  const batch: DeviceBatch = {
    size,
    normaliser: weights.normaliser,
    users: keep(tf.tensor1d(users, 'int32')),
    items: keep(tf.tensor1d(items, 'int32')),
    positiveWeight: keep(tf.tensor1d(weights.positive, 'float32')),
    negativeWeight: keep(tf.tensor1d(weights.negative, 'float32')),
    dispose: () => tf.dispose(tensors),
  };
  if (tf.getBackend() === 'webgpu') {
    const byUser = rowIndex(users, model.numUsers);
    const byItem = rowIndex(items, model.numItems);
    const pairs = new Int32Array(2 * size);
    pairs.set(users);
    pairs.set(items, size);
    const packed = new Float32Array(2 * size);
    packed.set(weights.positive);
    packed.set(weights.negative, size);
    batch.rows = {
      pairs: keep(tf.tensor1d(pairs, 'int32')),
      weights: keep(tf.tensor1d(packed, 'float32')),
      userOrder: keep(tf.tensor1d(byUser.order, 'int32')),
      userOffsets: keep(tf.tensor1d(byUser.offsets, 'int32')),
      itemOrder: keep(tf.tensor1d(byItem.order, 'int32')),
      itemOffsets: keep(tf.tensor1d(byItem.offsets, 'int32')),
    };
  }
  return batch;
}

/** The objective value and its gradient per trainable variable (keyed by variable name); new tensors. */
export interface LossAndGradients {
  loss: tf.Scalar;
  grads: NamedTensors;
}

/** Validated objective options with defaults. */
export function resolveObjective(options: MfObjectiveOptions = {}): Required<MfObjectiveOptions> {
  const { l2 = 1e-4, impl = 'fused' } = options;
  checkNumber('l2', l2, { min: 0 });
  if (impl !== 'fused' && impl !== 'reference') invalidArgument('impl', `impl must be 'fused' or 'reference'; got ${String(impl)}`);
  return { ...resolveLocalLoss(options), l2, impl };
}

function fused(model: MatrixFactorization, batch: DeviceBatch, attrs: Omit<MfGradientAttrs, 'invNormaliser'>): LossAndGradients {
  if (tf.getBackend() === 'webgpu' && !batch.rows) {
    badInput('batch', 'this batch was uploaded while another backend was active; upload it again on webgpu');
  }
  return tf.tidy(() => {
    const inputs: MfGradientInputs = {
      userEmbedding: model.userEmbedding,
      itemEmbedding: model.itemEmbedding,
      userBias: model.userBias ?? tf.zeros([model.numUsers]),
      itemBias: model.itemBias ?? tf.zeros([model.numItems]),
      globalBias: model.globalBias ?? tf.zeros([1]),
      users: batch.users,
      items: batch.items,
      positiveWeight: batch.positiveWeight,
      negativeWeight: batch.negativeWeight,
      ...batch.rows,
    };
    const out = mfGradientsFused(inputs, { ...attrs, invNormaliser: 1 / batch.normaliser });
    const grads: NamedTensors = { [model.names.userEmbedding]: out.userEmbedding, [model.names.itemEmbedding]: out.itemEmbedding };
    if (model.bias) {
      grads[model.names.userBias as string] = out.userBias;
      grads[model.names.itemBias as string] = out.itemBias;
      grads[model.names.globalBias as string] = out.globalBias;
    }
    return { loss: out.loss, grads } as unknown as tf.TensorContainer;
  }) as unknown as LossAndGradients;
}

/** The objective as a scalar tensor, in differentiable tfjs ops (reference path). */
export function mfObjective(model: MatrixFactorization, batch: DeviceBatch, options: MfObjectiveOptions = {}): tf.Scalar {
  const o = resolveObjective(options);
  return tf.tidy(() => {
    const perExample = pointwiseLoss(model.logits(batch.users, batch.items), batch.positiveWeight, batch.negativeWeight, o);
    const data = tf.div(tf.sum(perExample), tf.scalar(batch.normaliser));
    if (o.l2 === 0) return data as tf.Scalar;
    const squares = tf.add(tf.sum(tf.square(model.userEmbedding)), tf.sum(tf.square(model.itemEmbedding)));
    return tf.add(data, tf.mul(tf.scalar(0.5 * o.l2), squares)) as tf.Scalar;
  });
}

function reference(model: MatrixFactorization, batch: DeviceBatch, o: Required<MfObjectiveOptions>): LossAndGradients {
  const { value, grads } = tf.variableGrads(() => mfObjective(model, batch, o), Object.values(model.variables));
  return { loss: value, grads };
}

/**
 * The objective and its gradients for one uploaded batch, by `options.impl` (default `fused`). Both paths
 * return the same keys (the model's variable names) and agree to float32 rounding.
 */
export function mfLossAndGradients(model: MatrixFactorization, batch: DeviceBatch, options: MfObjectiveOptions = {}): LossAndGradients {
  const o = resolveObjective(options);
  if (o.impl === 'reference') return reference(model, batch, o);
  return fused(model, batch, { lossKind: o.loss === 'log' ? 0 : 1, logitClip: o.logitClip, l2: o.l2 });
}

/**
 * Weighted squared error of the raw logits against targets, `(1/N) sum_j w_j (z_j - t_j)^2 + (l2/2)(||P||^2 +
 * ||Q||^2)`, and its gradients by the fused kernel: explicit-rating MF (step 1 of Saito's ML-100K protocol).
 * `batch.positiveWeight` holds the weights w_j and `batch.negativeWeight` the targets t_j.
 */
export function mfRegressionLossAndGradients(model: MatrixFactorization, batch: DeviceBatch, { l2 = 0 }: { l2?: number } = {}): LossAndGradients {
  checkNumber('l2', l2, { min: 0 });
  return fused(model, batch, { lossKind: 2, logitClip: 0, l2 });
}
