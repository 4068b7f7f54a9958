import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { checkChoice, checkOptionalInteger, checkOptionalNumber, UnbiasedError } from '@unbiased/core/errors';
import type { ReplayBuffer } from '../buffer/types.js';
import { crossEntropy, type LogitKind, logitsOf } from '../logits/logits.js';
import type { FeatureClassifier } from '../model/types.js';

/** Loss on the current batch: plain cross-entropy, or ER-ACE's asymmetric one (softmax over the batch's classes). */
export type CurrentLoss = 'ce' | 'ace';

/** Options shared by {@link replayLearner} and its presets. */
export interface ReplayLearnerOptions {
  model: FeatureClassifier;
  buffer: ReplayBuffer;
  /** Generator of the learner (kept for future stochastic options; retrieval uses the buffer's own). */
  rng?: Rng;
  /** SGD step size. Default 0.1 (Mai et al.'s online-CL code, which UER and PCR build on). */
  learningRate?: number;
  /** Items replayed per step. Default 10, the incoming batch size of the same code. */
  replayBatchSize?: number;
  /** Logits of the current-batch loss. Default `dot` (ER); UER uses `cos`. */
  currentLogits?: LogitKind;
  /** Logits of the replay loss. Default `dot`. */
  memoryLogits?: LogitKind;
  /** Logits of `predict`. Default `dot` (UER keeps the norm factor at inference). */
  inferenceLogits?: LogitKind;
  /** Current-batch loss. Default `ce`; ER-ACE uses `ace`. */
  currentLoss?: CurrentLoss;
  /** Temperature τ of the cosine logits. Default 0.09 (the authors' `cosLinear` scale 1/0.09; inferred for UER). */
  temperature?: number;
  /** ε of the cosine normalisation. Default 1e-6 (the authors' `cosLinear`). */
  epsilon?: number;
}

/** An online learner: one SGD step per incoming batch, then the batch enters the buffer. */
export interface ReplayLearner {
  readonly name: string;
  readonly model: FeatureClassifier;
  readonly buffer: ReplayBuffer;
  /** Steps taken. */
  readonly steps: number;
  /**
   * One online step on an incoming batch (`x`: `y.length × inputDim`, row-major): draw the replay batch
   * from the buffer (none while it is empty), one SGD step on the sum of the two batch-mean losses, then
   * offer the batch to the buffer. Labels outside `[0, numClasses)` throw `INVALID_ARGUMENT` (field `y`).
   * Queues device work and returns without waiting for it.
   */
  step(x: Float32Array, y: ArrayLike<number>): void;
  /** Predicted classes (argmax of the inference logits) of `x` (`n × inputDim`), in chunks of `chunk` rows. */
  predict(x: Float32Array, chunk?: number): Promise<Int32Array>;
  /** ‖W_c‖ per class (`numClasses`). */
  headNorms(): Promise<Float32Array>;
}

/** Throws `INVALID_ARGUMENT` (field `y`) unless every label is an integer in `[0, numClasses)`. */
export function checkLabels(y: ArrayLike<number>, numClasses: number, field = 'y'): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new UnbiasedError('INVALID_ARGUMENT', `label ${field}[${i}] = ${v} is outside the head's classes [0, ${numClasses})`, { field });
    }
  }
}

function oneHot(y: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) out[i * classes + (y[i] as number)] = 1;
  return out;
}

const KINDS = ['dot', 'cos'] as const;

/**
 * The replay learner family of online class-incremental learning. Per incoming batch `(x_b, y_b)` and
 * replay batch `(x_m, y_m)` drawn uniformly from the buffer, one SGD step on
 *
 *   `L = CE(z_cur(x_b), y_b) + CE(z_mem(x_m), y_m)`
 *
 * where each `z` is the dot-product `W h` or the cosine `cos θ / τ` logits of the bias-free head. Presets:
 * - ER (Chaudhry et al., "On Tiny Episodic Memories in Continual Learning", 2019, §3): `dot` / `dot`.
 * - UER (Lin et al., "UER: A Heuristic Bias Addressing Approach for Online Continual Learning", ACM MM
 *   2023, §3.3): `cos` on the current batch (the angle factor only, whose gradient is orthogonal to `W_c`,
 *   so current samples do not grow their class norms) and `dot` on replay (norm and angle), `dot` at
 *   inference. The exact loss form and τ are not given in the abstract (inferred from it).
 * - ER-ACE (Caccia et al., ICLR 2022, §4): `dot` / `dot` with the current-batch softmax restricted to the
 *   classes present in the batch (`currentLoss: 'ace'`).
 * With `(dot, dot, ce)` every preset is exactly ER.
 */
export function replayLearner(options: ReplayLearnerOptions & { name?: string }): ReplayLearner {
  const { model, buffer } = options;
  if (model === undefined || model === null) throw new UnbiasedError('INVALID_ARGUMENT', 'a replay learner needs a model', { field: 'model' });
  if (buffer === undefined || buffer === null) throw new UnbiasedError('INVALID_ARGUMENT', 'a replay learner needs a buffer', { field: 'buffer' });
  if (buffer.dim !== model.inputDim) {
    throw new UnbiasedError('SHAPE_MISMATCH', `buffer dim ${buffer.dim} differs from the model's inputDim ${model.inputDim}`, { field: 'buffer' });
  }
  const lr = checkOptionalNumber('learningRate', options.learningRate, 0.1, { min: 0, minInclusive: false });
  const replayBatch = checkOptionalInteger('replayBatchSize', options.replayBatchSize, 10, { min: 0 });
  const currentKind = checkChoice('currentLogits', options.currentLogits, KINDS, 'dot');
  const memoryKind = checkChoice('memoryLogits', options.memoryLogits, KINDS, 'dot');
  const inferenceKind = checkChoice('inferenceLogits', options.inferenceLogits, KINDS, 'dot');
  const currentLoss = checkChoice('currentLoss', options.currentLoss, ['ce', 'ace'] as const, 'ce');
  const tau = checkOptionalNumber('temperature', options.temperature, 0.09, { min: 0, minInclusive: false });
  const eps = checkOptionalNumber('epsilon', options.epsilon, 1e-6, { min: 0 });
  const C = model.numClasses;
  const D = model.inputDim;
  const variables = [...model.variables];
  let steps = 0;

  return {
    name: options.name ?? 'replay',
    model,
    buffer,
    get steps() {
      return steps;
    },
    step(x, y) {
      checkLabels(y, C);
      if (!(x instanceof Float32Array) || x.length !== y.length * D) {
        throw new UnbiasedError('SHAPE_MISMATCH', `x must be a Float32Array of ${y.length} x ${D} values; got ${x?.length}`, { field: 'x' });
      }
      const b = y.length;
      // Retrieval before the buffer update: the replay batch never holds the current batch.
      const slots = buffer.size > 0 && replayBatch > 0 ? buffer.sample(replayBatch) : new Int32Array(0);
      // Current and replay inputs in one matrix: one feature pass over b + m rows, then split.
      const m = slots.length;
      const xAll = new Float32Array((b + m) * D);
      xAll.set(x, 0);
      const my = new Int32Array(m);
      slots.forEach((s, k) => {
        xAll.set(buffer.x.subarray(s * D, (s + 1) * D), (b + k) * D);
        my[k] = buffer.y[s] as number;
      });
      let mask: Float32Array | undefined;
      if (currentLoss === 'ace') {
        mask = new Float32Array(C);
        for (let i = 0; i < b; i++) mask[y[i] as number] = 1;
      }
      tf.tidy(() => {
        const xt = tf.tensor2d(xAll, [b + m, D]);
        const yb = tf.tensor2d(oneHot(y, C), [b, C]);
        const ym = m > 0 ? tf.tensor2d(oneHot(my, C), [m, C]) : undefined;
        const maskT = mask === undefined ? undefined : tf.tensor2d(mask, [1, C]);
        const { grads } = tf.variableGrads(() => {
          const w = model.head as tf.Tensor as tf.Tensor2D;
          const h = model.features(xt);
          const hb = m > 0 ? tf.slice(h, [0, 0], [b, -1]) : h;
          let loss = crossEntropy(logitsOf(currentKind, hb, w, tau, eps), yb, maskT);
          if (ym !== undefined) {
            loss = tf.add(loss, crossEntropy(logitsOf(memoryKind, tf.slice(h, [b, 0], [m, -1]), w, tau, eps), ym));
          }
          // The step size multiplies the scalar loss, so the gradients arrive as lr·∇L (one scalar product
          // instead of one per parameter tensor; tfjs-cpu broadcasts scalars on a slow path).
          return tf.mul(loss, lr) as tf.Scalar;
        }, variables);
        for (const v of variables) {
          const g = grads[v.name];
          if (g !== undefined) v.assign(tf.sub(v, g));
        }
      });
      steps += 1;
      buffer.add(x, y);
    },
    async predict(x, chunk = 512) {
      if (!(x instanceof Float32Array) || x.length % D !== 0) {
        throw new UnbiasedError('SHAPE_MISMATCH', `x must be a Float32Array of n x ${D} values; got ${x?.length}`, { field: 'x' });
      }
      const n = x.length / D;
      const out = new Int32Array(n);
      for (let start = 0; start < n; start += chunk) {
        const rows = Math.min(chunk, n - start);
        const pred = tf.tidy(() => {
          const h = model.features(tf.tensor2d(x.subarray(start * D, (start + rows) * D), [rows, D]));
          return tf.argMax(logitsOf(inferenceKind, h, model.head as tf.Tensor as tf.Tensor2D, tau, eps), 1);
        });
        out.set(await pred.data(), start);
        pred.dispose();
      }
      return out;
    },
    async headNorms() {
      const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(model.head), 1)));
      const values = (await norms.data()) as Float32Array;
      norms.dispose();
      return Float32Array.from(values);
    },
  };
}

/** Experience replay (Chaudhry et al. 2019): dot-product logits on both losses and at inference. */
export function erLearner(options: Omit<ReplayLearnerOptions, 'currentLogits' | 'memoryLogits' | 'currentLoss'>): ReplayLearner {
  return replayLearner({ ...options, name: 'ER', currentLogits: 'dot', memoryLogits: 'dot', currentLoss: 'ce' });
}

/**
 * Unbias Experience Replay (Lin et al., ACM MM 2023, §3.3): current samples learn through the angle factor
 * only (`cos θ / τ`), replayed samples through norm and angle (`W h`), inference with `W h`. Every logit
 * choice stays overridable (e.g. `currentLogits: 'dot'` gives ER, `inferenceLogits: 'cos'` the ablation).
 */
export function uerLearner(options: ReplayLearnerOptions): ReplayLearner {
  return replayLearner({ currentLogits: 'cos', memoryLogits: 'dot', inferenceLogits: 'dot', ...options, name: 'UER' });
}

/**
 * ER-ACE (Caccia et al., "New Insights on Reducing Abrupt Representation Change in Online Continual
 * Learning", ICLR 2022, §4): the current batch's cross-entropy is taken over the classes present in that
 * batch only (asymmetric cross-entropy), replay over all classes.
 */
export function erAceLearner(options: Omit<ReplayLearnerOptions, 'currentLoss'>): ReplayLearner {
  return replayLearner({ currentLogits: 'dot', memoryLogits: 'dot', ...options, currentLoss: 'ace', name: 'ER-ACE' });
}
